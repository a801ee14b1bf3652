package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/testserver/realzk"
	"github.com/zkcurator/zkcurator/zk"
)

var (
	// zkcBin is the zkc binary built once by TestMain.
	zkcBin string
	// realServer is the real ZooKeeper started by TestMain when
	// ZKCURATOR_REAL_ZK=1.
	realServer *realzk.Ensemble

	treeNodes = flag.Int("zkc.tree-nodes", 20000, "nodes in the big tree of TestTreeBigPipelined (e.g. 100000)")
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "zkc-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	zkcBin = filepath.Join(dir, "zkc")
	if out, err := exec.Command("go", "build", "-o", zkcBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		return 1
	}
	if os.Getenv("ZKCURATOR_REAL_ZK") == "1" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		realServer, err = realzk.Start(ctx, realzk.Options{})
		cancel()
		if err != nil {
			// Asked for a real server and none starts: fail, do not skip.
			fmt.Fprintf(os.Stderr, "ZKCURATOR_REAL_ZK=1 but no real ZooKeeper starts: %v\n", err)
			return 1
		}
	}
	code := m.Run()
	if realServer != nil {
		if err := realServer.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "closing the real server: %v\n", err)
		}
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			return 1
		}
	}
	return code
}

// target is a server a test runs zkc against.
type target struct {
	name     string
	connect  string
	embedded *testserver.Server // nil for the real server
}

// targets returns an embedded server for this test, plus the real server
// when ZKCURATOR_REAL_ZK=1. The embedded one has TTL nodes enabled, as the
// real one the launcher starts.
func targets(t *testing.T) []target {
	// Like the real one: every four-letter word, TTL nodes.
	s := testserver.New(t, testserver.WithFourLetterWords("*"), testserver.WithExtendedTypes(true))
	ts := []target{{name: "embedded", connect: s.ConnectString(), embedded: s}}
	if realServer != nil {
		ts = append(ts, target{name: "real", connect: realServer.ConnectString()})
	}
	return ts
}

// forTargets runs f as a subtest against every target, with a base path of
// its own (the real server is shared by all tests).
func forTargets(t *testing.T, f func(t *testing.T, tg target, base string)) {
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			base := "/" + regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-") + fmt.Sprintf("-%d", time.Now().UnixNano())
			f(t, tg, base)
		})
	}
}

// result is one run of the zkc binary.
type result struct {
	stdout, stderr string
	code           int
}

// zkc runs the binary against connect with args and returns its output and
// exit code. It never hangs longer than a minute.
func zkc(t *testing.T, connect string, args ...string) result {
	t.Helper()
	return zkcIn(t, connect, "", args...)
}

func zkcIn(t *testing.T, connect, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, zkcBin, append([]string{"--server", connect}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Stdin = strings.NewReader(stdin)
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	r := result{out.String(), errb.String(), code}
	requireNoStackTrace(t, r)
	return r
}

// requireNoStackTrace checks that stderr is at most a few plain lines.
func requireNoStackTrace(t *testing.T, r result) {
	t.Helper()
	require.NotContains(t, r.stderr, "goroutine ")
	require.NotContains(t, r.stderr, "panic")
	if r.code != 0 {
		require.Equal(t, 1, strings.Count(strings.TrimSpace(r.stderr), "\n")+1, "one-line error, got %q", r.stderr)
		require.True(t, strings.HasPrefix(r.stderr, "zkc: "), r.stderr)
	}
}

// ok runs zkc and requires exit 0.
func ok(t *testing.T, connect string, args ...string) string {
	t.Helper()
	r := zkc(t, connect, args...)
	require.Equal(t, 0, r.code, "zkc %v: %s", args, r.stderr)
	return r.stdout
}

// okJSON runs zkc --json and decodes its output into v.
func okJSON(t *testing.T, connect string, v any, args ...string) {
	t.Helper()
	out := ok(t, connect, append([]string{"--json"}, args...)...)
	require.NoError(t, json.Unmarshal([]byte(out), v), "output: %s", out)
}

// client connects a Go client for setting up what zkc should see.
func client(t *testing.T, connect string, opts ...zk.Option) *zk.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := zk.Connect(ctx, connect, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}
