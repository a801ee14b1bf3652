package zk

import (
	"fmt"
	"sync"

	"github.com/zkcurator/zkcurator/jute"
)

// A server that does not know an opcode (ZooKeeper 3.5 for addWatch,
// multiRead, getEphemerals, getAllChildrenNumber and setWatches2; 3.5 and
// 3.6 for whoAmI) answers it with Unimplemented and closes the connection
// (UnimplementedRequestProcessor). Its answer bypasses the server's
// request pipeline, so it can overtake the replies to requests sent before
// it, which the closing connection then loses. The Conn therefore:
//   - gives the refused request ErrUnimplemented even when its reply comes
//     out of xid order (the Java client fails it with connection loss,
//     which a retrying caller would repeat forever);
//   - fails the requests sent before and after it with ErrConnectionLoss, as
//     any dropped connection does (the Client retries them; a write among
//     them may have been applied), and reconnects with the same session.
//   - after setWatches2 (sent on reconnect when persistent watches exist)
//     is refused, restores watches with setWatches from then on: the
//     one-shot watches survive; persistent watches cannot exist on such a
//     server, so they end with EventNotWatching, Err ErrUnimplemented.
//   - remembers, per server address, the ops that server refused, and
//     fails them at once with ErrUnimplemented while connected to it
//     again, instead of costing the session another dropped connection
//     each time (a Client's Suspended cancels held locks). A connection
//     to that server ending for any other reason (such as its restart
//     for an upgrade) forgets what it refused.

// unimplementedOutOfOrder handles a reply with xid xid and code
// Unimplemented that does not match head, the oldest pending request
// (already popped): the request with that xid gets ErrUnimplemented, the
// others connection loss. It reports whether a pending request had that
// xid; the caller drops the connection either way.
func (c *Conn) unimplementedOutOfOrder(ln *link, head *request, xid int32, perr error) bool {
	loss := fmt.Errorf("%w: %w", ErrConnectionLoss, perr)
	found := false
	for _, r := range append([]*request{head}, c.pend.Drain()...) {
		if r == nil {
			continue
		}
		if r.xid == xid && !found {
			found = true
			c.refused(ln, r)
			r.complete(ErrUnimplemented, 0)
			continue
		}
		r.complete(loss, 0)
	}
	return found
}

// refused notes what a request answered with Unimplemented by the server
// of ln says about it: the server lacks the op (see refusals); a refused
// setWatches2 switches watch restoring to setWatches.
func (c *Conn) refused(ln *link, r *request) {
	c.refusals.add(ln, r.opcode)
	if r.opcode == jute.OpSetWatches2 {
		c.log.Warn("zk: server refused setWatches2 (ZooKeeper before 3.6): persistent watches end; one-shot watches are restored with setWatches")
		c.watches.refuseV2()
	}
}

// refuseV2 makes setWatchesRequests use setWatches only, ending persistent
// watches, until a persistent watch is registered again (which proves the
// server then has them).
func (r *watchRegistry) refuseV2() {
	r.mu.Lock()
	r.noV2 = true
	r.mu.Unlock()
}

// takePersistentIfNoV2 removes and returns every persistent watcher when
// setWatches2 was refused (refuseV2); nil otherwise. r.mu is held.
func (r *watchRegistry) takePersistentIfNoV2Locked() []*Watcher {
	if !r.noV2 {
		return nil
	}
	var ws []*Watcher
	for i := range r.persist {
		for _, head := range r.persist[i] {
			ws = appendWatchers(ws, head)
		}
		r.persist[i] = make(map[string]*Watcher)
	}
	r.recursive = 0
	return ws
}

// endUnrestorable ends persistent watchers that setWatches cannot restore.
func (c *Conn) endUnrestorable(ws []*Watcher) {
	st := c.State()
	for _, w := range ws {
		c.events.Push(eventItem{ev: Event{Type: EventNotWatching, State: st, Path: w.path, Err: ErrUnimplemented},
			watchers: []*Watcher{w}, final: true})
	}
}

// refusals remembers the opcodes each server address answered with
// Unimplemented. The zero value is ready.
type refusals struct {
	mu     sync.Mutex
	byHost map[string]map[int32]bool
	closer map[*link]bool // links the server closed after refusing an op
}

func (f *refusals) add(ln *link, opcode int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byHost == nil {
		f.byHost, f.closer = map[string]map[int32]bool{}, map[*link]bool{}
	}
	if f.byHost[ln.host] == nil {
		f.byHost[ln.host] = map[int32]bool{}
	}
	f.byHost[ln.host][opcode] = true
	f.closer[ln] = true
}

// linkEnded forgets what ln's server refused, unless ln ended because the
// server refused an op on it.
func (f *refusals) linkEnded(ln *link) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closer[ln] {
		delete(f.closer, ln)
		return
	}
	delete(f.byHost, ln.host)
}

// refuses reports whether the server of ln (nil: not connected) refused
// opcode before, and its address.
func (f *refusals) refuses(ln *link, opcode int32) (string, bool) {
	if ln == nil {
		return "", false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return ln.host, f.byHost[ln.host][opcode]
}

// refusedBefore returns ErrUnimplemented, saying so, when the server the
// Conn is connected to refused opcode before; nil otherwise.
func (c *Conn) refusedBefore(opcode int32) error {
	if host, ok := c.refusals.refuses(c.cur.Load(), opcode); ok {
		return fmt.Errorf("%w (server %s refused this op before)", ErrUnimplemented, host)
	}
	return nil
}
