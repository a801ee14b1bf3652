package zk_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// The callback forms fire like the channel forms: each one-shot callback
// once, a persistent one per event until removed, with the same events.
func TestConnWatchFuncFormsFire(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	ev := func(typ zk.EventType, p string) zk.Event {
		return zk.Event{Type: typ, State: zk.StateSyncConnected, Path: p}
	}

	// exists on a missing node: fires on create.
	var exists zktest.Recorder[zk.Event]
	ok, st, err := c.ExistsWFunc(ctx, base, exists.Add)
	require.NoError(t, err)
	require.False(t, ok)
	require.Nil(t, st)
	_, err = c.Create(ctx, base, []byte("a"), zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	exists.WaitFor(t, ev(zk.EventNodeCreated, base))

	// Persistent watches on a node of their own: one-shot and persistent
	// watches on one path are TestWatchShare's subject (ZOOKEEPER-4466).
	pbase, rbase := base+"-p", base+"-r"
	var pers, rec zktest.Recorder[zk.Event]
	pw, err := c.AddWatchFunc(ctx, pbase, zk.AddWatchPersistent, pers.Add)
	require.NoError(t, err)
	require.Nil(t, pw.Events(), "the callback form has no channel")
	rw, err := c.AddWatchFunc(ctx, rbase, zk.AddWatchPersistentRecursive, rec.Add)
	require.NoError(t, err)

	// Two GetWFunc on the same node share one server watch; both fire,
	// once; so does an existing-node ExistsWFunc, a ChildrenWFunc on a
	// child, and the channel form beside them.
	var g1, g2, ex2, ch zktest.Recorder[zk.Event]
	data, _, err := c.GetWFunc(ctx, base, g1.Add)
	require.NoError(t, err)
	require.Equal(t, "a", string(data))
	_, _, err = c.GetWFunc(ctx, base, g2.Add)
	require.NoError(t, err)
	ok, st, err = c.ExistsWFunc(ctx, base, ex2.Add)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, int32(0), st.Version)
	_, _, gch, err := c.GetW(ctx, base)
	require.NoError(t, err)
	kids, _, err := c.ChildrenWFunc(ctx, base, ch.Add)
	require.NoError(t, err)
	require.Empty(t, kids)

	_, err = c.Set(ctx, base, []byte("b"), -1)
	require.NoError(t, err)
	_, err = c.Set(ctx, base, []byte("c"), -1)
	require.NoError(t, err)
	_, err = c.Create(ctx, base+"/k", nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	for _, p := range []string{pbase, rbase} {
		_, err = c.Create(ctx, p, nil, zk.ModePersistent, zk.OpenACLUnsafe)
		require.NoError(t, err)
		_, err = c.Set(ctx, p, []byte("b"), -1)
		require.NoError(t, err)
		_, err = c.Set(ctx, p, []byte("c"), -1)
		require.NoError(t, err)
		_, err = c.Create(ctx, p+"/k", nil, zk.ModePersistent, zk.OpenACLUnsafe)
		require.NoError(t, err)
	}
	require.Equal(t, ev(zk.EventNodeDataChanged, base), recv(t, gch))
	for _, r := range []*zktest.Recorder[zk.Event]{&g1, &g2, &ex2} {
		r.WaitFor(t, ev(zk.EventNodeDataChanged, base))
	}
	ch.WaitFor(t, ev(zk.EventNodeChildrenChanged, base))
	pers.WaitFor(t, ev(zk.EventNodeCreated, pbase), ev(zk.EventNodeDataChanged, pbase),
		ev(zk.EventNodeDataChanged, pbase), ev(zk.EventNodeChildrenChanged, pbase))
	rec.WaitFor(t, ev(zk.EventNodeCreated, rbase), ev(zk.EventNodeDataChanged, rbase),
		ev(zk.EventNodeDataChanged, rbase), ev(zk.EventNodeCreated, rbase+"/k"))

	// Removed: the last call is EventNotWatching, then nothing.
	require.NoError(t, pw.Remove(ctx))
	require.NoError(t, rw.Remove(ctx))
	for _, p := range []string{pbase, rbase} {
		require.NoError(t, c.Delete(ctx, p+"/k", -1))
		require.NoError(t, c.Delete(ctx, p, -1))
	}
	require.NoError(t, c.Delete(ctx, base+"/k", -1))
	require.NoError(t, c.Delete(ctx, base, -1))
	var after zktest.Recorder[zk.Event]
	ok, _, err = c.ExistsWFunc(ctx, base, after.Add)
	require.NoError(t, err)
	require.False(t, ok)
	_, err = c.Create(ctx, base, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	after.WaitFor(t, ev(zk.EventNodeCreated, base)) // delivered after anything the removed watches could get
	require.Equal(t, ev(zk.EventNotWatching, pbase), pers.Items()[4])
	require.Len(t, pers.Items(), 5)
	require.Equal(t, ev(zk.EventNotWatching, rbase), rec.Items()[4])
	require.Len(t, rec.Items(), 5)
	for _, r := range []*zktest.Recorder[zk.Event]{&exists, &g1, &g2, &ex2, &ch} {
		require.Len(t, r.Items(), 1, "a one-shot callback is called once")
	}
	require.NoError(t, c.Delete(ctx, base, -1))
}

// RemoveWatches ends callback watches like channel ones.
func TestConnWatchFuncRemoveWatches(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	_, err := c.Create(ctx, base, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Delete(ctx, base, -1) })
	var data, child zktest.Recorder[zk.Event]
	_, _, err = c.GetWFunc(ctx, base, data.Add)
	require.NoError(t, err)
	_, _, err = c.ChildrenWFunc(ctx, base, child.Add)
	require.NoError(t, err)
	require.NoError(t, c.RemoveWatches(ctx, base, zk.WatcherData, false))
	data.WaitFor(t, zk.Event{Type: zk.EventDataWatchRemoved, State: zk.StateSyncConnected, Path: base})
	require.NoError(t, c.RemoveWatches(ctx, base, zk.WatcherChildren, true))
	child.WaitFor(t, zk.Event{Type: zk.EventChildWatchRemoved, State: zk.StateSyncConnected, Path: base})
}

// A nil callback, a bad mode or a bad path fails at the call, and nothing is called.
func TestConnWatchFuncBadArguments(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	fn := func(ev zk.Event) { t.Errorf("called with %v", ev) }

	_, _, err := c.GetWFunc(ctx, "/x", nil)
	require.ErrorIs(t, err, zk.ErrBadArguments)
	require.ErrorContains(t, err, "get /x")
	_, _, err = c.ExistsWFunc(ctx, "/x", nil)
	require.ErrorIs(t, err, zk.ErrBadArguments)
	_, _, err = c.ChildrenWFunc(ctx, "/x", nil)
	require.ErrorIs(t, err, zk.ErrBadArguments)
	_, err = c.AddWatchFunc(ctx, "/x", zk.AddWatchPersistent, nil)
	require.ErrorIs(t, err, zk.ErrBadArguments)
	_, err = c.AddWatchFunc(ctx, "/x", zk.AddWatchMode(7), fn)
	require.ErrorIs(t, err, zk.ErrBadArguments)

	for _, bad := range []string{"", "x", "/x/", "/a//b"} {
		_, _, err = c.GetWFunc(ctx, bad, fn)
		require.ErrorIs(t, err, zk.ErrInvalidPath, "%q", bad)
		_, _, err = c.ExistsWFunc(ctx, bad, fn)
		require.ErrorIs(t, err, zk.ErrInvalidPath, "%q", bad)
		_, _, err = c.ChildrenWFunc(ctx, bad, fn)
		require.ErrorIs(t, err, zk.ErrInvalidPath, "%q", bad)
		_, err = c.AddWatchFunc(ctx, bad, zk.AddWatchPersistent, fn)
		require.ErrorIs(t, err, zk.ErrInvalidPath, "%q", bad)
	}
	// A failed read registers nothing: fn is never called, not even when
	// the Conn closes.
	_, _, err = c.GetWFunc(ctx, "/missing-node", fn)
	require.ErrorIs(t, err, zk.ErrNoNode)
	_, _, err = c.ChildrenWFunc(ctx, "/missing-node", fn)
	require.ErrorIs(t, err, zk.ErrNoNode)
	require.NoError(t, c.Close())
	_, _, err = c.GetWFunc(ctx, "/", fn)
	require.ErrorIs(t, err, zk.ErrClosed)
}

// registerEveryFunc registers one callback watch of every kind on p and
// returns their recorders.
func registerEveryFunc(t *testing.T, c *zk.Conn, p string) []*zktest.Recorder[zk.Event] {
	t.Helper()
	ctx := opCtx(t)
	recs := make([]*zktest.Recorder[zk.Event], 5)
	for i := range recs {
		recs[i] = &zktest.Recorder[zk.Event]{}
	}
	_, _, err := c.ExistsWFunc(ctx, p+"/missing", recs[0].Add)
	require.NoError(t, err)
	_, _, err = c.GetWFunc(ctx, p, recs[1].Add)
	require.NoError(t, err)
	_, _, err = c.ChildrenWFunc(ctx, p, recs[2].Add)
	require.NoError(t, err)
	_, err = c.AddWatchFunc(ctx, p, zk.AddWatchPersistent, recs[3].Add)
	require.NoError(t, err)
	_, err = c.AddWatchFunc(ctx, p, zk.AddWatchPersistentRecursive, recs[4].Add)
	require.NoError(t, err)
	return recs
}

// On session expiry every callback watch gets EventNotWatching with
// ErrSessionExpired, as the channel form does.
func TestConnWatchFuncEndsOnExpiry(t *testing.T) {
	srv := zktest.Embedded(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	_, err := c.Create(ctx, base, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	recs := registerEveryFunc(t, c, base)

	require.True(t, srv.ExpireSession(c.SessionID()))
	for i, r := range recs {
		zktest.Eventually(t, func() bool { return len(r.Items()) > 0 }, fmt.Sprintf("watch %d ended", i))
		got := r.Items()
		require.Len(t, got, 1, "watch %d", i)
		require.Equal(t, zk.EventNotWatching, got[0].Type, "watch %d", i)
		require.ErrorIs(t, got[0].Err, zk.ErrSessionExpired, "watch %d", i)
		if i < 3 {
			want := base
			if i == 0 {
				want = base + "/missing"
			}
			require.Equal(t, want, got[0].Path, "a one-shot watch's path")
		}
	}
}

// Close ends every callback watch before it returns (EventNotWatching,
// ErrClosed), with the client path under a chroot.
func TestConnWatchFuncEndsOnClose(t *testing.T) {
	srv := zktest.Server(t)
	ctx := opCtx(t)
	root := zktest.UniquePath(t)
	admin := dialConn(t, srv.ConnectString())
	_, err := admin.Create(ctx, root, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	_, err = admin.Create(ctx, root+"/n", nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = admin.Delete(ctx, root+"/n", -1)
		_ = admin.Delete(ctx, root, -1)
	})

	c, err := zk.Dial(ctx, srv.ConnectString()+root)
	require.NoError(t, err)
	recs := registerEveryFunc(t, c, "/n")
	require.NoError(t, c.Close())
	for i, r := range recs {
		got := r.Items() // no waiting: Close returned after delivering them
		require.Len(t, got, 1, "watch %d", i)
		require.Equal(t, zk.EventNotWatching, got[0].Type, "watch %d", i)
		require.ErrorIs(t, got[0].Err, zk.ErrClosed, "watch %d", i)
		if i < 3 {
			want := "/n"
			if i == 0 {
				want = "/n/missing"
			}
			require.Equal(t, want, got[0].Path, "the client path, chroot stripped")
		}
	}
}

// TestWatchFuncFiringDuringRestoreIsNotLost is
// TestWatchFiringDuringRestoreIsNotLost for the callback form: every
// callback watch restored with several SetWatches packets while each of
// its nodes changes is called exactly once.
func TestWatchFuncFiringDuringRestoreIsNotLost(t *testing.T) {
	const n = 4000
	srv, ctx, c, w, paths := restoreFixture(t, "/restore-func-"+strings.Repeat("p", 75), n)
	var (
		mu    sync.Mutex
		fired = make(map[string][]zk.Event, n)
		total int
	)
	fn := func(ev zk.Event) { // one callback for every watch: no closure per watch
		mu.Lock()
		fired[ev.Path] = append(fired[ev.Path], ev)
		total++
		mu.Unlock()
	}
	for _, p := range paths {
		_, _, err := c.GetWFunc(ctx, p, fn)
		require.NoError(t, err)
	}

	require.True(t, srv.DropSession(c.SessionID()), "the watcher's connection is dropped")
	runParallel(t, 16, paths, func(p string) error {
		_, err := w.Set(ctx, p, []byte("1"), -1)
		return err
	})
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return total
	}
	zktest.Eventually(t, func() bool { return count() >= n }, "every watch fired")

	// The session survived and the restored watches are spent: a new watch
	// fires, and it is the only call after the n.
	var again zktest.Recorder[zk.Event]
	_, _, err := c.GetWFunc(ctx, paths[0], again.Add)
	require.NoError(t, err)
	_, err = w.Set(ctx, paths[0], []byte("2"), -1)
	require.NoError(t, err)
	again.WaitFor(t, zk.Event{Type: zk.EventNodeDataChanged, State: zk.StateSyncConnected, Path: paths[0]})
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, n, total)
	for _, p := range paths {
		require.Len(t, fired[p], 1, p)
		require.Equal(t, zk.EventNodeDataChanged, fired[p][0].Type, p)
	}
}

// The Client's callback forms: under a namespace, each fires once; misuse
// fails at the call; a watch ends when its session is lost.
func TestClientWatchFunc(t *testing.T) {
	srv := zktest.Embedded(t)
	c, states := zktest.ConnectRecorded(t, srv.ConnectString(), zk.WithNamespace("ns"))
	ctx := zktest.Context(t)
	ev := func(typ zk.EventType, p string) zk.Event {
		return zk.Event{Type: typ, State: zk.StateSyncConnected, Path: p}
	}

	_, _, err := c.GetWFunc(ctx, "/a", nil)
	require.ErrorIs(t, err, zk.ErrBadArguments)
	_, err = c.AddWatchFunc(ctx, "a", zk.AddWatchPersistent, func(zk.Event) {})
	require.ErrorIs(t, err, zk.ErrInvalidPath)

	var exists, data, child, pers zktest.Recorder[zk.Event]
	ok, _, err := c.ExistsWFunc(ctx, "/a", exists.Add)
	require.NoError(t, err)
	require.False(t, ok)
	_, err = c.AddWatchFunc(ctx, "/p", zk.AddWatchPersistent, pers.Add)
	require.NoError(t, err)
	_, err = c.Create(ctx, "/a", []byte("1"), zk.ModePersistent, nil)
	require.NoError(t, err)
	exists.WaitFor(t, ev(zk.EventNodeCreated, "/a"))
	got, _, err := c.GetWFunc(ctx, "/a", data.Add)
	require.NoError(t, err)
	require.Equal(t, "1", string(got))
	_, _, err = c.ChildrenWFunc(ctx, "/a", child.Add)
	require.NoError(t, err)
	_, err = c.Set(ctx, "/a", []byte("2"), -1)
	require.NoError(t, err)
	_, err = c.Create(ctx, "/a/k", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	data.WaitFor(t, ev(zk.EventNodeDataChanged, "/a"))
	child.WaitFor(t, ev(zk.EventNodeChildrenChanged, "/a"))
	_, err = c.Create(ctx, "/p", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	pers.WaitFor(t, ev(zk.EventNodeCreated, "/p"))

	// The session is lost: the persistent watch ends with it.
	require.True(t, srv.ExpireSession(c.SessionID()))
	states.WaitFor(t, zk.Connected, zk.Suspended, zk.Lost, zk.Reconnected)
	zktest.Eventually(t, func() bool { return len(pers.Items()) == 2 }, "the persistent watch ended")
	require.Equal(t, zk.EventNotWatching, pers.Items()[1].Type)
	require.Len(t, exists.Items(), 1)
	require.Len(t, data.Items(), 1)
	require.Len(t, child.Items(), 1)
}
