package zk

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

func TestSetWatchesBatching(t *testing.T) {
	r := newWatchRegistry()
	want := map[string]bool{}
	for i := 0; i < 3000; i++ {
		p := fmt.Sprintf("/%s/%05d", strings.Repeat("x", 90), i)
		want[p] = true
		kind := watchKind(i % 3)
		r.add(&watchReg{kind: kind, spath: p, oneshot: &oneShot{ch: make(chan Event, 1)}}, kind)
	}
	reqs, _ := r.setWatchesRequests(7)
	require.Greater(t, len(reqs), 2, "300 KB of paths need several packets")
	seen := map[string]bool{}
	for i, req := range reqs {
		require.Equal(t, jute.OpSetWatches, req.opcode)
		require.Equal(t, jute.XidSetWatches, req.xid)
		sw := req.body.(*jute.SetWatches)
		require.Equal(t, int64(7), sw.RelativeZxid)
		size := 0
		for _, l := range [][]string{sw.DataWatches, sw.ExistWatches, sw.ChildWatches} {
			for _, p := range l {
				require.False(t, seen[p], "path %s sent twice", p)
				seen[p] = true
				size += len(p)
			}
		}
		require.LessOrEqual(t, size, jute.SetWatchesMaxBytes)
		frame := appendFrame(nil, req.xid, req.opcode, req.body)
		require.LessOrEqual(t, len(frame), jute.SetWatchesMaxBytes, "the whole frame, not just its paths")
		if i < len(reqs)-1 {
			require.Greater(t, len(frame), jute.SetWatchesMaxBytes*9/10, "packets but the last are filled")
		}
	}
	require.Equal(t, want, seen)

	// A persistent watch switches to SetWatches2.
	w := &Watcher{spath: "/p", mode: AddWatchPersistentRecursive}
	r.add(&watchReg{kind: watchRecursive, spath: "/p", watcher: w}, watchRecursive)
	reqs, _ = r.setWatchesRequests(8)
	require.Equal(t, jute.OpSetWatches2, reqs[0].opcode)
	found := false
	for _, req := range reqs {
		sw := req.body.(*jute.SetWatches2)
		for _, p := range sw.PersistentRecursiveWatches {
			found = found || p == "/p"
		}
	}
	require.True(t, found)
}

func TestWatchRouting(t *testing.T) {
	r := newWatchRegistry()
	reg := func(kind watchKind, p string) *oneShot {
		o := &oneShot{ch: make(chan Event, 1)}
		r.add(&watchReg{kind: kind, spath: p, oneshot: o}, kind)
		return o
	}
	data, exist, child := reg(watchData, "/a"), reg(watchExist, "/a"), reg(watchChild, "/a")
	rootRec := &Watcher{spath: "/", mode: AddWatchPersistentRecursive}
	r.add(&watchReg{kind: watchRecursive, spath: "/", watcher: rootRec}, watchRecursive)
	pers := &Watcher{spath: "/a", mode: AddWatchPersistent}
	r.add(&watchReg{kind: watchPersistent, spath: "/a", watcher: pers}, watchPersistent)

	os, ws := r.route(EventNodeChildrenChanged, "/a")
	require.Equal(t, []*oneShot{child}, os)
	require.Equal(t, []*Watcher{pers}, ws, "recursive watches never see NodeChildrenChanged")
	os, ws = r.route(EventNodeDataChanged, "/a")
	require.ElementsMatch(t, []*oneShot{data, exist}, os)
	require.ElementsMatch(t, []*Watcher{pers, rootRec}, ws)
	os, _ = r.route(EventNodeDataChanged, "/a")
	require.Empty(t, os, "one-shot watches fire once")
	_, ws = r.route(EventNodeDeleted, "/a/b/c")
	require.Equal(t, []*Watcher{rootRec}, ws)

	pers2 := &Watcher{spath: "/a", mode: AddWatchPersistent}
	r.add(&watchReg{kind: watchPersistent, spath: "/a", watcher: pers2}, watchPersistent)
	found, server := r.removeWatcher(pers)
	require.True(t, found)
	require.False(t, server, "another persistent watch of the mode keeps the server's watch")
	found, server = r.removeWatcher(pers2)
	require.True(t, found)
	require.True(t, server, "the last of its mode: the server's watches of the path change")
	found, _ = r.removeWatcher(pers)
	require.False(t, found)
}

func TestNextXidWraps(t *testing.T) {
	c := &Conn{xid: 1<<31 - 2}
	require.Equal(t, int32(1<<31-2), c.nextXid())
	require.Equal(t, int32(1<<31-1), c.nextXid())
	require.Equal(t, int32(1), c.nextXid())
	require.Equal(t, int32(2), c.nextXid())
}

// A reply read after the session ended (die drained the registry) must
// not register a watch that nothing would ever end.
func TestWatchRegistryRefusesAddAfterDrain(t *testing.T) {
	r := newWatchRegistry()
	added, _ := r.add(&watchReg{kind: watchData, spath: "/a", oneshot: &oneShot{ch: make(chan Event, 1)}}, watchData)
	require.True(t, added)
	os, _, _ := r.drain()
	require.Len(t, os, 1)
	added, _ = r.add(&watchReg{kind: watchData, spath: "/b", oneshot: &oneShot{ch: make(chan Event, 1)}}, watchData)
	require.False(t, added)
	added, _ = r.add(&watchReg{kind: watchPersistent, spath: "/b", watcher: &Watcher{}}, watchPersistent)
	require.False(t, added)
	os, _, ws := r.drain()
	require.Empty(t, os)
	require.Empty(t, ws)
	reqs, dropped := r.setWatchesRequests(0)
	require.Empty(t, reqs)
	require.Empty(t, dropped)
}

// After the server refused setWatches2, restoring uses setWatches for the
// one-shot watches and hands back the persistent watchers to end; a
// persistent watch registered later (a server that has them) restores v2.
func TestSetWatchesAfterV2Refused(t *testing.T) {
	r := newWatchRegistry()
	r.add(&watchReg{kind: watchData, spath: "/d", oneshot: &oneShot{ch: make(chan Event, 1)}}, watchData)
	w := &Watcher{spath: "/p", mode: AddWatchPersistent}
	r.add(&watchReg{kind: watchPersistent, spath: "/p", watcher: w}, watchPersistent)
	reqs, dropped := r.setWatchesRequests(1)
	require.Equal(t, jute.OpSetWatches2, reqs[0].opcode)
	require.Empty(t, dropped)

	r.refuseV2()
	reqs, dropped = r.setWatchesRequests(1)
	require.Len(t, reqs, 1)
	require.Equal(t, jute.OpSetWatches, reqs[0].opcode)
	require.Equal(t, []string{"/d"}, reqs[0].body.(*jute.SetWatches).DataWatches)
	require.Equal(t, []*Watcher{w}, dropped)

	w2 := &Watcher{spath: "/q", mode: AddWatchPersistentRecursive}
	r.add(&watchReg{kind: watchRecursive, spath: "/q", watcher: w2}, watchRecursive)
	reqs, dropped = r.setWatchesRequests(1)
	require.Equal(t, jute.OpSetWatches2, reqs[0].opcode)
	require.Empty(t, dropped)
}

func TestOneShotListKeepsRegistrationOrder(t *testing.T) {
	r := newWatchRegistry()
	var want []*oneShot
	for range 3 {
		o := &oneShot{ch: make(chan Event, 1)}
		r.add(&watchReg{kind: watchData, spath: "/x", oneshot: o}, watchData)
		want = append(want, o)
	}
	other := &oneShot{ch: make(chan Event, 1)}
	r.add(&watchReg{kind: watchData, spath: "/y", oneshot: other}, watchData)
	os, _ := r.route(EventNodeDataChanged, "/x")
	require.Equal(t, want, os, "every watch on the path fires, oldest first")
	require.Nil(t, r.oneshot[watchData]["/x"])
	require.Equal(t, other, r.oneshot[watchData]["/y"])
	data, _, _ := r.removeLocal("/y", WatcherAny)
	require.Equal(t, []*oneShot{other}, data)
	os, _, _ = r.drain()
	require.Empty(t, os)
}

// Issue #15's per-watch target: a one-shot entry is 24 bytes (a size class
// of its own: no path, no channel beyond the caller's), and a Watcher of
// the callback form fits the 80-byte class (its channel and queue are in a
// separate watchPump only the channel form has).
func TestWatchEntrySizes(t *testing.T) {
	require.Equal(t, uintptr(24), unsafe.Sizeof(oneShot{}))
	require.LessOrEqual(t, unsafe.Sizeof(Watcher{}), uintptr(80))
	w := newWatcher(nil, "/a", "/a", AddWatchPersistent, func(Event) {})
	require.Nil(t, w.watchPump)
	require.Nil(t, w.Events())
}
