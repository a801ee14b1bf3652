package election

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

// startLatch starts a latch and closes it (if still open) when the test ends.
func startLatch(t testing.TB, c *zk.Client, path, id string, opts ...LatchOption) *Latch {
	t.Helper()
	l := newLatchT(t, c, path, id, opts...)
	require.NoError(t, l.Start(zktest.Context(t)))
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

// newLatchT is NewLatch failing the test on error.
func newLatchT(t testing.TB, c *zk.Client, path, id string, opts ...LatchOption) *Latch {
	t.Helper()
	l, err := NewLatch(c, path, id, opts...)
	require.NoError(t, err)
	return l
}

// newSelectorT is NewSelector failing the test on error.
func newSelectorT(t testing.TB, c *zk.Client, path, id string, fn LeaderFunc, opts ...SelectorOption) *Selector {
	t.Helper()
	s, err := NewSelector(c, path, id, fn, opts...)
	require.NoError(t, err)
	return s
}
