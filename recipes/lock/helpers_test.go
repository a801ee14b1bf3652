package lock

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

// testSessionTimeout is short so Lost comes quickly in fault tests, long
// enough for -race on two cores.
const testSessionTimeout = 4 * time.Second

func connect(t testing.TB, addr string, opts ...zk.Option) *zk.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts = append([]zk.Option{zk.WithSessionTimeout(testSessionTimeout)}, opts...)
	c, err := zk.Connect(ctx, addr, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// children returns the children of path (none when it does not exist).
func children(t testing.TB, c *zk.Client, path string) []string {
	t.Helper()
	ch, _, err := c.Children(context.Background(), path)
	if errors.Is(err, zk.ErrNoNode) {
		return nil
	}
	require.NoError(t, err)
	return ch
}

// waitParticipants waits until path has n children.
func waitParticipants(t testing.TB, c *zk.Client, path string, n int) {
	t.Helper()
	zktest.Eventually(t, func() bool { return len(children(t, c, path)) == n }, "participants")
}

// exists reports whether path exists.
func exists(t testing.TB, c *zk.Client, path string) bool {
	t.Helper()
	ok, _, err := c.Exists(context.Background(), path)
	require.NoError(t, err)
	return ok
}

// recvErr waits for an error from ch, failing the test after 30s.
func recvErr(t testing.TB, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("timed out waiting for a result")
		return nil
	}
}

// waitDone waits for ctx to be done, failing the test after 30s.
func waitDone(t testing.TB, ctx context.Context, what string) {
	t.Helper()
	select {
	case <-ctx.Done():
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}
