package cache

import (
	"errors"
	"fmt"

	"github.com/zkcurator/zkcurator/zk"
)

type readKind uint8

const (
	readData     readKind = iota // getData (exists without data)
	readChildren                 // getChildren2
)

// readReq is one read the loop wants done.
type readReq struct {
	path  string
	seq   uint64 // watch events processed before it was issued
	epoch uint32 // session epoch, for one-shot watches
	gen   uint32 // connection generation
	kind  readKind
	sweep bool // part of a resync: counts toward its completion
	watch bool // set a one-shot watch (fallback mode)
}

// msgResult is a read's outcome, handed back to the loop.
type msgResult struct {
	r       readReq
	data    []byte
	st      *zk.Stat
	names   []string
	w       *oneShotWatch // one-shot watch set by the read
	chKind  uint8
	missing bool // the node does not exist
	err     error
}

// pstate orders the reads in flight for one path against the watch
// events for it: a read result is only as new as the events processed
// before the read was issued. It exists while reads for the path are in
// flight.
type pstate struct {
	n          int
	lastEvent  uint64 // seq of the last event for the path
	lastDelete uint64 // seq of the last NodeDeleted for the path
	dataSeq    uint64 // seq of the newest data read queued
	hasData    bool   // a data read was queued (dataSeq is set)
}

// reading reports whether a data read of path is in flight that was
// issued after the last NodeDeleted for it: its result will tell whether
// the node exists.
func (e *engine) reading(path string) bool {
	ps := e.pending[path]
	return ps != nil && ps.hasData && ps.dataSeq >= ps.lastDelete
}

// pendingShrink: a pending map that grew past this is replaced once empty
// (Go maps never give memory back).
const pendingShrink = 1024

// enqueue queues a read of path. In one-shot mode it sets a watch unless
// one is set (or being set) already.
func (e *engine) enqueue(path string, kind readKind, sweep bool) {
	r := readReq{path: path, seq: e.seq, epoch: e.oneshot.epoch, gen: e.gen, kind: kind, sweep: sweep}
	if e.mode == WatchOneShot {
		m := e.oneshot.dataW
		if kind == readChildren {
			m = e.oneshot.childW
		}
		if m[path] == 0 {
			m[path]++
			r.watch = true
		}
	}
	ps := e.pending[path]
	if ps == nil {
		ps = &pstate{}
		e.pending[path] = ps
		e.pendingHigh = max(e.pendingHigh, len(e.pending))
	}
	ps.n++
	if kind == readData {
		ps.dataSeq, ps.hasData = e.seq, true
	}
	if sweep {
		e.sweep.ops++
	}
	e.todo.Push(r)
}

// pump starts queued reads while fewer than the configured number are in
// flight.
func (e *engine) pump() {
	for e.inflight < e.cfg.concurrency {
		r, ok := e.todo.Pop()
		if !ok {
			break
		}
		e.inflight++
		e.wg.Add(1)
		go e.exec(r)
	}
	e.todo.Shrink(pendingShrink)
}

// exec runs one read on its own goroutine and hands the result back.
func (e *engine) exec(r readReq) {
	defer e.wg.Done()
	res := msgResult{r: r}
	ctx, c := e.ctx, e.c
	// set records the watch w when the read that set it succeeded (a
	// failed read registers nothing).
	var w *oneShotWatch
	if r.watch {
		w = &oneShotWatch{sink: e.oneshot.sink}
	}
	set := func(err error) {
		if err == nil {
			res.w = w
		}
	}
	switch {
	case r.kind == readChildren && r.watch:
		res.names, res.st, res.err = c.ChildrenWFunc(ctx, r.path, w.fire)
		set(res.err)
		res.chKind = watchChild
	case r.kind == readChildren:
		res.names, res.st, res.err = c.Children(ctx, r.path)
	case e.cfg.noData:
		var ok bool
		if r.watch {
			ok, res.st, res.err = c.ExistsWFunc(ctx, r.path, w.fire)
			set(res.err)
			res.chKind = watchData
			if !ok && res.err == nil {
				res.chKind = watchExist
			}
		} else {
			ok, res.st, res.err = c.Exists(ctx, r.path)
		}
		res.missing = !ok && res.err == nil
	case r.watch:
		res.data, res.st, res.err = c.GetWFunc(ctx, r.path, w.fire)
		set(res.err)
		res.chKind = watchData
		if errors.Is(res.err, zk.ErrNoNode) && r.path == e.root {
			// The root may be created later: watch for that.
			var ok bool
			ok, res.st, res.err = c.ExistsWFunc(ctx, r.path, w.fire)
			set(res.err)
			res.chKind = watchExist
			if ok && res.err == nil {
				// Created in between: the watch is a data watch now.
				res.chKind = watchData
				res.data, res.st, res.err = c.Get(ctx, r.path)
			} else if res.err == nil {
				res.missing = true
			}
		}
	default:
		res.data, res.st, res.err = c.Get(ctx, r.path)
	}
	if errors.Is(res.err, zk.ErrNoNode) {
		res.err, res.missing = nil, true
	}
	e.inbox.Push(res)
}

// onResult applies a read's result.
func (e *engine) onResult(m msgResult) {
	e.inflight--
	r := m.r
	if r.watch && r.epoch == e.oneshot.epoch {
		cnt := e.oneshot.dataW
		if r.kind == readChildren {
			cnt = e.oneshot.childW
		}
		if m.w != nil {
			reg := watchReg{path: r.path, kind: m.chKind, epoch: r.epoch}
			if m.st != nil && m.chKind != watchExist {
				reg.czxid = m.st.Czxid
			}
			m.w.arm(reg)
		} else {
			decr(cnt, r.path)
		}
	}
	var staleDel, staleAny bool
	if ps := e.pending[r.path]; ps != nil {
		staleDel, staleAny = ps.lastDelete > r.seq, ps.lastEvent > r.seq
		if ps.n--; ps.n == 0 {
			delete(e.pending, r.path)
			if len(e.pending) == 0 && e.pendingHigh > pendingShrink {
				e.pending, e.pendingHigh = make(map[string]*pstate), 0
			}
		}
	}
	switch {
	case m.err != nil:
		stopping := e.stopping(m.err)
		if !stopping {
			e.disp.Publish(Event{Type: Error, Path: r.path, Err: fmt.Errorf("cache: read %s: %w", r.path, m.err)})
		}
		if e.sweep.running {
			e.sweep.failed = true // an incomplete sweep must not report Initialized or Synced
		} else if !stopping {
			e.scheduleRetry()
		}
	case m.missing:
		// Only a read issued after every event for the path may remove it.
		if !staleAny {
			delete(e.orphans, r.path) // gone: so are the children waiting for it
			e.deletePath(r.path)
		}
	case staleDel:
		// Issued before a NodeDeleted: it may show the deleted node. If
		// the watch it set is kept, it is the path's watch from now on,
		// but it was set when the server ran this read — maybe after
		// changes that the reads issued since, sent without a watch,
		// ran too early to see: read the path again.
		if m.w != nil && r.epoch == e.oneshot.epoch && e.attached(r.path) {
			e.enqueue(r.path, r.kind, false)
		}
	case r.kind == readData:
		e.applyData(r, m.data, m.st)
	default:
		e.applyChildren(r, m.names, m.st)
	}
	if r.sweep {
		e.sweepOpDone()
	}
}

func decr(m map[string]int32, path string) {
	if m[path] <= 1 {
		delete(m, path)
	} else {
		m[path]--
	}
}
