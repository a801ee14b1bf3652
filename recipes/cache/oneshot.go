package cache

import (
	"sync"
	"sync/atomic"

	"github.com/zkcurator/zkcurator/zk"
)

// Kinds of one-shot watches the fallback mode sets.
const (
	watchData  uint8 = iota // GetW / ExistsW on an existing node
	watchChild              // ChildrenW
	watchExist              // ExistsW on the missing root
)

// watchReg identifies a one-shot watch: its path, kind and the session
// epoch it was set in, and the incarnation (czxid) of the node it was set
// on (0: unknown, or an exist watch on a missing node).
type watchReg struct {
	path  string
	kind  uint8
	epoch uint32
	czxid int64
}

// oneShotSink is where the fallback mode's callback watches send their
// events: the engine until it closes. The Conn keeps a watch until it fires
// or the session ends, so a watch must not keep a closed cache's tree
// reachable: close detaches the engine.
type oneShotSink struct {
	e atomic.Pointer[engine]
}

// deliver queues a one-shot watch's event for the loop, unless the cache
// is closed.
func (s *oneShotSink) deliver(reg watchReg, ev zk.Event) {
	if e := s.e.Load(); e != nil && e.ctx.Err() == nil {
		e.inbox.Push(msgOneShot{reg, ev})
	}
}

// oneShotWatch is a one-shot watch of the fallback mode, set with the
// callback form (GetWFunc, ExistsWFunc, ChildrenWFunc): no channel per
// watched node and no goroutine waiting on it. Its event reaches the loop
// only after the loop has applied the read that set the watch (arm), as
// it did when the event waited in a channel: an event that comes first is
// held until then. A watch never armed (a read of an older session) drops
// its event.
type oneShotWatch struct {
	sink *oneShotSink

	mu    sync.Mutex
	reg   watchReg
	armed bool
	held  bool
	ev    zk.Event
}

// fire is the watch's callback (the Conn's event goroutine).
func (w *oneShotWatch) fire(ev zk.Event) {
	w.mu.Lock()
	if !w.armed {
		w.ev, w.held = ev, true
		w.mu.Unlock()
		return
	}
	reg := w.reg
	w.mu.Unlock()
	w.sink.deliver(reg, ev)
}

// arm hands the watch's event, now or when it comes, to the loop as reg.
func (w *oneShotWatch) arm(reg watchReg) {
	w.mu.Lock()
	w.reg, w.armed = reg, true
	held, ev := w.held, w.ev
	w.ev = zk.Event{}
	w.mu.Unlock()
	if held {
		w.sink.deliver(reg, ev)
	}
}
