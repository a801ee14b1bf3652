package election

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// fencer is what a Latch and a Selector offer for fenced writes.
type fencer interface {
	Fenced(ctx context.Context, ops ...zk.Op) ([]zk.OpResult, error)
}

// requireFencedWrite checks that a fenced write applies (leading) and,
// after lose, fails with ErrNotLeader without being applied.
func requireFencedWrite(t *testing.T, observer *zk.Client, f fencer, resource string, lose func()) {
	t.Helper()
	ctx := zktest.Context(t)
	_, err := observer.Create(ctx, resource, nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	_, err = f.Fenced(ctx, zk.SetOp(resource, []byte("leader"), -1))
	require.NoError(t, err)
	lose()
	_, err = f.Fenced(ctx, zk.SetOp(resource, []byte("stale"), -1))
	require.ErrorIs(t, err, ErrNotLeader)
	data, _, err := observer.Get(ctx, resource)
	require.NoError(t, err)
	require.Equal(t, "leader", string(data))
}

func TestLatchFenced(t *testing.T) {
	srv := zktest.Embedded(t)
	observer := zktest.Connect(t, srv.ConnectString())
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t)
	a := startLatch(t, zktest.Connect(t, srv.ConnectString()), path, "a")
	await(t, a)
	b := startLatch(t, zktest.Connect(t, srv.ConnectString()), path, "b")
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, observer, path)) == 2 }, "b to queue")
	_, err := b.Fenced(ctx, zk.CheckOp(path, -1))
	require.ErrorIs(t, err, ErrNotLeader, "b does not lead")

	requireFencedWrite(t, observer, a, path+"-resource", func() {
		require.NoError(t, observer.Delete(ctx, a.OurPath(), -1))
	})
	require.NoError(t, a.Close())
	_, err = a.Fenced(ctx)
	require.ErrorIs(t, err, ErrClosed)
	require.ErrorIs(t, err, ErrNotLeader)
}

func TestSelectorFencedAndToken(t *testing.T) {
	srv := zktest.Embedded(t)
	observer := zktest.Connect(t, srv.ConnectString())
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t)
	c := zktest.Connect(t, srv.ConnectString())
	fn, leads := blockingLeader()
	s := newSelectorT(t, c, path, "a", fn)
	t.Cleanup(func() { _ = s.Close() })
	require.Zero(t, s.FencingToken())
	_, err := s.Fenced(ctx)
	require.ErrorIs(t, err, ErrNotLeader, "not started")
	require.NoError(t, s.Start(ctx))
	lead := recvCtx(t, leads)
	kids := zktest.Children(t, observer, path)
	require.Len(t, kids, 1)
	_, st, err := observer.Exists(ctx, path+"/"+kids[0])
	require.NoError(t, err)
	require.Equal(t, st.Czxid, s.FencingToken())

	requireFencedWrite(t, observer, s, path+"-resource", func() {
		require.True(t, srv.ExpireSession(c.SessionID()))
		zktest.WaitDone(t, lead, "leadership to end")
	})
	require.NoError(t, s.Close())
	_, err = s.Fenced(ctx)
	require.ErrorIs(t, err, ErrClosed)
}
