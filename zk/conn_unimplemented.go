package zk

import (
	"fmt"

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

// unimplementedOutOfOrder handles a reply with xid xid and code
// Unimplemented that does not match head, the oldest pending request
// (already popped): the request with that xid gets ErrUnimplemented, the
// others connection loss. It reports whether a pending request had that
// xid; the caller drops the connection either way.
func (c *Conn) unimplementedOutOfOrder(head *request, xid int32, perr error) bool {
	loss := fmt.Errorf("%w: %w", ErrConnectionLoss, perr)
	found := false
	for _, r := range append([]*request{head}, c.pend.Drain()...) {
		if r == nil {
			continue
		}
		if r.xid == xid && !found {
			found = true
			c.refused(r)
			r.complete(ErrUnimplemented, 0)
			continue
		}
		r.complete(loss, 0)
	}
	return found
}

// refused notes what a request answered with Unimplemented says about the
// server: a refused setWatches2 switches watch restoring to setWatches.
func (c *Conn) refused(r *request) {
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
		for _, l := range r.persist[i] {
			ws = append(ws, l...)
		}
		r.persist[i] = make(map[string][]*Watcher)
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
