package election

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

// startLatch starts a latch and closes it (if still open) when the test ends.
func startLatch(t testing.TB, c *zk.Client, path, id string, opts ...LatchOption) *Latch {
	t.Helper()
	l := NewLatch(c, path, id, opts...)
	require.NoError(t, l.Start(testCtx(t)))
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// await waits for l to lead, failing the test after 30s.
func await(t testing.TB, l *Latch) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lead, err := l.Await(ctx)
	require.NoError(t, err, "latch %s did not become leader", l.ID())
	return lead
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
