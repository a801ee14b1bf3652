package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/recipes/lock"
)

// javaLib is where Debian's libcurator-*-java and zookeeper packages put
// their jars.
const javaLib = "/usr/share/java"

// TestLocksCuratorHolderGoWaiter: a Java process holds a Curator
// InterProcessMutex and a Go zkcurator Mutex waits on the same path; zkc
// locks shows the Java holder first (holding, its id as data) and the Go
// waiter queued behind it. Real ZooKeeper only (ZKCURATOR_REAL_ZK=1), where
// a missing JDK or Curator jar fails the test.
func TestLocksCuratorHolderGoWaiter(t *testing.T) {
	if realServer == nil {
		t.Skip("needs a real ZooKeeper and Curator's jars: set ZKCURATOR_REAL_ZK=1")
	}
	cs := realServer.ConnectString()
	classes := compileJava(t, "testdata/CuratorHolder.java")
	path := "/zkc-curator-interop-" + time.Now().Format("150405.000000000")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	java := exec.CommandContext(ctx, "java", "-cp", classes, "CuratorHolder", cs, path, "java-holder")
	stdin, err := java.StdinPipe()
	require.NoError(t, err)
	stdout, err := java.StdoutPipe()
	require.NoError(t, err)
	java.Stderr = os.Stderr
	require.NoError(t, java.Start())
	t.Cleanup(func() { _ = stdin.Close(); _ = java.Wait() })
	lines := bufio.NewScanner(stdout)
	require.True(t, lines.Scan(), "the Java holder exited before acquiring")
	require.Equal(t, "ACQUIRED", lines.Text())

	c := client(t, cs)
	m, err := lock.NewMutex(c, path, lock.WithData([]byte("go-waiter")))
	require.NoError(t, err)
	acquired := make(chan error, 1)
	go func() {
		_, err := m.Acquire(ctx)
		acquired <- err
	}()

	var parts []participant
	require.Eventually(t, func() bool {
		okJSON(t, cs, &parts, "locks", path)
		return len(parts) == 2
	}, 30*time.Second, 50*time.Millisecond, "the Go waiter's node never showed")
	require.Equal(t, "java-holder", parts[0].Data)
	require.True(t, parts[0].Holds)
	require.Equal(t, "connected", parts[0].Session)
	require.Equal(t, "go-waiter", parts[1].Data)
	require.False(t, parts[1].Holds)
	require.Equal(t, hexID(c.SessionID()), parts[1].Owner)
	require.Less(t, parts[0].FencingToken, parts[1].FencingToken)

	_, err = io.WriteString(stdin, "release\n")
	require.NoError(t, err)
	require.NoError(t, <-acquired, "the Go waiter takes the lock after the Java holder releases")
	okJSON(t, cs, &parts, "locks", path)
	require.Len(t, parts, 1)
	require.Equal(t, "go-waiter", parts[0].Data)
	require.True(t, parts[0].Holds)
	require.NoError(t, m.Release(ctx))
}

// compileJava compiles srcs against the jars in javaLib and returns the
// classpath to run them; a missing javac or jar fails the test.
func compileJava(t *testing.T, srcs ...string) string {
	t.Helper()
	for _, tool := range []string{"javac", "java"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "%s not found (install default-jdk-headless)", tool)
	}
	m, _ := filepath.Glob(filepath.Join(javaLib, "curator-recipes*.jar"))
	require.NotEmpty(t, m, "Curator's jars missing in %s (install libcurator-recipes-java)", javaLib)
	dir := t.TempDir()
	out, err := exec.Command("javac", append([]string{"-d", dir, "-cp", javaLib + "/*"}, srcs...)...).CombinedOutput()
	require.NoError(t, err, "javac: %s", out)
	return dir + string(os.PathListSeparator) + javaLib + "/*"
}
