package zk_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// One-shot and persistent watches of one session on one path
// (ZOOKEEPER-4466): servers before 3.9 keep one watch mode per path and
// session in each watch table, so a one-shot watch set on the server over
// a persistent one would replace it, and the persistent watch would
// silently stop after the one-shot fired. These tests run every case on
// the embedded server (which copies 3.8's watch tables) and, with
// ZKCURATOR_REAL_ZK=1, on one real ZooKeeper 3.8 shared by the cases.

// shareTarget is a server the cases run on, with a way to drop a
// session's connection (nil: the case that needs it is skipped there).
type shareTarget struct {
	name    string
	connect string
	drop    func(t *testing.T, c *zk.Conn)
}

// shareTargets returns the embedded server, and a real one with
// ZKCURATOR_REAL_ZK=1 (its connection goes through a proxy that drops it).
func shareTargets(t *testing.T) []shareTarget {
	srv := zktest.Embedded(t)
	ts := []shareTarget{{name: "embedded", connect: srv.ConnectString(), drop: func(t *testing.T, c *zk.Conn) {
		require.True(t, srv.DropSession(c.SessionID()))
	}}}
	if os.Getenv(zktest.EnvReal) == "1" {
		p := zktest.NewProxy(t, zktest.RealConnectString(t))
		ts = append(ts, shareTarget{name: "real", connect: p.Addr(), drop: func(*testing.T, *zk.Conn) { p.Cut() }})
	}
	return ts
}

// shareCase is one case: a Conn on the target, a context and a unique path.
type shareCase func(t *testing.T, tg shareTarget, c *zk.Conn, ctx context.Context, p string)

func TestWatchShare(t *testing.T) {
	cases := []struct {
		name string
		run  shareCase
	}{
		{"GetWUnderPersistent", shareGetW},
		{"GetWUnderRecursive", shareGetWRecursive},
		{"ChildrenWUnderPersistent", shareChildrenW},
		{"ExistsWUnderPersistent", shareExistsW},
		{"OneShotBeforeAddWatch", shareReverseOrder},
		{"ChildrenWBeforeRecursive", shareChildrenWBeforeRecursive},
		{"PersistentRemoved", sharePersistentRemoved},
		{"RemoveWatchesData", shareRemoveWatchesData},
		{"Reconnect", shareReconnect},
		{"Callbacks", shareCallbacks},
	}
	for _, tg := range shareTargets(t) {
		t.Run(tg.name, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					c := dialConn(t, tg.connect)
					tc.run(t, tg, c, opCtx(t), zktest.UniquePath(t))
				})
			}
		})
	}
}

// wantEvents receives len(want) events from ch and checks their types and
// paths, in order.
func wantEvents(t *testing.T, ch <-chan zk.Event, want ...zk.Event) {
	t.Helper()
	for i, w := range want {
		ev := recv(t, ch)
		require.Equal(t, w.Type, ev.Type, "event %d: %v", i, ev)
		require.Equal(t, w.Path, ev.Path, "event %d: %v", i, ev)
	}
}

func ev(typ zk.EventType, path string) zk.Event { return zk.Event{Type: typ, Path: path} }

func mustCreate(t *testing.T, ctx context.Context, c *zk.Conn, p string) {
	t.Helper()
	_, err := c.Create(ctx, p, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
}

// watchThenGetW creates p, sets a persistent watch of mode on it and then
// a one-shot data watch (GetW) on the same path: the order in which 3.8
// let the one-shot replace the persistent watch.
func watchThenGetW(t *testing.T, ctx context.Context, c *zk.Conn, p string, mode zk.AddWatchMode) (*zk.Watcher, <-chan zk.Event) {
	t.Helper()
	mustCreate(t, ctx, c, p)
	w, err := c.AddWatch(ctx, p, mode)
	require.NoError(t, err)
	_, _, g, err := c.GetW(ctx, p)
	require.NoError(t, err)
	return w, g
}

func mustSet(t *testing.T, ctx context.Context, c *zk.Conn, p, data string) {
	t.Helper()
	_, err := c.Set(ctx, p, []byte(data), -1)
	require.NoError(t, err)
}

// (a) A GetW under a persistent watch fires once, and the persistent watch
// keeps its data events afterwards. The child created last is a marker the
// child table still reports: without the guard the second data change is
// missing before it.
func shareGetW(t *testing.T, _ shareTarget, c *zk.Conn, ctx context.Context, p string) {
	w, g := watchThenGetW(t, ctx, c, p, zk.AddWatchPersistent)
	mustSet(t, ctx, c, p, "1")
	require.Equal(t, ev(zk.EventNodeDataChanged, p), stripped(recv(t, g)))
	mustSet(t, ctx, c, p, "2")
	mustCreate(t, ctx, c, p+"/marker")
	wantEvents(t, w.Events(), ev(zk.EventNodeDataChanged, p), ev(zk.EventNodeDataChanged, p),
		ev(zk.EventNodeChildrenChanged, p))
	requireNoEvent(t, g)
}

// (a) on a persistent-recursive watch: the one-shot on the watch's own
// path would take the recursive watch's only (data) table entry on 3.8,
// and with it every event below.
func shareGetWRecursive(t *testing.T, _ shareTarget, c *zk.Conn, ctx context.Context, p string) {
	w, g := watchThenGetW(t, ctx, c, p, zk.AddWatchPersistentRecursive)
	mustSet(t, ctx, c, p, "1")
	require.Equal(t, zk.EventNodeDataChanged, recv(t, g).Type)
	mustSet(t, ctx, c, p, "2")
	mustCreate(t, ctx, c, p+"/a")
	wantEvents(t, w.Events(), ev(zk.EventNodeDataChanged, p), ev(zk.EventNodeDataChanged, p),
		ev(zk.EventNodeCreated, p+"/a"))
	// A one-shot below the recursive watch is on another path: no conflict.
	_, _, g2, err := c.GetW(ctx, p+"/a")
	require.NoError(t, err)
	mustSet(t, ctx, c, p+"/a", "x")
	mustSet(t, ctx, c, p+"/a", "y")
	require.Equal(t, ev(zk.EventNodeDataChanged, p+"/a"), stripped(recv(t, g2)))
	wantEvents(t, w.Events(), ev(zk.EventNodeDataChanged, p+"/a"), ev(zk.EventNodeDataChanged, p+"/a"))
}

// (b) A ChildrenW under a persistent watch fires once; the persistent
// watch keeps its child events (the data change last is the marker).
func shareChildrenW(t *testing.T, _ shareTarget, c *zk.Conn, ctx context.Context, p string) {
	mustCreate(t, ctx, c, p)
	w, err := c.AddWatch(ctx, p, zk.AddWatchPersistent)
	require.NoError(t, err)
	_, _, ch, err := c.ChildrenW(ctx, p)
	require.NoError(t, err)
	mustCreate(t, ctx, c, p+"/x")
	require.Equal(t, ev(zk.EventNodeChildrenChanged, p), stripped(recv(t, ch)))
	mustCreate(t, ctx, c, p+"/y")
	mustSet(t, ctx, c, p, "marker")
	wantEvents(t, w.Events(), ev(zk.EventNodeChildrenChanged, p), ev(zk.EventNodeChildrenChanged, p),
		ev(zk.EventNodeDataChanged, p))
	requireNoEvent(t, ch)
}

// (c) An ExistsW on a missing node under a persistent watch fires on
// create; the persistent watch keeps its data events afterwards.
func shareExistsW(t *testing.T, _ shareTarget, c *zk.Conn, ctx context.Context, p string) {
	w, err := c.AddWatch(ctx, p, zk.AddWatchPersistent)
	require.NoError(t, err)
	ok, _, ex, err := c.ExistsW(ctx, p)
	require.NoError(t, err)
	require.False(t, ok)
	mustCreate(t, ctx, c, p)
	require.Equal(t, ev(zk.EventNodeCreated, p), stripped(recv(t, ex)))
	mustSet(t, ctx, c, p, "1")
	mustCreate(t, ctx, c, p+"/marker")
	wantEvents(t, w.Events(), ev(zk.EventNodeCreated, p), ev(zk.EventNodeDataChanged, p),
		ev(zk.EventNodeChildrenChanged, p))
	// ExistsW on an existing node is a data watch: the same guard.
	_, _, ex2, err := c.ExistsW(ctx, p)
	require.NoError(t, err)
	mustSet(t, ctx, c, p, "2")
	require.Equal(t, zk.EventNodeDataChanged, recv(t, ex2).Type)
	mustSet(t, ctx, c, p, "3")
	mustCreate(t, ctx, c, p+"/marker2")
	wantEvents(t, w.Events(), ev(zk.EventNodeDataChanged, p), ev(zk.EventNodeDataChanged, p),
		ev(zk.EventNodeChildrenChanged, p))
}

// The other order, one-shot first then AddWatch, was never a problem on
// 3.8 (the server's mode becomes persistent): the one-shot fires once,
// the persistent watch keeps firing.
func shareReverseOrder(t *testing.T, _ shareTarget, c *zk.Conn, ctx context.Context, p string) {
	mustCreate(t, ctx, c, p)
	_, _, g, err := c.GetW(ctx, p)
	require.NoError(t, err)
	_, _, ch, err := c.ChildrenW(ctx, p)
	require.NoError(t, err)
	w, err := c.AddWatch(ctx, p, zk.AddWatchPersistent)
	require.NoError(t, err)
	mustSet(t, ctx, c, p, "1")
	mustSet(t, ctx, c, p, "2")
	mustCreate(t, ctx, c, p+"/x")
	mustCreate(t, ctx, c, p+"/y")
	wantEvents(t, w.Events(), ev(zk.EventNodeDataChanged, p), ev(zk.EventNodeDataChanged, p),
		ev(zk.EventNodeChildrenChanged, p), ev(zk.EventNodeChildrenChanged, p))
	require.Equal(t, zk.EventNodeDataChanged, recv(t, g).Type)
	require.Equal(t, zk.EventNodeChildrenChanged, recv(t, ch).Type)
	requireNoEvent(t, g)
	requireNoEvent(t, ch)
}

// A ChildrenW, then a persistent-recursive watch on the same path: 3.8
// puts a recursive watch in the child table too, where it replaces the
// child watch and never reports NodeChildrenChanged; the child watch must
// still fire, also after a reconnect.
func shareChildrenWBeforeRecursive(t *testing.T, tg shareTarget, c *zk.Conn, ctx context.Context, p string) {
	mustCreate(t, ctx, c, p)
	_, _, ch, err := c.ChildrenW(ctx, p)
	require.NoError(t, err)
	w, err := c.AddWatch(ctx, p, zk.AddWatchPersistentRecursive)
	require.NoError(t, err)
	mustCreate(t, ctx, c, p+"/x")
	require.Equal(t, ev(zk.EventNodeChildrenChanged, p), stripped(recv(t, ch)))
	wantEvents(t, w.Events(), ev(zk.EventNodeCreated, p+"/x"))

	_, _, ch2, err := c.ChildrenW(ctx, p) // after the recursive watch: set on the server
	require.NoError(t, err)
	_, _, ch3, err := c.ChildrenW(ctx, p+"/x")
	require.NoError(t, err)
	tg.drop(t, c)
	setAfterDrop(t, ctx, c, p, "1") // the restore runs before this
	mustCreate(t, ctx, c, p+"/y")
	mustCreate(t, ctx, c, p+"/x/z")
	require.Equal(t, ev(zk.EventNodeChildrenChanged, p), stripped(recv(t, ch2)))
	require.Equal(t, ev(zk.EventNodeChildrenChanged, p+"/x"), stripped(recv(t, ch3)))
	wantEvents(t, w.Events(), ev(zk.EventNodeDataChanged, p), ev(zk.EventNodeCreated, p+"/y"),
		ev(zk.EventNodeCreated, p+"/x/z"))
}

// (d) The persistent watch is removed while one-shots set under it (known
// only here) wait: they are set on the server again and fire on the next
// change; a second persistent watch of the other mode on the path stays.
func sharePersistentRemoved(t *testing.T, _ shareTarget, c *zk.Conn, ctx context.Context, p string) {
	w, g := watchThenGetW(t, ctx, c, p, zk.AddWatchPersistent)
	_, _, ch, err := c.ChildrenW(ctx, p)
	require.NoError(t, err)
	require.NoError(t, w.Remove(ctx))
	wantEvents(t, w.Events(), ev(zk.EventNotWatching, p))
	mustSet(t, ctx, c, p, "1")
	require.Equal(t, ev(zk.EventNodeDataChanged, p), stripped(recv(t, g)))
	mustCreate(t, ctx, c, p+"/x")
	require.Equal(t, ev(zk.EventNodeChildrenChanged, p), stripped(recv(t, ch)))

	// Persistent and recursive on one path, one-shots under both: the
	// persistent one goes, the recursive one and the one-shots stay.
	w1, err := c.AddWatch(ctx, p, zk.AddWatchPersistentRecursive)
	require.NoError(t, err)
	w2, err := c.AddWatch(ctx, p, zk.AddWatchPersistent)
	require.NoError(t, err)
	_, _, g2, err := c.GetW(ctx, p)
	require.NoError(t, err)
	_, _, ch2, err := c.ChildrenW(ctx, p)
	require.NoError(t, err)
	require.NoError(t, w2.Remove(ctx))
	mustSet(t, ctx, c, p, "2")
	require.Equal(t, zk.EventNodeDataChanged, recv(t, g2).Type)
	mustCreate(t, ctx, c, p+"/w")
	require.Equal(t, zk.EventNodeChildrenChanged, recv(t, ch2).Type)
	mustSet(t, ctx, c, p, "3")
	mustCreate(t, ctx, c, p+"/x/y")
	wantEvents(t, w1.Events(), ev(zk.EventNodeDataChanged, p), ev(zk.EventNodeCreated, p+"/w"),
		ev(zk.EventNodeDataChanged, p), ev(zk.EventNodeCreated, p+"/x/y"))
	require.NoError(t, w1.Remove(ctx))
}

// RemoveWatches(WatcherData) of one-shots under a persistent watch removes
// them here only: the server's data watch is the persistent one's.
func shareRemoveWatchesData(t *testing.T, _ shareTarget, c *zk.Conn, ctx context.Context, p string) {
	w, g := watchThenGetW(t, ctx, c, p, zk.AddWatchPersistent)
	require.NoError(t, c.RemoveWatches(ctx, p, zk.WatcherData, false))
	require.Equal(t, zk.EventDataWatchRemoved, recv(t, g).Type)
	require.ErrorIs(t, c.RemoveWatches(ctx, p, zk.WatcherData, false), zk.ErrNoWatcher)
	mustSet(t, ctx, c, p, "1")
	mustCreate(t, ctx, c, p+"/x")
	wantEvents(t, w.Events(), ev(zk.EventNodeDataChanged, p), ev(zk.EventNodeChildrenChanged, p))
	requireNoEvent(t, g)
}

// (e) A reconnect between setting the watches and the changes: the
// restore (one-shots before persistent watches, as setWatches2 orders
// them) leaves both working; a change made while disconnected fires the
// one-shot at once.
func shareReconnect(t *testing.T, tg shareTarget, c *zk.Conn, ctx context.Context, p string) {
	w, g := watchThenGetW(t, ctx, c, p, zk.AddWatchPersistent)
	_, _, ch, err := c.ChildrenW(ctx, p)
	require.NoError(t, err)
	tg.drop(t, c)
	setAfterDrop(t, ctx, c, p, "1")
	require.Equal(t, zk.EventNodeDataChanged, recv(t, g).Type)
	mustSet(t, ctx, c, p, "2")
	mustCreate(t, ctx, c, p+"/x")
	require.Equal(t, zk.EventNodeChildrenChanged, recv(t, ch).Type)
	mustCreate(t, ctx, c, p+"/y")
	wantEvents(t, w.Events(), ev(zk.EventNodeDataChanged, p), ev(zk.EventNodeDataChanged, p),
		ev(zk.EventNodeChildrenChanged, p), ev(zk.EventNodeChildrenChanged, p))

	// A one-shot waiting under the persistent watch across a second drop,
	// with a change made by another session while disconnected.
	_, _, g2, err := c.GetW(ctx, p)
	require.NoError(t, err)
	other := dialConn(t, tg.connect)
	tg.drop(t, c)
	setAfterDrop(t, ctx, other, p, "3")
	require.Equal(t, zk.EventNodeDataChanged, recv(t, g2).Type)
	mustSet(t, ctx, c, p, "4")
	mustCreate(t, ctx, c, p+"/z")
	evs := recvUntil(t, w.Events(), ev(zk.EventNodeChildrenChanged, p))
	require.Contains(t, evs, ev(zk.EventNodeDataChanged, p), "the change after the reconnect: %v", evs)
}

// setAfterDrop sets p's data on c, whose connection may just have been
// dropped: a Set written on the old connection fails with
// ErrConnectionLoss and is tried again (an unconditional set may run twice).
func setAfterDrop(t *testing.T, ctx context.Context, c *zk.Conn, p, data string) {
	t.Helper()
	for {
		_, err := c.Set(ctx, p, []byte(data), -1)
		if !errors.Is(err, zk.ErrConnectionLoss) {
			require.NoError(t, err)
			return
		}
	}
}

// recvUntil receives events from ch until one with last's type and path,
// and returns them all (type and path only).
func recvUntil(t *testing.T, ch <-chan zk.Event, last zk.Event) []zk.Event {
	t.Helper()
	var evs []zk.Event
	for {
		e := stripped(recv(t, ch))
		evs = append(evs, e)
		if e == last {
			return evs
		}
	}
}

// (f) The callback forms take the same path through the guard.
func shareCallbacks(t *testing.T, _ shareTarget, c *zk.Conn, ctx context.Context, p string) {
	var mu sync.Mutex
	got := map[string][]zk.Event{}
	rec := func(name string) func(zk.Event) {
		return func(e zk.Event) {
			mu.Lock()
			got[name] = append(got[name], stripped(e))
			mu.Unlock()
		}
	}
	events := func(name string) []zk.Event {
		mu.Lock()
		defer mu.Unlock()
		return append([]zk.Event(nil), got[name]...)
	}
	w, err := c.AddWatchFunc(ctx, p, zk.AddWatchPersistent, rec("persistent"))
	require.NoError(t, err)
	_, _, err = c.ExistsWFunc(ctx, p, rec("exists"))
	require.NoError(t, err)
	mustCreate(t, ctx, c, p)
	_, _, err = c.GetWFunc(ctx, p, rec("get"))
	require.NoError(t, err)
	_, _, err = c.ChildrenWFunc(ctx, p, rec("children"))
	require.NoError(t, err)
	mustSet(t, ctx, c, p, "1")
	mustCreate(t, ctx, c, p+"/x")
	mustSet(t, ctx, c, p, "2")
	mustCreate(t, ctx, c, p+"/y")
	want := []zk.Event{ev(zk.EventNodeCreated, p), ev(zk.EventNodeDataChanged, p), ev(zk.EventNodeChildrenChanged, p),
		ev(zk.EventNodeDataChanged, p), ev(zk.EventNodeChildrenChanged, p)}
	zktest.Eventually(t, func() bool { return len(events("persistent")) >= len(want) }, "persistent callback events")
	require.Equal(t, want, events("persistent"))
	require.Equal(t, []zk.Event{ev(zk.EventNodeCreated, p)}, events("exists"))
	require.Equal(t, []zk.Event{ev(zk.EventNodeDataChanged, p)}, events("get"))
	require.Equal(t, []zk.Event{ev(zk.EventNodeChildrenChanged, p)}, events("children"))
	require.NoError(t, w.Remove(ctx))
}

// stripped keeps an event's type and path (the state and zxid vary).
func stripped(e zk.Event) zk.Event { return zk.Event{Type: e.Type, Path: e.Path} }

// (d) with a change between the removal of the persistent watch on the
// server and the re-registration of the one-shot under it: the session is
// disconnected (and kept from reconnecting) while Remove and then a Set
// are queued, so that the next connection writes them back to back. The
// server removes the path's watches, applies the Set (no watch left to
// fire), and only then reads the SetWatches sent on the removal's reply:
// relative to the removal, it fires the one-shot at once.
func TestWatchShareRemoveGap(t *testing.T) {
	srv := zktest.Embedded(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	p := zktest.UniquePath(t)
	w, g := watchThenGetW(t, ctx, c, p, zk.AddWatchPersistent)

	srv.RejectConnections(time.Minute)
	t.Cleanup(func() { srv.RejectConnections(0) })
	require.True(t, srv.DropSession(c.SessionID()))
	zktest.Eventually(t, func() bool { return c.State() != zk.StateSyncConnected }, "disconnected")
	removed := make(chan error, 1)
	go func() { removed <- w.Remove(ctx) }()
	zktest.Eventually(t, func() bool { return zk.QueuedForTest(c) == 1 }, "removeWatches queued")
	set := c.SetAsync(ctx, p, []byte("gap"), -1)
	require.Equal(t, 2, zk.QueuedForTest(c))
	srv.RejectConnections(0)

	require.NoError(t, <-removed)
	_, err := set.Result()
	require.NoError(t, err)
	require.Equal(t, ev(zk.EventNodeDataChanged, p), stripped(recv(t, g)))
	wantEvents(t, w.Events(), ev(zk.EventNotWatching, p))
}

// A GetW written right behind an AddWatch of the same path, before the
// AddWatch's reply: the addWatch on the wire already covers the read,
// which goes without the watch flag. Both are queued while disconnected,
// so that the next connection writes them back to back.
func TestWatchShareAddWatchInFlight(t *testing.T) {
	srv := zktest.Embedded(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	p := zktest.UniquePath(t)
	mustCreate(t, ctx, c, p)

	srv.RejectConnections(time.Minute)
	t.Cleanup(func() { srv.RejectConnections(0) })
	require.True(t, srv.DropSession(c.SessionID()))
	zktest.Eventually(t, func() bool { return c.State() != zk.StateSyncConnected }, "disconnected")
	type added struct {
		w   *zk.Watcher
		err error
	}
	addc := make(chan added, 1)
	go func() {
		w, err := c.AddWatch(ctx, p, zk.AddWatchPersistent)
		addc <- added{w, err}
	}()
	zktest.Eventually(t, func() bool { return zk.QueuedForTest(c) == 1 }, "addWatch queued")
	getc := make(chan (<-chan zk.Event), 1)
	go func() {
		_, _, g, err := c.GetW(ctx, p)
		assert.NoError(t, err)
		getc <- g
	}()
	zktest.Eventually(t, func() bool { return zk.QueuedForTest(c) == 2 }, "getData queued")
	srv.RejectConnections(0)

	a := <-addc
	require.NoError(t, a.err)
	g := <-getc
	require.NotNil(t, g)
	mustSet(t, ctx, c, p, "1")
	require.Equal(t, zk.EventNodeDataChanged, recv(t, g).Type)
	mustSet(t, ctx, c, p, "2")
	mustCreate(t, ctx, c, p+"/marker")
	wantEvents(t, a.w.Events(), ev(zk.EventNodeDataChanged, p), ev(zk.EventNodeDataChanged, p),
		ev(zk.EventNodeChildrenChanged, p))
}

// A session that ends takes the local one-shots with it as it takes any
// watch: EventNotWatching with the reason, on expiry and on Close.
func TestWatchShareSessionEnd(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := opCtx(t)
	for _, expire := range []bool{true, false} {
		c := dialConn(t, srv.ConnectString())
		p := zktest.UniquePath(t)
		w, g := watchThenGetW(t, ctx, c, p, zk.AddWatchPersistent)
		_, _, ch, err := c.ChildrenW(ctx, p)
		require.NoError(t, err)
		want := zk.ErrClosed
		if expire {
			want = zk.ErrSessionExpired
			require.True(t, srv.ExpireSession(c.SessionID()))
		} else {
			require.NoError(t, c.Close())
		}
		for _, e := range []zk.Event{recv(t, g), recv(t, ch), recv(t, w.Events())} {
			require.Equal(t, zk.EventNotWatching, e.Type, e)
			require.ErrorIs(t, e.Err, want)
		}
		c.Close()
	}
}

// (f) through the Client: its callback forms (under the retry policy) use
// the same Conn guard.
func TestWatchShareClientCallbacks(t *testing.T) {
	srv := zktest.Server(t)
	c := zktest.Connect(t, srv.ConnectString())
	ctx := opCtx(t)
	p := zktest.UniquePath(t)
	_, err := c.Create(ctx, p, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	var pers, get, children zktest.Recorder[zk.Event]
	strip := func(r *zktest.Recorder[zk.Event]) func(zk.Event) {
		return func(e zk.Event) { r.Add(stripped(e)) }
	}
	w, err := c.AddWatchFunc(ctx, p, zk.AddWatchPersistent, strip(&pers))
	require.NoError(t, err)
	_, _, err = c.GetWFunc(ctx, p, strip(&get))
	require.NoError(t, err)
	_, _, err = c.ChildrenWFunc(ctx, p, strip(&children))
	require.NoError(t, err)
	for i := range 2 {
		_, err = c.Set(ctx, p, []byte{byte(i)}, -1)
		require.NoError(t, err)
		_, err = c.Create(ctx, p+"/"+string(rune('a'+i)), nil, zk.ModePersistent, zk.OpenACLUnsafe)
		require.NoError(t, err)
	}
	pers.WaitFor(t, ev(zk.EventNodeDataChanged, p), ev(zk.EventNodeChildrenChanged, p),
		ev(zk.EventNodeDataChanged, p), ev(zk.EventNodeChildrenChanged, p))
	require.Equal(t, []zk.Event{ev(zk.EventNodeDataChanged, p)}, get.Items())
	require.Equal(t, []zk.Event{ev(zk.EventNodeChildrenChanged, p)}, children.Items())
	require.NoError(t, w.Remove(ctx))
}
