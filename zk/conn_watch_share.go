package zk

import (
	"context"

	"github.com/zkcurator/zkcurator/jute"
)

// One-shot and persistent watches of one session on one path.
//
// A server keeps a session's watches in two tables, data (getData and
// exists watches) and child (getChildren watches); addWatch PERSISTENT
// goes in both, PERSISTENT_RECURSIVE in the data table (3.8 puts it in
// the child table too, where it never fires anything of its own). Before
// ZooKeeper 3.9 (ZOOKEEPER-4466) a table holds one watch per path and
// session, with one mode: a one-shot watch set on a path where the same
// session has a persistent watch replaces its mode with the standard
// one, and after the one-shot fires the server drops the entry: the
// persistent watch silently stops (WatchManager.addWatch and
// WatcherModeManager.setWatcherMode in 3.8). 3.9 keeps the modes side by
// side (WatchStats).
//
// The guard, the same on every server version: a one-shot watch that a
// persistent watch of this session covers (same path; PERSISTENT covers
// both tables, PERSISTENT_RECURSIVE the data table) is read without the
// watch flag and registered here only, on the reply as usual; the
// persistent watch's events, which the server sends anyway, fire it as
// the server would have. Covered means registered, or its addWatch
// already written: the writer decides, in the order of the wire
// (written). A recursive watch on an ancestor is another path, and the
// server keeps both (one notification per session and event).
//
// When the persistent watch goes (Watcher.Remove), the server's watches
// on the path are removed (removeWatches, type Any) and what is left here
// (one-shots, other persistent watches) is set again with SetWatches
// relative to the zxid of the removal's reply (resync): a change the
// persistent watch did not report (made after the removal) fires the
// one-shot at once, as on a reconnect. A reconnect restores everything,
// one-shots before persistent watches (setWatches2's order), so that 3.8
// ends with the persistent mode; from the lowest zxid of a resync not yet
// answered (rearms), so that no such change is missed either. (A read's
// reply carries the server's last applied zxid, FinalRequestProcessor's
// lastZxid; every change up to it was notified before the reply, every
// later one is past it.) The price is a possible spurious fire: a one-shot
// set again after a change it already saw may fire for that change, as
// after any reconnect; a recursive watch on an ancestor may then see that
// event twice.
//
// The other order, a one-shot set on the server before a persistent watch
// of its path, is fine on 3.8 (the mode becomes persistent, and the
// persistent watch's events fire the one-shot here) with one exception:
// 3.8 also puts a recursive watch in the child table, where it never
// reports NodeChildrenChanged but replaces a child watch of its path. So
// the child one-shots of a path are set again when a recursive watch on
// it is registered (relative to the addWatch's reply), and a restore sets
// them after the persistent watches, in packets of their own. 3.9 keeps
// the recursive watch out of the child table; the extra SetWatches costs
// nothing there.

// Watch tables of the server, as a mask.
const (
	tableData uint8 = 1 << iota
	tableChild
)

// tableOf returns the server table of a one-shot kind.
func tableOf(k watchKind) uint8 {
	if k == watchChild {
		return tableChild
	}
	return tableData
}

// coveredLocked reports whether a persistent watch of this session,
// registered or with its addWatch written, covers table on spath.
func (r *watchRegistry) coveredLocked(spath string, table uint8) bool {
	if r.persist[0][spath] != nil || r.inflight[0][spath] > 0 {
		return true
	}
	return table == tableData && (r.persist[1][spath] != nil || r.inflight[1][spath] > 0)
}

// written is called by the writer for a request with a watch, before it
// is encoded: an addWatch is counted in flight until its reply, and a
// one-shot read that a persistent watch covers loses its watch flag and
// becomes local.
func (r *watchRegistry) written(w *watchReg, body jute.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case w.watcher != nil:
		k := w.kind - watchPersistent
		if r.inflight[k] == nil {
			r.inflight[k] = make(map[string]int32)
		}
		r.inflight[k][w.spath]++
		w.inflight = true
	case w.oneshot != nil && r.coveredLocked(w.spath, tableOf(w.kind)):
		// GetDataRequest, ExistsRequest and GetChildren2Request.
		if b, ok := body.(*jute.PathWatchRequest); ok {
			b.Watch = false
			w.local = true
		}
	}
}

// settle ends the in-flight count of an addWatch whose reply registers
// nothing (an error, an abandoned call, a frame never sent).
func (r *watchRegistry) settle(w *watchReg) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settleLocked(w)
}

func (r *watchRegistry) settleLocked(w *watchReg) {
	if !w.inflight {
		return
	}
	w.inflight = false
	k := w.kind - watchPersistent
	if r.inflight[k][w.spath]--; r.inflight[k][w.spath] <= 0 {
		delete(r.inflight[k], w.spath)
	}
}

// linkEnded forgets the addWatch requests in flight: the connection ended
// and every request on it failed.
func (r *watchRegistry) linkEnded() {
	r.mu.Lock()
	r.inflight = [2]map[string]int32{}
	r.mu.Unlock()
}

// resyncRequests returns the SetWatches (or SetWatches2) requests that
// set on the server, relative to zxid, the watches registered here on
// spath: the one-shots of the tables in tables and, with persistent, the
// persistent watches (registered or in flight). None when there are none;
// two when a child one-shot must follow a recursive watch (3.8 would
// replace it). Each counts as a rearm until answered or dropped.
func (r *watchRegistry) resyncRequests(ln *link, spath string, zxid int64, tables uint8, persistent bool) []*request {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return nil
	}
	var lists [5][]string
	for i, ok := range [5]bool{
		tables&tableData != 0 && r.oneshot[watchData][spath] != nil,
		tables&tableData != 0 && r.oneshot[watchExist][spath] != nil,
		tables&tableChild != 0 && r.oneshot[watchChild][spath] != nil,
		persistent && (r.persist[0][spath] != nil || r.inflight[0][spath] > 0),
		persistent && (r.persist[1][spath] != nil || r.inflight[1][spath] > 0),
	} {
		if ok {
			lists[i] = []string{spath}
		}
	}
	var childLast []string
	if lists[4] != nil {
		childLast, lists[2] = lists[2], nil
	}
	var reqs []*request
	switch {
	case lists[3] != nil || lists[4] != nil:
		reqs = append(reqs, newRequest(jute.OpSetWatches2, &jute.SetWatches2{RelativeZxid: zxid,
			DataWatches: lists[0], ExistWatches: lists[1], ChildWatches: lists[2],
			PersistentWatches: lists[3], PersistentRecursiveWatches: lists[4]}, nil))
	case lists[0] != nil || lists[1] != nil || lists[2] != nil:
		reqs = append(reqs, newRequest(jute.OpSetWatches, &jute.SetWatches{RelativeZxid: zxid,
			DataWatches: lists[0], ExistWatches: lists[1], ChildWatches: lists[2]}, nil))
	}
	if childLast != nil {
		reqs = append(reqs, newRequest(jute.OpSetWatches, &jute.SetWatches{RelativeZxid: zxid, ChildWatches: childLast}, nil))
	}
	if len(reqs) > 0 && r.rearms == nil {
		r.rearms = make(map[*watchReg]int64)
	}
	for _, req := range reqs {
		req.internal = true
		req.watch = &watchReg{spath: spath, rearm: ln}
		r.rearms[req.watch] = zxid
	}
	return reqs
}

// rearmDone forgets the resync of w (answered, or dropped unsent).
func (r *watchRegistry) rearmDone(w *watchReg) {
	r.mu.Lock()
	delete(r.rearms, w)
	r.mu.Unlock()
}

// restoreZxidLocked returns the zxid a reconnect restores the watches
// from: the session's last zxid, or the lowest of a resync not answered,
// whose changes the lost connection may not have reported. The resyncs
// are forgotten: the restore covers them.
func (r *watchRegistry) restoreZxidLocked(last int64) int64 {
	for _, z := range r.rearms {
		last = min(last, z)
	}
	clear(r.rearms)
	return last
}

// resync queues the request that sets again on the server what is
// registered here on spath (see resyncRequests), relative to zxid: after a
// removeWatches that took the server's watches of the path, or for a
// local one-shot that lost the persistent watch covering it before it was
// registered. Called by the reader.
func (c *Conn) resync(ln *link, spath string, zxid int64, tables uint8, persistent bool) {
	reqs := c.watches.resyncRequests(ln, spath, zxid, tables, persistent)
	if len(reqs) == 0 {
		return
	}
	if err := c.out.pushAll(reqs); err != nil {
		for _, req := range reqs {
			c.watches.rearmDone(req.watch) // the session ended: nothing to restore
		}
	}
}

// removeWatchesResync sends removeWatches (type Any) for a server path;
// its reply (whatever it says, even to a caller gone) sets again what is
// left here on the path (see resync).
func (c *Conn) removeWatchesResync(ctx context.Context, spath string) error {
	body := &jute.RemoveWatchesRequest{Path: spath, Type: int32(WatcherAny)}
	r := newRequest(jute.OpRemoveWatches, body, nil)
	r.watch = &watchReg{spath: spath, resync: true}
	return c.do(ctx, r)
}

// covers reports whether a persistent watch on spath covers every table
// of typ (never for WatcherAny): RemoveWatches of typ is then local only.
func (r *watchRegistry) covers(spath string, typ WatcherType) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch typ {
	case WatcherData:
		return r.coveredLocked(spath, tableData)
	case WatcherChildren:
		return r.coveredLocked(spath, tableChild)
	}
	return false
}
