package zk_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// recv returns the next event on ch, failing the test after 10s.
func recv(t *testing.T, ch <-chan zk.Event) zk.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		require.True(t, ok, "channel closed")
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
		return zk.Event{}
	}
}

// requireNoEvent checks that nothing is waiting on ch now. Events are
// delivered in server order, so after a later event has been seen elsewhere
// an earlier one would already be here.
func requireNoEvent(t *testing.T, ch <-chan zk.Event) {
	t.Helper()
	select {
	case ev := <-ch:
		t.Fatalf("unexpected event %v", ev)
	default:
	}
}

func TestConnOneShotWatches(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)

	// exists on a missing node: fires on create.
	ok, _, exCh, err := c.ExistsW(ctx, base)
	require.NoError(t, err)
	require.False(t, ok)
	_, err = c.Create(ctx, base, []byte("a"), zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	require.Equal(t, zk.Event{Type: zk.EventNodeCreated, State: zk.StateSyncConnected, Path: base}, recv(t, exCh))

	// Two GetW on the same node share one server watch; both fire, once.
	_, _, g1, err := c.GetW(ctx, base)
	require.NoError(t, err)
	_, _, g2, err := c.GetW(ctx, base)
	require.NoError(t, err)
	_, _, chCh, err := c.ChildrenW(ctx, base)
	require.NoError(t, err)
	_, err = c.Set(ctx, base, []byte("b"), -1)
	require.NoError(t, err)
	require.Equal(t, zk.EventNodeDataChanged, recv(t, g1).Type)
	require.Equal(t, zk.EventNodeDataChanged, recv(t, g2).Type)
	_, err = c.Set(ctx, base, []byte("c"), -1)
	require.NoError(t, err)
	_, err = c.Create(ctx, base+"/k", nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	require.Equal(t, zk.Event{Type: zk.EventNodeChildrenChanged, State: zk.StateSyncConnected, Path: base}, recv(t, chCh))
	// The second Set came before the child event: a re-fire would be here.
	requireNoEvent(t, g1)
	requireNoEvent(t, g2)

	// Delete fires data and exists watches with NodeDeleted.
	_, _, g3, err := c.GetW(ctx, base+"/k")
	require.NoError(t, err)
	_, _, ex2, err := c.ExistsW(ctx, base+"/k")
	require.NoError(t, err)
	require.NoError(t, c.Delete(ctx, base+"/k", -1))
	require.Equal(t, zk.EventNodeDeleted, recv(t, g3).Type)
	require.Equal(t, zk.EventNodeDeleted, recv(t, ex2).Type)

	// RemoveWatches: the removed watch gets a removal event.
	_, _, g4, err := c.GetW(ctx, base)
	require.NoError(t, err)
	require.NoError(t, c.RemoveWatches(ctx, base, zk.WatcherData, false))
	require.Equal(t, zk.EventDataWatchRemoved, recv(t, g4).Type)
	require.ErrorIs(t, c.RemoveWatches(ctx, base, zk.WatcherData, false), zk.ErrNoWatcher)
	_, _, c5, err := c.ChildrenW(ctx, base)
	require.NoError(t, err)
	require.NoError(t, c.RemoveWatches(ctx, base, zk.WatcherChildren, true))
	require.Equal(t, zk.EventChildWatchRemoved, recv(t, c5).Type)

	require.NoError(t, c.Delete(ctx, base, -1))
}

func TestConnPersistentRecursiveWatch(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)

	w, err := c.AddWatch(ctx, base, zk.AddWatchPersistentRecursive)
	require.NoError(t, err)
	require.Equal(t, base, w.Path())
	_, err = c.Create(ctx, base, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	_, err = c.Create(ctx, base+"/a", nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	_, err = c.Create(ctx, base+"/a/b", nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	_, err = c.Set(ctx, base+"/a/b", []byte("x"), -1)
	require.NoError(t, err)
	require.NoError(t, c.Delete(ctx, base+"/a/b", -1))
	want := []zk.Event{
		{Type: zk.EventNodeCreated, Path: base},
		{Type: zk.EventNodeCreated, Path: base + "/a"},
		{Type: zk.EventNodeCreated, Path: base + "/a/b"},
		{Type: zk.EventNodeDataChanged, Path: base + "/a/b"},
		{Type: zk.EventNodeDeleted, Path: base + "/a/b"},
	}
	for _, wev := range want {
		ev := recv(t, w.Events())
		require.Equal(t, wev.Type, ev.Type, ev)
		require.Equal(t, wev.Path, ev.Path)
	}

	// A plain persistent watch sees child changes too, and keeps firing.
	pw, err := c.AddWatch(ctx, base+"/a", zk.AddWatchPersistent)
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		_, err = c.Set(ctx, base+"/a", []byte{byte(i)}, -1)
		require.NoError(t, err)
		require.Equal(t, zk.EventNodeDataChanged, recv(t, pw.Events()).Type)
	}
	_, err = c.Create(ctx, base+"/a/c", nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	require.Equal(t, zk.EventNodeChildrenChanged, recv(t, pw.Events()).Type)
	require.NoError(t, pw.Remove(ctx))
	ev := recv(t, pw.Events())
	require.Equal(t, zk.EventNotWatching, ev.Type)
	_, open := <-pw.Events()
	require.False(t, open)

	// Drain the recursive watcher's events so far, then remove it.
	for _, p := range []string{base + "/a", base + "/a", base + "/a", base + "/a/c"} {
		ev := recv(t, w.Events())
		require.Equal(t, p, ev.Path)
	}
	require.NoError(t, w.Remove(ctx))
	require.Equal(t, zk.EventNotWatching, recv(t, w.Events()).Type)
	_, open = <-w.Events()
	require.False(t, open)

	// Removed: a change no longer reaches it, and goes to nobody.
	require.NoError(t, c.Delete(ctx, base+"/a/c", -1))
	require.NoError(t, c.Delete(ctx, base+"/a", -1))
	require.NoError(t, c.Delete(ctx, base, -1))
}

func TestConnWatchesEndOnClose(t *testing.T) {
	srv := zktest.Server(t)
	ctx := opCtx(t)
	c, err := zk.Dial(ctx, srv.ConnectString())
	require.NoError(t, err)
	base := zktest.UniquePath(t)
	_, _, ch, err := c.ExistsW(ctx, base)
	require.NoError(t, err)
	w, err := c.AddWatch(ctx, base, zk.AddWatchPersistent)
	require.NoError(t, err)
	require.NoError(t, c.Close())
	ev := recv(t, ch)
	require.Equal(t, zk.EventNotWatching, ev.Type)
	require.ErrorIs(t, ev.Err, zk.ErrClosed)
	ev = recv(t, w.Events())
	require.Equal(t, zk.EventNotWatching, ev.Type)
	_, open := <-w.Events()
	require.False(t, open)

	_, _, err = c.Get(ctx, "/")
	require.ErrorIs(t, err, zk.ErrClosed)
	require.NoError(t, c.Close())
	require.Equal(t, zk.StateClosed, c.State())
}
