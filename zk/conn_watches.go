package zk

import (
	"slices"
	"strings"
	"sync"

	"github.com/zkcurator/zkcurator/jute"
)

// watchKind is where a watch lives, as in ZooKeeper's ZKWatchManager.
type watchKind uint8

const (
	watchData       watchKind = iota // getData, or exists on an existing node
	watchExist                       // exists on a missing node
	watchChild                       // getChildren
	watchPersistent                  // addWatch PERSISTENT
	watchRecursive                   // addWatch PERSISTENT_RECURSIVE
)

// oneShot is one caller's one-shot watch: a channel with room for exactly
// the one event it will ever get (ExistsW, GetW, ChildrenW), or a callback
// (ExistsWFunc, GetWFunc, ChildrenWFunc; ch nil). It keeps no path: every
// watch of a registry list shares the list's path, and whoever takes a
// list out of the registry knows it. 24 bytes, a size class of its own.
type oneShot struct {
	ch   chan Event
	fn   func(Event)
	next *oneShot // the next watch of the registry's list for the same path and kind
}

// fire delivers ev, the watch's one event (event goroutine).
func (o *oneShot) fire(ev Event) {
	if o.fn != nil {
		o.fn(ev)
		return
	}
	// The channel has room for its single event.
	select {
	case o.ch <- ev:
	default:
	}
}

// appendList appends the one-shot watches of the list at head to dst,
// oldest registration first (add puts the newest at the head).
func appendList(dst []*oneShot, head *oneShot) []*oneShot {
	n := len(dst)
	for o := head; o != nil; o = o.next {
		dst = append(dst, o)
	}
	slices.Reverse(dst[n:])
	return dst
}

// appendWatchers is appendList for a list of persistent watchers.
func appendWatchers(dst []*Watcher, head *Watcher) []*Watcher {
	n := len(dst)
	for w := head; w != nil; w = w.next {
		dst = append(dst, w)
	}
	slices.Reverse(dst[n:])
	return dst
}

// watchReg is the watch a request registers when its reply allows it.
type watchReg struct {
	kind    watchKind // watchData for exists: becomes watchExist on NoNode
	path    string    // client path, for the event of a watch ended at once (endLateWatch)
	spath   string    // server path (chroot applied)
	oneshot *oneShot
	watcher *Watcher

	// The guard of conn_watch_share.go (registry's mu):
	inflight bool  // an addWatch written, counted in the registry's inflight
	local    bool  // a one-shot read sent without the watch flag: a persistent watch covers it
	resync   bool  // a removeWatches whose reply sets again what is left on spath
	rearm    *link // a resync's SetWatches, for this connection only
}

// kindFor returns the kind to register for a reply with error code code,
// and false when nothing is registered. exists registers a data watch on
// OK and an exist watch on NoNode; addWatch registers on OK and NoNode;
// the rest only on OK.
func (w *watchReg) kindFor(opcode, code int32) (watchKind, bool) {
	switch {
	case code == 0:
		return w.kind, true
	case code == jute.ErrNoNode && opcode == jute.OpExists:
		return watchExist, true
	case code == jute.ErrNoNode && opcode == jute.OpAddWatch:
		return w.kind, true
	}
	return 0, false
}

// watchRegistry holds every registered watch by server path. Several local
// watches on the same path and kind share the one server registration.
// Watches are kept as a list through the watch itself (oneShot.next,
// Watcher.next) rather than a slice per path: with a hundred thousand
// watches in a session (nearly always one per path) that saves the slice
// and 16 bytes of every map slot. The map key is the only copy of the path
// the registry holds.
type watchRegistry struct {
	mu        sync.Mutex
	oneshot   [3]map[string]*oneShot // list heads by watchData, watchExist, watchChild
	persist   [2]map[string]*Watcher // list heads by watchPersistent, watchRecursive
	recursive int                    // number of paths with recursive watches
	ended     bool                   // drained for good: add registers nothing
	noV2      bool                   // the server refused setWatches2 (see refuseV2)

	// inflight counts the addWatch requests written and not yet answered,
	// by watchPersistent, watchRecursive and server path; rearms holds the
	// resync SetWatches not yet answered, with their relative zxid
	// (conn_watch_share.go).
	inflight [2]map[string]int32
	rearms   map[*watchReg]int64
}

func newWatchRegistry() *watchRegistry {
	r := &watchRegistry{}
	for i := range r.oneshot {
		r.oneshot[i] = make(map[string]*oneShot)
	}
	for i := range r.persist {
		r.persist[i] = make(map[string]*Watcher)
	}
	return r
}

// add registers w's watch under kind. It returns false, registering
// nothing, once the registry has been drained: a reply read while the
// session ends must not leave a watch that nothing will ever end. resync
// names the tables whose one-shot watches on the path the caller must set
// on the server again (conn_watch_share.go): a local one-shot's (read
// without the watch flag) when no persistent watch covers it any more
// (removed, or its addWatch failed, since the read was written); the child
// one-shots when a recursive watch was added (3.8 replaced them).
func (r *watchRegistry) add(w *watchReg, kind watchKind) (added bool, resync uint8) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settleLocked(w)
	if r.ended {
		return false, 0
	}
	if kind <= watchChild {
		m := r.oneshot[kind]
		w.oneshot.next = m[w.spath]
		m[w.spath] = w.oneshot
		if w.local && !r.coveredLocked(w.spath, tableOf(kind)) {
			resync = tableOf(kind)
		}
		return true, resync
	}
	if kind == watchRecursive && r.oneshot[watchChild][w.spath] != nil {
		resync = tableChild
	}
	m := r.persist[kind-watchPersistent]
	head := m[w.spath]
	if kind == watchRecursive && head == nil {
		r.recursive++
	}
	w.watcher.next = head
	m[w.spath] = w.watcher
	r.noV2 = false // the server set a persistent watch: it has setWatches2
	return true, resync
}

// route removes the one-shot watches a notification fires and collects the
// persistent watchers it reaches (ZKWatchManager.materialize).
func (r *watchRegistry) route(typ EventType, spath string) (os []*oneShot, ws []*Watcher) {
	r.mu.Lock()
	defer r.mu.Unlock()
	take := func(k watchKind) {
		if head := r.oneshot[k][spath]; head != nil {
			os = appendList(os, head)
			delete(r.oneshot[k], spath)
		}
	}
	switch typ {
	case EventNodeCreated, EventNodeDataChanged:
		take(watchData)
		take(watchExist)
	case EventNodeDeleted:
		take(watchData)
		take(watchExist)
		take(watchChild)
	case EventNodeChildrenChanged:
		take(watchChild)
	default:
		return nil, nil
	}
	ws = appendWatchers(ws, r.persist[0][spath])
	if r.recursive > 0 && typ != EventNodeChildrenChanged {
		rec := r.persist[1]
		for p := spath; ; {
			ws = appendWatchers(ws, rec[p])
			if p == "/" {
				break
			}
			i := strings.LastIndexByte(p, '/')
			if i <= 0 {
				p = "/"
			} else {
				p = p[:i]
			}
		}
	}
	return os, ws
}

// removeWatcher unregisters one persistent watcher. It reports whether w
// was registered and whether the server's watches of the path must change:
// no other persistent watch of w's mode remains there (registered or with
// its addWatch in flight).
func (r *watchRegistry) removeWatcher(w *Watcher) (found, server bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	kind := watchPersistent
	if w.mode == AddWatchPersistentRecursive {
		kind = watchRecursive
	}
	m := r.persist[kind-watchPersistent]
	head := m[w.spath]
	for p := &head; *p != nil; p = &(*p).next {
		if *p == w {
			found = true
			*p = w.next
			w.next = nil
			break
		}
	}
	switch {
	case head != nil:
		m[w.spath] = head
	case found:
		delete(m, w.spath)
		if kind == watchRecursive {
			r.recursive--
		}
	}
	return found, m[w.spath] == nil && r.inflight[kind-watchPersistent][w.spath] == 0
}

// removeLocal removes the watches RemoveWatches(typ) covers on spath and
// returns them: one-shot data/exist watches, one-shot child watches, and
// (for WatcherAny) persistent watchers.
func (r *watchRegistry) removeLocal(spath string, typ WatcherType) (data, child []*oneShot, ws []*Watcher) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if typ == WatcherData || typ == WatcherAny {
		data = appendList(data, r.oneshot[watchData][spath])
		data = appendList(data, r.oneshot[watchExist][spath])
		delete(r.oneshot[watchData], spath)
		delete(r.oneshot[watchExist], spath)
	}
	if typ == WatcherChildren || typ == WatcherAny {
		child = appendList(child, r.oneshot[watchChild][spath])
		delete(r.oneshot[watchChild], spath)
	}
	if typ == WatcherAny {
		ws = appendWatchers(ws, r.persist[0][spath])
		delete(r.persist[0], spath)
		if head := r.persist[1][spath]; head != nil {
			ws = appendWatchers(ws, head)
			delete(r.persist[1], spath)
			r.recursive--
		}
	}
	return data, child, ws
}

// drain removes every watch (session ended or Conn closed); later adds
// fail. spaths[i] is the server path of os[i].
func (r *watchRegistry) drain() (os []*oneShot, spaths []string, ws []*Watcher) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended = true
	for i := range r.oneshot {
		for p, head := range r.oneshot[i] {
			n := len(os)
			os = appendList(os, head)
			for range len(os) - n {
				spaths = append(spaths, p)
			}
		}
		r.oneshot[i] = make(map[string]*oneShot)
	}
	for i := range r.persist {
		for _, head := range r.persist[i] {
			ws = appendWatchers(ws, head)
		}
		r.persist[i] = make(map[string]*Watcher)
	}
	r.recursive = 0
	return os, spaths, ws
}

// setWatchesRequests builds the internal SetWatches (or SetWatches2 when
// persistent watches exist) requests that restore every registered watch
// on a new connection, each frame at most jute.SetWatchesMaxBytes long.
// After the server refused setWatches2 (refuseV2), persistent watchers are
// removed instead and returned in dropped, for the caller to end.
func (r *watchRegistry) setWatchesRequests(relZxid int64) (reqs []*request, dropped []*Watcher) {
	r.mu.Lock()
	defer r.mu.Unlock()
	dropped = r.takePersistentIfNoV2Locked()
	relZxid = r.restoreZxidLocked(relZxid)
	v2 := len(r.persist[0])+len(r.persist[1]) > 0
	var cur [5][]string
	size, n := 0, 0
	flush := func() {
		if n == 0 {
			return
		}
		var rec jute.Record
		op := jute.OpSetWatches
		if v2 {
			op = jute.OpSetWatches2
			rec = &jute.SetWatches2{RelativeZxid: relZxid, DataWatches: cur[0], ExistWatches: cur[1],
				ChildWatches: cur[2], PersistentWatches: cur[3], PersistentRecursiveWatches: cur[4]}
		} else {
			rec = &jute.SetWatches{RelativeZxid: relZxid, DataWatches: cur[0], ExistWatches: cur[1], ChildWatches: cur[2]}
		}
		req := &request{opcode: op, body: rec, internal: true, xid: jute.XidSetWatches}
		reqs = append(reqs, req)
		cur = [5][]string{}
		size, n = 0, 0
	}
	// Whole frames stay under jute.SetWatchesMaxBytes (the Java client
	// counts path bytes only): each path costs its length prefix too, and
	// every packet its length, header, zxid and five list counts. The
	// paths go straight from the maps into the packets' lists: no list of
	// every path first.
	const overhead = 4 + 8 + 8 + 5*4
	add := func(k int, p string) {
		if n > 0 && size+4+len(p) > jute.SetWatchesMaxBytes-overhead {
			flush()
		}
		cur[k] = append(cur[k], p)
		size += 4 + len(p)
		n++
	}
	// One-shots before persistent watches: a server before 3.9 keeps one
	// mode per path and table, the last set, and a persistent watch must
	// win (conn_watch_share.go)...
	childLast := r.persist[1]
	for k := range r.oneshot {
		for p := range r.oneshot[k] {
			if k == int(watchChild) && childLast[p] != nil {
				continue
			}
			add(k, p)
		}
	}
	for k := range r.persist {
		for p := range r.persist[k] {
			add(3+k, p)
		}
	}
	// ... except child watches on the path of a recursive one: 3.8 puts
	// that in the child table too, where it never fires, so they go after
	// it, in packets of their own.
	flush()
	if len(childLast) > 0 {
		for p := range r.oneshot[watchChild] {
			if childLast[p] != nil {
				add(int(watchChild), p)
			}
		}
	}
	flush()
	return reqs, dropped
}
