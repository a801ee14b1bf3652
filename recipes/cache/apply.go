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
	if reg.epoch != e.epoch {
		return // a watch of an older session; the resync re-armed its path
	}
	if reg.kind == watchChild {
		decr(e.childW, reg.path)
	} else {
		decr(e.dataW, reg.path)
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
		e.noteEvent(reg.path, true)
		delete(e.orphans, reg.path)
		e.deletePath(reg.path)
		// Read it again: the root for an exist watch on its re-creation; a
		// child because a listing of its parent taken before this event
		// may have shown a re-created node under the name we still had
		// cached, and re-armed the parent's child watch past its creation.
		if reg.path == e.root || e.st.nodes[zk.ParentPath(reg.path)] != nil {
			e.enqueue(reg.path, readData, false)
		}
	case zk.EventNodeChildrenChanged:
		if e.st.nodes[reg.path] != nil && !e.atMaxDepth(reg.path) {
			e.enqueue(reg.path, readChildren, false)
		}
	}
}

// deletePath removes path and its subtree from the cache.
func (e *engine) deletePath(path string) {
	e.st.mu.Lock()
	if n := e.st.nodes[path]; n != nil {
		e.removeSubtree(n)
	}
	e.st.mu.Unlock()
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
	e.st.mu.Lock()
	n := e.st.nodes[path]
	if e.unverified && path != e.root && (n == nil || st.czxid > n.st.czxid) {
		if _, ok := e.confirmed[zk.ParentPath(path)]; !ok {
			// The parent may be a stale incarnation; the sweep reads this
			// node again after the parent.
			e.st.mu.Unlock()
			return
		}
	}
	fresh := false
	switch {
	case n == nil:
		var parent *node
		if path != e.root {
			parent = e.st.nodes[zk.ParentPath(path)]
			if parent == nil {
				e.st.mu.Unlock()
				e.orphan(path)
				return
			}
			if st.czxid < parent.st.czxid {
				e.st.mu.Unlock()
				return // a child of an older incarnation of the parent
			}
		}
		n = e.st.insert(parent, path, data, st)
		e.emit(NodeCreated, n)
		fresh = true
	case st.czxid > n.st.czxid:
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
		fresh = true
	case st.czxid < n.st.czxid:
		// An older read: the cached incarnation is newer.
		e.confirm(r, path)
		e.st.mu.Unlock()
		if r.sweep && !e.atMaxDepth(path) {
			e.enqueue(path, readChildren, true)
		}
		return
	case st.mzxid > n.st.mzxid:
		if n.st.pzxid > st.pzxid {
			st.pzxid, st.cversion, st.nchildren = n.st.pzxid, n.st.cversion, n.st.nchildren
		}
		st.aversion = max(st.aversion, n.st.aversion)
		n.data, n.st = data, st
		e.emit(NodeChanged, n)
	case st.mzxid == n.st.mzxid:
		if st.pzxid > n.st.pzxid {
			n.st.pzxid, n.st.cversion, n.st.nchildren = st.pzxid, st.cversion, st.nchildren
		}
		n.st.aversion = max(st.aversion, n.st.aversion)
	}
	e.confirm(r, path)
	list := false
	if !e.atMaxDepth(path) {
		if st.nchildren == 0 {
			e.pruneKids(n, nil, st.pzxid)
		}
		switch {
		case e.mode == WatchOneShot:
			list = fresh || r.sweep || e.childW[path] == 0
		default:
			list = st.nchildren > 0 && (fresh || r.sweep)
		}
	}
	e.st.mu.Unlock()
	if list {
		e.enqueue(path, readChildren, r.sweep)
	}
	if kids, ok := e.orphans[path]; ok && fresh {
		delete(e.orphans, path)
		for _, k := range kids {
			e.enqueue(k, readData, false)
		}
	}
}

// confirm notes that path's cached incarnation is current if r was issued
// in this connection generation.
func (e *engine) confirm(r readReq, path string) {
	if e.unverified && r.gen == e.gen {
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
	e.st.mu.Lock()
	n := e.st.nodes[path]
	if n == nil || n.st.czxid != st.czxid {
		e.st.mu.Unlock()
		// Not cached, or another incarnation: its data read (it exists)
		// decides, and lists it when it is new.
		if n == nil || st.czxid > n.st.czxid {
			e.enqueue(path, readData, r.sweep)
		}
		return
	}
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
	e.st.mu.Unlock()
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
