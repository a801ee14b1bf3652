package election

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// requireFencedWrite creates resource and checks f's fenced writes on it:
// they apply while f leads and fail with ErrNotLeader once lose has run.
func requireFencedWrite(t *testing.T, observer *zk.Client, f zktest.Fencer, resource string, lose func()) {
	t.Helper()
	_, err := observer.Create(zktest.Context(t), resource, nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	zktest.RequireFenced(t, observer, f, resource, lose, ErrNotLeader)
}

func TestLatchFenced(t *testing.T) {
	ctx, srv, observer, path := zktest.SetupEmbedded(t)
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
	ctx, srv, observer, path := zktest.SetupEmbedded(t)
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
