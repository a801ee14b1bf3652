package election

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/zk"
)

func TestConstructorsRejectBadArguments(t *testing.T) {
	_, c, path := zktest.Setup(t)
	fn := func(context.Context) error { return nil }
	for _, tc := range []struct {
		name string
		make func() error
		want error
	}{
		{"latch nil client", func() error { _, err := NewLatch(nil, path, "x"); return err }, seqnode.ErrInvalidArgument},
		{"latch bad path", func() error { _, err := NewLatch(c, "a/b", "x"); return err }, zk.ErrInvalidPath},
		{"latch nil option", func() error { _, err := NewLatch(c, path, "x", nil); return err }, seqnode.ErrInvalidArgument},
		{"latch bad close mode", func() error { _, err := NewLatch(c, path, "x", WithCloseMode(7)); return err }, seqnode.ErrInvalidArgument},
		{"selector nil client", func() error { _, err := NewSelector(nil, path, "x", fn); return err }, seqnode.ErrInvalidArgument},
		{"selector nil fn", func() error { _, err := NewSelector(c, path, "x", nil); return err }, seqnode.ErrInvalidArgument},
		{"selector bad path", func() error { _, err := NewSelector(c, "/a//b", "x", fn); return err }, zk.ErrInvalidPath},
		{"selector nil option", func() error { _, err := NewSelector(c, path, "x", fn, nil); return err }, seqnode.ErrInvalidArgument},
		{"selector nil error handler", func() error { _, err := NewSelector(c, path, "x", fn, WithErrorHandler(nil)); return err }, seqnode.ErrInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.make(), tc.want)
		})
	}
}

func TestZeroValuesFail(t *testing.T) {
	ctx := context.Background()
	var l Latch
	require.ErrorIs(t, l.Start(ctx), seqnode.ErrInvalidArgument)
	_, err := l.Await(ctx)
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)
	require.ErrorIs(t, l.Close(), seqnode.ErrInvalidArgument)
	require.False(t, l.IsLeader())
	var s Selector
	require.ErrorIs(t, s.Start(ctx), seqnode.ErrInvalidArgument)
	require.ErrorIs(t, s.Close(), seqnode.ErrInvalidArgument)
	require.False(t, s.Requeue())
	require.False(t, s.IsLeader())
}

// TestLatchLifecycle: Close is idempotent, works before Start, and every
// method after it fails with an error matching zk.ErrClosed.
func TestLatchLifecycle(t *testing.T) {
	ctx, c, path := zktest.Setup(t)

	// Closed before Start: cannot be started.
	l := newLatchT(t, c, path, "never")
	require.NoError(t, l.Close())
	require.NoError(t, l.Close())
	require.ErrorIs(t, l.Start(ctx), zk.ErrClosed)
	require.ErrorIs(t, l.Start(ctx), ErrClosed)
	require.Empty(t, zktest.Children(t, c, path), "a closed latch makes no node")

	// Closed after leading.
	l = newLatchT(t, c, path, "a")
	require.NoError(t, l.Start(ctx))
	lead := await(t, l)
	require.NoError(t, l.Close())
	require.ErrorIs(t, context.Cause(lead), ErrClosed)
	require.NoError(t, l.Close(), "second Close")
	require.ErrorIs(t, l.Start(ctx), zk.ErrClosed)
	_, err := l.Await(ctx)
	require.ErrorIs(t, err, zk.ErrClosed)
	_, err = l.Participants(ctx)
	require.ErrorIs(t, err, zk.ErrClosed)
	_, err = l.Leader(ctx)
	require.ErrorIs(t, err, zk.ErrClosed)
	require.False(t, l.IsLeader())
	require.Zero(t, l.FencingToken())
}

func TestSelectorLifecycle(t *testing.T) {
	ctx, c, path := zktest.Setup(t)
	fn, leads := blockingLeader()

	s := newSelectorT(t, c, path, "never", fn)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close())
	require.ErrorIs(t, s.Start(ctx), zk.ErrClosed)

	s = newSelectorT(t, c, path, "a", fn)
	require.NoError(t, s.Start(ctx))
	lead := recvCtx(t, leads)
	require.NoError(t, s.Close())
	require.ErrorIs(t, context.Cause(lead), ErrClosed)
	require.NoError(t, s.Close(), "second Close")
	require.ErrorIs(t, s.Start(ctx), zk.ErrClosed)
	_, err := s.Participants(ctx)
	require.ErrorIs(t, err, zk.ErrClosed)
	_, err = s.Leader(ctx)
	require.ErrorIs(t, err, zk.ErrClosed)
	require.False(t, s.Requeue())
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, c, path)) == 0 }, "the node deleted")
}

// TestStartOnClosedClientFailsAtOnce: a Latch or Selector started on a
// closed client fails at once (not when a context ends).
func TestStartOnClosedClientFailsAtOnce(t *testing.T) {
	_, c, path := zktest.Setup(t)
	l := newLatchT(t, c, path, "x")
	fn, _ := blockingLeader()
	s := newSelectorT(t, c, path, "y", fn)
	require.NoError(t, c.Close())
	require.ErrorIs(t, l.Start(context.Background()), zk.ErrClosed)
	require.ErrorIs(t, s.Start(context.Background()), zk.ErrClosed)
	require.NoError(t, l.Close())
	require.NoError(t, s.Close())
}

// TestLatchClientClosed: closing the client closes a started Latch: Await
// fails with ErrClosed at once instead of waiting for its context.
func TestLatchClientClosed(t *testing.T) {
	srv := zktest.Server(t)
	path := zktest.UniquePath(t)
	a := startLatch(t, zktest.Connect(t, srv.ConnectString()), path, "a")
	await(t, a)
	c := zktest.Connect(t, srv.ConnectString())
	b := startLatch(t, c, path, "b")
	waiting := make(chan error, 1)
	go func() {
		_, err := b.Await(context.Background())
		waiting <- err
	}()
	require.NoError(t, c.Close())
	require.ErrorIs(t, zktest.Recv(t, waiting), zk.ErrClosed)
	require.NoError(t, b.Close())
	require.ErrorIs(t, b.Start(context.Background()), zk.ErrClosed)
}
