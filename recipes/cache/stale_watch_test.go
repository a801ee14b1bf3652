package cache

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/zk"
)

// A one-shot read issued before its node was deleted, but run by the server
// only after the node was re-created and given a child, is dropped (it may
// show the deleted node) — yet the watch it set is kept, and it counts as
// the path's watch, so the new incarnation's own listing was sent without
// one. If that listing ran before the child was created, nothing reported
// the child: the dropped read saw it, and its watch was set after it. The
// loop must read the path again when it drops a read whose watch it keeps.
//
// This drives the loop's handlers directly in the order the race produces
// (TestTreeCacheMissingRoot/one-shot missed "NodeCreated <root>/b" that
// way under load: the root deleted with a listing in flight, re-created
// with a child).
func TestOneShotDroppedReadWithWatchReadsAgain(t *testing.T) {
	e, next, watch := newOneShotLoop(t)

	// The root, first incarnation (czxid 5), and its listing L1 sent.
	e.enqueue(oneShotRoot, readData, false)
	r := next(readData)
	e.onResult(msgResult{r: r, st: zkStat(5, 5, 0), w: watch(r), chKind: watchData})
	l1 := next(readChildren)
	require.True(t, l1.watch)

	// The root is deleted (its data watch fires) while L1 is in flight.
	e.onOneShot(watchReg{path: oneShotRoot, kind: watchData, epoch: e.oneshot.epoch}, zk.Event{Type: zk.EventNodeDeleted, Path: oneShotRoot})
	_, cached := e.st.get(oneShotRoot)
	require.False(t, cached)

	// Re-created (czxid 10): read, and listed (L2) without a watch, as L1
	// counts as the root's child watch. L2 runs before the child exists.
	r = next(readData)
	e.onResult(msgResult{r: r, st: zkStat(10, 10, 0), w: watch(r), chKind: watchData})
	l2 := next(readChildren)
	require.False(t, l2.watch)
	e.onResult(msgResult{r: l2, st: zkStat(10, 10, 0), names: []string{}})

	// The child is made (pzxid 11); then L1 runs: it lists it and sets its
	// watch on the new root. Issued before the NodeDeleted, it is dropped.
	e.onResult(msgResult{r: l1, st: zkStat(10, 11, 1), names: []string{"b"}, w: watch(l1), chKind: watchChild})

	// The root is read again and the child found.
	l3 := next(readChildren)
	e.onResult(msgResult{r: l3, st: zkStat(10, 11, 1), names: []string{"b"}})
	rb, ok := e.todo.Pop()
	require.True(t, ok)
	require.Equal(t, oneShotRoot+"/b", rb.path)
	e.inflight++
	e.onResult(msgResult{r: rb, st: zkStat(11, 11, 0), w: watch(rb), chKind: watchData})
	_, cached = e.st.get(oneShotRoot + "/b")
	require.True(t, cached, "the child is cached")
}

// The same race seen from the other side: the listing of the first
// incarnation ran before the delete, but the loop applies it (and arms its
// watch) only after the re-created root is cached. The watch's NodeDeleted,
// held until then, is about the first incarnation: it must not delete the
// second from the cache (a NodeDeleted and NodeCreated of the root for
// nothing), only leave the root without a child watch to be set again.
func TestOneShotOldIncarnationDeleteKeepsNewNode(t *testing.T) {
	e, next, watch := newOneShotLoop(t)
	var events []string
	e.disp.Listen(func(ev Event) { events = append(events, ev.String()) })

	e.enqueue(oneShotRoot, readData, false)
	r := next(readData)
	e.onResult(msgResult{r: r, st: zkStat(5, 5, 0), w: watch(r), chKind: watchData})
	l1 := next(readChildren)
	w1 := watch(l1)

	// L1 runs (its watch is on the first incarnation); the root is deleted:
	// L1's watch fires before the loop has armed it (held), the data watch
	// reaches the loop.
	w1.fire(zk.Event{Type: zk.EventNodeDeleted, Path: oneShotRoot})
	e.onOneShot(watchReg{path: oneShotRoot, kind: watchData, epoch: e.oneshot.epoch}, zk.Event{Type: zk.EventNodeDeleted, Path: oneShotRoot})

	// Re-created (czxid 10), read and listed before L1's result is applied.
	r = next(readData)
	e.onResult(msgResult{r: r, st: zkStat(10, 10, 0), w: watch(r), chKind: watchData})
	l2 := next(readChildren)
	e.onResult(msgResult{r: l2, st: zkStat(10, 10, 0), names: []string{}})

	// L1's result: dropped; arming its watch hands the held NodeDeleted on.
	e.onResult(msgResult{r: l1, st: zkStat(5, 5, 0), names: []string{}, w: w1, chKind: watchChild})
	msg, ok, _ := e.inbox.TryPop()
	require.True(t, ok, "the held event is delivered")
	os := msg.(msgOneShot)
	e.onOneShot(os.reg, os.ev)

	_, cached := e.st.get(oneShotRoot)
	require.True(t, cached, "the re-created root stays cached")
	var watched bool
	for {
		r, ok := e.todo.Pop()
		if !ok {
			break
		}
		watched = watched || (r.kind == readChildren && r.watch)
	}
	require.True(t, watched, "the root's children are read with a watch again")
	e.disp.Close()
	require.Equal(t, 1, strings.Count(strings.Join(events, "\n"), "NodeDeleted "+oneShotRoot), "events %q", events)
}

// oneShotRoot is the root of the engines newOneShotLoop makes.
const oneShotRoot = "/r"

// newOneShotLoop returns an engine in one-shot mode, primed, whose loop
// handlers a test calls itself (no client: reads are popped from the queue
// and answered by the test), with next (pop the next read, of the root and
// of kind) and watch (the watch a read sets, nil when it sets none).
func newOneShotLoop(t *testing.T) (e *engine, next func(readKind) readReq, watch func(readReq) *oneShotWatch) {
	t.Helper()
	cfg, err := newConfig([]Option{WithWatchMode(WatchOneShot)})
	require.NoError(t, err)
	e = newEngine(nil, oneShotRoot, cfg, false)
	t.Cleanup(func() {
		e.cancel()
		e.disp.Close()
	})
	e.setMode(WatchOneShot)
	e.initialized, e.confirmed = true, nil
	next = func(kind readKind) readReq {
		t.Helper()
		r, ok := e.todo.Pop()
		require.True(t, ok, "a read is queued")
		require.Equal(t, oneShotRoot, r.path)
		require.Equal(t, kind, r.kind)
		e.inflight++
		return r
	}
	watch = func(r readReq) *oneShotWatch {
		if !r.watch {
			return nil
		}
		return &oneShotWatch{sink: e.oneshot.sink}
	}
	return e, next, watch
}

// zkStat is a read's Stat: czxid (also the mzxid), pzxid and the number of
// children.
func zkStat(czxid, pzxid int64, kids int32) *zk.Stat {
	return &zk.Stat{Czxid: czxid, Mzxid: czxid, Pzxid: pzxid, NumChildren: kids}
}
