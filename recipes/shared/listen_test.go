package shared_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/recipes/shared"
	"github.com/zkcurator/zkcurator/zk"
)

func TestCountListener(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/count"
	c, states := zktest.ConnectRecorded(t, srv.ConnectString())
	cnt, err := shared.NewCount(c, path, 1)
	require.NoError(t, err)
	t.Cleanup(func() { _ = cnt.Close() })

	var changes zktest.Recorder[int32]
	var seen zktest.Recorder[zk.ConnectionState]
	unsubscribe, err := cnt.Listen(ctx, shared.CountListener{
		Changed:      func(v, _ int32) { changes.Add(v) },
		StateChanged: seen.Add,
	})
	require.NoError(t, err)
	_, err = cnt.Listen(ctx, shared.CountListener{})
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)

	// Changes by another process, also to the same value, are reported in
	// order (each awaited: changes in quick succession may be seen as one).
	other, err := shared.NewCount(zktest.Connect(t, srv.ConnectString()), path, 0)
	require.NoError(t, err)
	want := []int32{5, 5, -2}
	for i, v := range want {
		require.NoError(t, other.Set(ctx, v))
		changes.WaitFor(t, want[:i+1]...)
	}

	// Connection states reach the listener.
	srv.DropSession(c.SessionID())
	states.WaitFor(t, zk.Connected, zk.Suspended, zk.Reconnected)
	seen.WaitFor(t, zk.Suspended, zk.Reconnected)

	// Unsubscribed: no more calls (a second listener shows the change
	// was seen). Close ends the goroutine (goleak checks).
	var after zktest.Recorder[int32]
	_, err = cnt.Listen(ctx, shared.CountListener{Changed: func(v, _ int32) { after.Add(v) }})
	require.NoError(t, err)
	unsubscribe()
	require.NoError(t, other.Set(ctx, 9))
	after.WaitFor(t, 9)
	require.NoError(t, cnt.Close())
	require.NoError(t, cnt.Close(), "Close is idempotent")
	require.Equal(t, want, changes.Items())
	_, _, err = cnt.Get(ctx)
	require.ErrorIs(t, err, zk.ErrClosed)
	require.ErrorIs(t, cnt.Set(ctx, 1), zk.ErrClosed)
	_, err = cnt.Listen(ctx, shared.CountListener{Changed: func(int32, int32) {}})
	require.ErrorIs(t, err, zk.ErrClosed)
}

func TestCountArguments(t *testing.T) {
	c := zktest.Connect(t, zktest.Server(t).ConnectString())
	_, err := shared.NewCount(nil, "/x", 0)
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)
	_, err = shared.NewCount(c, "x", 0)
	require.ErrorIs(t, err, zk.ErrInvalidPath)
	var zero shared.Count
	_, _, err = zero.Get(context.Background())
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)
	require.ErrorIs(t, zero.Close(), seqnode.ErrInvalidArgument)
}
