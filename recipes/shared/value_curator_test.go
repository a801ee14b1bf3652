package shared_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/shared"
)

// Curator's SharedValue and ours share one node on a real ZooKeeper: each
// sees the other's sets, and a stale version loses on both sides.
func TestCuratorSharedValueInterop(t *testing.T) {
	cp := zktest.CompileJava(t, zktest.CuratorJars, filepath.Join("testdata", "CuratorSharedValue.java"))
	addr := zktest.RealConnectString(t)
	ctx := zktest.Context(t)
	p := zktest.UniquePath(t) + "/value"

	java := zktest.StartJava(t, cp, "CuratorSharedValue", addr, p, "java-seed")
	require.Equal(t, "STARTED java-seed", java.ExpectPrefix("STARTED"))

	v, err := shared.NewValue(zktest.Connect(t, addr), p, []byte("go-seed"))
	require.NoError(t, err)
	defer v.Close()
	require.NoError(t, v.Start(ctx))
	data, ver := v.Get()
	require.Equal(t, "java-seed", string(data), "the node Java created")

	ok, err := v.TrySet(ctx, ver, []byte("from-go"))
	require.NoError(t, err)
	require.True(t, ok)
	java.Expect("CHANGED from-go")

	java.Send("set from-java")
	java.Expect("SET true")
	zktest.Eventually(t, func() bool { d, _ := v.Get(); return string(d) == "from-java" }, "Go sees Java's set")

	ok, err = v.TrySet(ctx, ver, []byte("stale"))
	require.NoError(t, err)
	require.False(t, ok, "stale version")
	java.Send("get")
	require.Equal(t, "VALUE from-java", java.ExpectPrefix("VALUE"))
	java.Send("quit")
	java.Wait()
}
