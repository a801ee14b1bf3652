package zk

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

// oneShotReg is the watchReg of a one-shot read of kind on spath, and its
// request body (the watch flag set, as the Conn sends it).
func oneShotReg(kind watchKind, spath string) (*watchReg, *jute.PathWatchRequest) {
	return &watchReg{kind: kind, spath: spath, oneshot: &oneShot{ch: make(chan Event, 1)}},
		&jute.PathWatchRequest{Path: spath, Watch: true}
}

// What a persistent watch covers: PERSISTENT both tables, RECURSIVE the
// data table of its own path only; an addWatch written and not answered
// covers as if registered, and stops covering when settled.
func TestWatchShareCoverage(t *testing.T) {
	r := newWatchRegistry()
	pw := &watchReg{kind: watchRecursive, spath: "/r", watcher: &Watcher{spath: "/r", mode: AddWatchPersistentRecursive}}
	r.written(pw, nil)
	for _, tc := range []struct {
		kind  watchKind
		spath string
		local bool
	}{
		{watchData, "/r", true},
		{watchChild, "/r", false}, // a recursive watch has no child events of its own path
		{watchData, "/r/a", false},
		{watchData, "/", false},
	} {
		w, body := oneShotReg(tc.kind, tc.spath)
		r.written(w, body)
		require.Equal(t, tc.local, w.local, "%v on %s", tc.kind, tc.spath)
		require.Equal(t, !tc.local, body.Watch, "%v on %s", tc.kind, tc.spath)
	}
	r.settle(pw) // the addWatch failed
	w, body := oneShotReg(watchData, "/r")
	r.written(w, body)
	require.False(t, w.local)
	require.True(t, body.Watch)
	require.Empty(t, r.inflight[1], "settled: nothing in flight")

	// A registered PERSISTENT watch covers both tables.
	added, _ := r.add(&watchReg{kind: watchPersistent, spath: "/p", watcher: &Watcher{spath: "/p", mode: AddWatchPersistent}}, watchPersistent)
	require.True(t, added)
	for _, k := range []watchKind{watchData, watchChild} {
		w, body := oneShotReg(k, "/p")
		r.written(w, body)
		require.True(t, w.local)
		require.False(t, body.Watch)
	}
	require.True(t, r.covers("/p", WatcherData))
	require.True(t, r.covers("/p", WatcherChildren))
	require.False(t, r.covers("/p", WatcherAny))
}

// A local one-shot registered after the persistent watch covering it went
// reports uncovered (the reader then sets it on the server); registered
// while covered it does not.
func TestWatchShareUncoveredOnReply(t *testing.T) {
	r := newWatchRegistry()
	w0 := &Watcher{spath: "/p", mode: AddWatchPersistent}
	r.add(&watchReg{kind: watchPersistent, spath: "/p", watcher: w0}, watchPersistent)
	covered, body := oneShotReg(watchData, "/p")
	r.written(covered, body)
	gone, body := oneShotReg(watchChild, "/p")
	r.written(gone, body)
	require.True(t, covered.local)
	require.True(t, gone.local)

	added, resync := r.add(covered, watchData)
	require.True(t, added)
	require.Zero(t, resync)
	found, server := r.removeWatcher(w0)
	require.True(t, found)
	require.True(t, server)
	added, resync = r.add(gone, watchChild)
	require.True(t, added)
	require.Equal(t, tableChild, resync)

	// The resync of the child table sets the child one-shot only.
	reqs := r.resyncRequests(nil, "/p", 42, tableChild, false)
	require.Len(t, reqs, 1)
	req := reqs[0]
	require.Equal(t, jute.OpSetWatches, req.opcode)
	require.Equal(t, &jute.SetWatches{RelativeZxid: 42, ChildWatches: []string{"/p"}}, req.body)
	require.True(t, req.internal)
}

// The resync after a removal sets every watch left on the path, one-shots
// before persistent ones (setWatches2's order, which 3.8 needs to end in
// the persistent mode), persistent watches in flight included; a reconnect
// before its reply restores from its zxid, not the session's last.
func TestWatchShareResyncAndRestoreZxid(t *testing.T) {
	r := newWatchRegistry()
	require.Empty(t, r.resyncRequests(nil, "/p", 5, tableData|tableChild, true), "nothing left: no request")
	for _, k := range []watchKind{watchData, watchExist, watchChild} {
		w, _ := oneShotReg(k, "/p")
		r.add(w, k)
	}
	rec := &watchReg{kind: watchRecursive, spath: "/p", watcher: &Watcher{spath: "/p", mode: AddWatchPersistentRecursive}}
	r.written(rec, nil)
	reqs := r.resyncRequests(nil, "/p", 5, tableData|tableChild, true)
	require.Len(t, reqs, 2)
	require.Equal(t, jute.OpSetWatches2, reqs[0].opcode)
	require.Equal(t, &jute.SetWatches2{RelativeZxid: 5, DataWatches: []string{"/p"}, ExistWatches: []string{"/p"},
		PersistentRecursiveWatches: []string{"/p"}}, reqs[0].body)
	require.Equal(t, &jute.SetWatches{RelativeZxid: 5, ChildWatches: []string{"/p"}}, reqs[1].body,
		"the child one-shot after the recursive watch")
	for _, req := range reqs {
		r.rearmDone(req.watch)
	}
	require.Len(t, r.resyncRequests(nil, "/p", 5, tableData|tableChild, true), 2, "left unanswered")
	reqs, _ = r.setWatchesRequests(100)
	require.Equal(t, int64(5), reqs[0].body.(*jute.SetWatches).RelativeZxid, "from the unanswered resync's zxid")
	reqs, _ = r.setWatchesRequests(100)
	require.Equal(t, int64(100), reqs[0].body.(*jute.SetWatches).RelativeZxid, "the restore covered it")

	reqs = r.resyncRequests(nil, "/p", 7, tableData, false)
	require.Len(t, reqs, 1)
	r.rearmDone(reqs[0].watch)
	reqs, _ = r.setWatchesRequests(100)
	require.Equal(t, int64(100), reqs[0].body.(*jute.SetWatches).RelativeZxid, "answered: no effect on a restore")
}

// The restore sets child one-shots on the path of a recursive watch after
// the persistent watches, in a packet of their own (3.8's recursive watch
// would replace them in the child table); the rest before.
func TestWatchShareRestoreOrder(t *testing.T) {
	r := newWatchRegistry()
	for _, p := range []string{"/r", "/o"} {
		for _, k := range []watchKind{watchData, watchChild} {
			w, _ := oneShotReg(k, p)
			r.add(w, k)
		}
	}
	r.add(&watchReg{kind: watchRecursive, spath: "/r", watcher: &Watcher{spath: "/r", mode: AddWatchPersistentRecursive}}, watchRecursive)
	r.add(&watchReg{kind: watchPersistent, spath: "/o", watcher: &Watcher{spath: "/o", mode: AddWatchPersistent}}, watchPersistent)
	reqs, _ := r.setWatchesRequests(9)
	require.Len(t, reqs, 2)
	var bodies []*jute.SetWatches2
	for _, req := range reqs {
		require.Equal(t, jute.OpSetWatches2, req.opcode)
		bodies = append(bodies, req.body.(*jute.SetWatches2))
	}
	require.ElementsMatch(t, []string{"/r", "/o"}, bodies[0].DataWatches)
	require.Equal(t, []string{"/o"}, bodies[0].ChildWatches)
	require.Equal(t, []string{"/o"}, bodies[0].PersistentWatches)
	require.Equal(t, []string{"/r"}, bodies[0].PersistentRecursiveWatches)
	require.Equal(t, &jute.SetWatches2{RelativeZxid: 9, ChildWatches: []string{"/r"}}, bodies[1])
}
