package cache

import (
	"slices"

	"github.com/zkcurator/zkcurator/zk"
)

// This file turns read results and watch events into cache changes and
// events. All of it runs on the loop goroutine, the store's only writer.
// The rules that keep it exact:
//
//   - A node's incarnation is its Czxid: a higher one replaces the cached
//     node (NodeDeleted, then NodeCreated, descendants of the old one
//     deleted first); a lower one is an older read and is dropped.
//   - Within an incarnation Mzxid orders data: only a higher one is applied
//     (NodeChanged). Pzxid orders the children fields the same way.
//   - A read sent before a NodeDeleted event for its path is dropped; a
//     "no node" answer sent before any event for its path is ignored (the
//     event's own read decides).
//   - A cached child absent from a children list (or from a parent whose
//     Stat has no children) is deleted only if its Czxid is at most the
//     list's Pzxid: a child created after the list was taken is newer.

// noteEvent records a watch event for path against the reads in flight.
func (e *engine) noteEvent(path string, deleted bool) {
	e.seq++
	if ps := e.pending[path]; ps != nil {
		ps.lastEvent = e.seq
		if deleted {
			ps.lastDelete = e.seq
		}
	}
}

// onWatchEvent handles an event of the persistent watch.
func (e *engine) onWatchEvent(ev zk.Event) {
	switch ev.Type {
	case zk.EventNodeCreated, zk.EventNodeDataChanged, zk.EventNodeDeleted:
	default:
		return // NodeChildrenChanged (depth 0 needs none), NotWatching (the channel closes next)
	}
	if !e.inScope(ev.Path) {
		return
	}
	deleted := ev.Type == zk.EventNodeDeleted
	e.noteEvent(ev.Path, deleted)
	if deleted {
		delete(e.orphans, ev.Path)
		e.deletePath(ev.Path)
		return
	}
	e.enqueue(ev.Path, readData, false)
}

// onOneShot handles the event of a one-shot watch (fallback mode).
func (e *engine) onOneShot(reg watchReg, ev zk.Event) {
	if reg.epoch != e.oneshot.epoch {
		return // a watch of an older session; the resync re-armed its path
	}
	if reg.kind == watchChild {
		decr(e.oneshot.childW, reg.path)
	} else {
		decr(e.oneshot.dataW, reg.path)
	}
	if !e.inScope(reg.path) {
		return
	}
	switch ev.Type {
	case zk.EventNodeCreated, zk.EventNodeDataChanged:
		e.noteEvent(reg.path, false)
		e.enqueue(reg.path, readData, false)
	case zk.EventNodeDeleted:
		if reg.kind == watchChild && e.st.nodes[reg.path] == nil {
			return // the data watch's copy of this event came first
		}
		if n := e.st.nodes[reg.path]; n != nil && reg.czxid != 0 && n.st.czxid > reg.czxid {
			// The delete of an older incarnation (a watch whose read was
			// applied late), which the cache has replaced already: keep the
			// cached one, and watch it again (this was its watch).
			kind := readData
			if reg.kind == watchChild {
				kind = readChildren
			}
			e.enqueue(reg.path, kind, false)
			return
		}
		e.noteEvent(reg.path, true)
		delete(e.orphans, reg.path)
		e.deletePath(reg.path)
		// Read it again: the root for an exist watch on its re-creation; a
		// child because a listing of its parent taken before this event
		// may have shown a re-created node under the name we still had
		// cached, and re-armed the parent's child watch past its creation.
		if e.attached(reg.path) {
			e.enqueue(reg.path, readData, false)
		}
	case zk.EventNodeChildrenChanged:
		if e.st.nodes[reg.path] != nil && !e.atMaxDepth(reg.path) {
			e.enqueue(reg.path, readChildren, false)
		}
	}
}

// attached reports whether path would be cached if it exists: the root, or
// a node whose parent is cached.
func (e *engine) attached(path string) bool {
	return path == e.root || e.st.nodes[zk.ParentPath(path)] != nil
}

// deletePath removes path and its subtree from the cache.
func (e *engine) deletePath(path string) {
	e.locked(func() {
		if n := e.st.nodes[path]; n != nil {
			e.removeSubtree(n)
		}
	})
}

// locked runs f with the store locked for writing, then publishes the
// node events f emitted, in order, once the lock is released.
func (e *engine) locked(f func()) {
	e.st.mu.Lock()
	defer e.flush()
	defer e.st.mu.Unlock()
	f()
}

// removeSubtree removes n and its descendants, children first, with a
// NodeDeleted for each. Caller holds st.mu.
func (e *engine) removeSubtree(n *node) {
	postorder(n, func(c *node) {
		e.emit(NodeDeleted, c)
		e.st.unlink(c)
	})
	e.emit(NodeDeleted, n)
	e.st.unlink(n)
}

// pruneKids removes n's children that are not in keep (nil: none are
// kept) and were created at or before pzxid. Caller holds st.mu.
func (e *engine) pruneKids(n *node, keep map[string]struct{}, pzxid int64) {
	for c := n.first; c != nil; {
		next := c.next
		if c.st.czxid <= pzxid {
			if _, ok := keep[c.path]; !ok {
				e.removeSubtree(c)
			}
		}
		c = next
	}
}

// dataAction is what a data read does to the cache: classifyData decides
// it from the cached node and the read alone, applyDataLocked carries it
// out.
type dataAction uint8

const (
	dataUnconfirmed      dataAction = iota // the parent may be a stale incarnation: drop (the sweep reads it again)
	dataOrphan                             // no parent cached: read again once it is
	dataOldParent                          // a child of an older incarnation of the cached parent: drop
	dataCreate                             // not cached: insert it (NodeCreated)
	dataRecreate                           // a newer incarnation: replace it and drop its children
	dataOlderIncarnation                   // an older read: the cached incarnation is newer
	dataNewer                              // newer data of the cached incarnation (NodeChanged)
	dataSame                               // the cached data version: newer children fields only
	dataOlder                              // older data of the cached incarnation: nothing to change
)

// dataInput is what classifyData looks at.
type dataInput struct {
	isRoot bool
	read   stat  // the read's Stat
	cached *stat // the cached node's, nil when not cached
	parent *stat // the cached parent's, nil when not cached (or isRoot)
	// unconfirmedParent: events may have been missed since the parent was
	// last read in this connection generation.
	unconfirmedParent bool
}

// classifyData decides what a data read does; it changes nothing.
func classifyData(in dataInput) dataAction {
	n, st := in.cached, in.read
	newIncarnation := n == nil || st.czxid > n.czxid
	switch {
	case !in.isRoot && newIncarnation && in.unconfirmedParent:
		return dataUnconfirmed
	case n == nil && !in.isRoot && in.parent == nil:
		return dataOrphan
	case n == nil && !in.isRoot && st.czxid < in.parent.czxid:
		return dataOldParent
	case n == nil:
		return dataCreate
	case st.czxid > n.czxid:
		return dataRecreate
	case st.czxid < n.czxid:
		return dataOlderIncarnation
	case st.mzxid > n.mzxid:
		return dataNewer
	case st.mzxid == n.mzxid:
		return dataSame
	}
	return dataOlder
}

// applyData applies a getData (or exists) result for r.path.
func (e *engine) applyData(r readReq, data []byte, zs *zk.Stat) {
	path := r.path
	if !e.inScope(path) {
		return
	}
	st := compact(zs)
	if e.cfg.noData {
		data = nil
	}
	var act dataAction
	list := false
	e.locked(func() { act, list = e.applyDataLocked(r, data, st) })
	switch act {
	case dataUnconfirmed, dataOldParent:
		return
	case dataOrphan:
		e.orphan(path)
		return
	}
	if list {
		e.enqueue(path, readChildren, r.sweep)
	}
	fresh := act == dataCreate || act == dataRecreate
	if kids, ok := e.orphans[path]; ok && fresh {
		delete(e.orphans, path)
		for _, k := range kids {
			e.enqueue(k, readData, false)
		}
	}
}

// applyDataLocked classifies a data read of r.path and applies it to the
// store, emitting the node events. list reports that the node's children
// must be read. Caller holds st.mu.
func (e *engine) applyDataLocked(r readReq, data []byte, st stat) (act dataAction, list bool) {
	path := r.path
	in := dataInput{isRoot: path == e.root, read: st}
	n := e.st.nodes[path]
	if n != nil {
		in.cached = &n.st
	}
	var parent *node
	if !in.isRoot {
		pp := zk.ParentPath(path)
		if parent = e.st.nodes[pp]; parent != nil {
			in.parent = &parent.st
		}
		if e.unverified() {
			_, ok := e.confirmed[pp]
			in.unconfirmedParent = !ok
		}
	}
	act = classifyData(in)
	switch act {
	case dataUnconfirmed, dataOrphan, dataOldParent:
		return act, false
	case dataCreate:
		n = e.st.insert(parent, path, data, st)
		e.emit(NodeCreated, n)
	case dataRecreate:
		// Deleted and re-created since it was cached: so were its
		// children (any of the new incarnation are listed again).
		for c := n.first; c != nil; {
			next := c.next
			e.removeSubtree(c)
			c = next
		}
		e.emit(NodeDeleted, n)
		n.data, n.st = data, st
		e.emit(NodeCreated, n)
	case dataOlderIncarnation:
		e.confirm(r, path)
		return act, r.sweep && !e.atMaxDepth(path)
	case dataNewer:
		if n.st.pzxid > st.pzxid {
			st.pzxid, st.cversion, st.nchildren = n.st.pzxid, n.st.cversion, n.st.nchildren
		}
		st.aversion = max(st.aversion, n.st.aversion)
		n.data, n.st = data, st
		e.emit(NodeChanged, n)
	case dataSame:
		if st.pzxid > n.st.pzxid {
			n.st.pzxid, n.st.cversion, n.st.nchildren = st.pzxid, st.cversion, st.nchildren
		}
		n.st.aversion = max(st.aversion, n.st.aversion)
	}
	e.confirm(r, path)
	if e.atMaxDepth(path) {
		return act, false
	}
	if st.nchildren == 0 {
		e.pruneKids(n, nil, st.pzxid)
	}
	fresh := act == dataCreate || act == dataRecreate
	if e.mode == WatchOneShot {
		return act, fresh || r.sweep || e.oneshot.childW[path] == 0
	}
	return act, st.nchildren > 0 && (fresh || r.sweep)
}

// confirm notes that path's cached incarnation is current if r was issued
// in this connection generation.
func (e *engine) confirm(r readReq, path string) {
	if e.unverified() && r.gen == e.gen {
		e.confirmed[path] = struct{}{}
	}
}

// orphan handles a node read before its parent is cached: it is read
// again once the parent is, and the parent is read unless it is being
// read already.
func (e *engine) orphan(path string) {
	pp := zk.ParentPath(path)
	if !e.inScope(pp) {
		return
	}
	if kids := e.orphans[pp]; !slices.Contains(kids, path) {
		e.orphans[pp] = append(kids, path)
	}
	if !e.reading(pp) {
		e.enqueue(pp, readData, false)
	}
}

// applyChildren applies a getChildren2 result for r.path.
func (e *engine) applyChildren(r readReq, names []string, zs *zk.Stat) {
	path := r.path
	st := compact(zs)
	var (
		cached, current bool
		cachedCzxid     int64
	)
	e.locked(func() {
		n := e.st.nodes[path]
		if n == nil {
			return
		}
		cached, cachedCzxid = true, n.st.czxid
		if n.st.czxid != st.czxid {
			return
		}
		current = true
		if st.pzxid > n.st.pzxid {
			n.st.pzxid, n.st.cversion, n.st.nchildren = st.pzxid, st.cversion, st.nchildren
		}
		if n.first != nil {
			keep := make(map[string]struct{}, len(names))
			for _, name := range names {
				keep[zk.JoinPath(path, name)] = struct{}{}
			}
			e.pruneKids(n, keep, st.pzxid)
		}
	})
	if !current {
		// Not cached, or another incarnation: its data read (it exists)
		// decides, and lists it when it is new.
		if !cached || st.czxid > cachedCzxid {
			e.enqueue(path, readData, r.sweep)
		}
		return
	}
	for _, name := range names {
		cp := zk.JoinPath(path, name)
		if !e.inScope(cp) {
			continue
		}
		// A read of cp in flight may have been served before this list
		// was, so a name we do not have is always read again.
		if r.sweep || e.st.nodes[cp] == nil {
			e.enqueue(cp, readData, r.sweep)
		}
	}
}
