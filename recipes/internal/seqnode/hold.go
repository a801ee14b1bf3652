package seqnode

import (
	"context"
	"errors"
	"fmt"

	"github.com/zkcurator/zkcurator/zk"
)

// Hold watches over a node that holds (a lock, a lease, leadership). Its
// context is cancelled, with a cause wrapping ErrHoldLost, as soon as
// holding is no longer safe:
//   - the client publishes a connection state its error policy counts as an
//     error (Suspended under the standard policy, Lost always);
//   - the node is deleted (by someone else, or with its session);
//   - the node's watch ends because the session ended or the client closed.
//
// End cancels it with the owner's own cause (e.g. a release). A Hold owns
// one goroutine, which ends when the context is done.
type Hold struct {
	node   *Node
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{} // closed when the goroutine has ended
}

// StartHold starts holding n on c. The hold's context carries parent's
// values but not its cancellation. It fails with ErrUnsafe when the
// client's current state is an error under its policy, ErrNodeGone when n
// no longer exists, ErrNotOwner when n belongs to a session other than
// the current one, or with an operation's error; then nothing is left
// running.
//
// onData, if not nil, is called with the node's data when the hold starts
// and each time the data changes while it lasts (Curator's revocation
// request travels this way). It runs on the hold's goroutine: it may call
// End, but must not wait for the hold to end.
func StartHold(parent context.Context, c *zk.Client, n *Node, onData func(data []byte)) (*Hold, error) {
	return startHold(parent, c, n, onData, nil)
}

// ownRead is a GetW of a participant's own node: its data, Stat and watch.
type ownRead struct {
	data []byte
	st   *zk.Stat
	ch   <-chan zk.Event
	err  error
}

func readOwn(ctx context.Context, c *zk.Client, n *Node) *ownRead {
	r := &ownRead{}
	r.data, r.st, r.ch, r.err = c.GetW(ctx, n.Path)
	return r
}

// startHold is StartHold; pre, if not nil, is a GetW of n made (pipelined
// with the children list) before the hold was decided, used instead of
// reading again. Its watch is as good as a new one: a session lost since
// ends it, and the state check below catches a connection in doubt.
func startHold(parent context.Context, c *zk.Client, n *Node, onData func(data []byte), pre *ownRead) (*Hold, error) {
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(parent))
	h := &Hold{node: n, ctx: ctx, cancel: cancel, done: make(chan struct{})}
	pol := c.ErrorPolicy()
	// Listen before looking at the state: a state published after State()
	// reads it reaches the listener.
	unlisten := c.Listen(func(s zk.ConnectionState) {
		if pol.IsError(s) {
			cancel(fmt.Errorf("%w: connection %s", ErrHoldLost, s))
		}
	})
	fail := func(err error) (*Hold, error) {
		unlisten()
		cancel(err)
		close(h.done)
		return nil, err
	}
	if s := c.State(); pol.IsError(s) {
		return fail(fmt.Errorf("%w: %s", ErrUnsafe, s))
	}
	// The watch on our own node tells us of its deletion (and of data
	// changes); its Stat proves the node is our current session's. A
	// session lost after this point cancels ctx through the listener or
	// ends the watch.
	if pre == nil {
		pre = readOwn(ctx, c, n)
	}
	data, st, ch, err := pre.data, pre.st, pre.ch, pre.err
	switch {
	case errors.Is(err, zk.ErrNoNode):
		return fail(fmt.Errorf("%w: %s", ErrNodeGone, n.Path))
	case err != nil && ctx.Err() != nil:
		return fail(fmt.Errorf("%w: %w", ErrUnsafe, context.Cause(ctx)))
	case err != nil:
		return fail(err)
	case st.EphemeralOwner != n.Owner || !n.OwnedBy(c):
		return fail(fmt.Errorf("%w: %s", ErrNotOwner, n.Path))
	case ctx.Err() != nil:
		return fail(fmt.Errorf("%w: %w", ErrUnsafe, context.Cause(ctx)))
	}
	go h.watch(c, ch, data, onData, unlisten)
	return h, nil
}

// watch is the hold's goroutine: it follows the node's watch until the
// hold ends.
func (h *Hold) watch(c *zk.Client, ch <-chan zk.Event, data []byte, onData func([]byte), unlisten func()) {
	defer close(h.done)
	defer unlisten()
	if onData != nil {
		onData(data)
	}
	for {
		select {
		case <-h.ctx.Done():
			return
		case ev := <-ch:
			switch ev.Type {
			case zk.EventNodeDeleted:
				h.cancel(fmt.Errorf("%w: node %s deleted", ErrHoldLost, h.node.Path))
				return
			case zk.EventNotWatching:
				h.cancel(fmt.Errorf("%w: watch on %s ended: %v", ErrHoldLost, h.node.Path, ev.Err))
				return
			}
			// Data changed (or another event): watch again and look.
			var st *zk.Stat
			var err error
			data, st, ch, err = c.GetW(h.ctx, h.node.Path)
			switch {
			case h.ctx.Err() != nil:
				return
			case errors.Is(err, zk.ErrNoNode):
				h.cancel(fmt.Errorf("%w: node %s deleted", ErrHoldLost, h.node.Path))
				return
			case err != nil:
				h.cancel(fmt.Errorf("%w: watching %s: %w", ErrHoldLost, h.node.Path, err))
				return
			case st.EphemeralOwner != h.node.Owner || !h.node.OwnedBy(c):
				h.cancel(fmt.Errorf("%w: %s belongs to an earlier session", ErrHoldLost, h.node.Path))
				return
			}
			if onData != nil {
				onData(data)
			}
		}
	}
}

// Context returns the context that is cancelled when the hold ends;
// context.Cause tells why.
func (h *Hold) Context() context.Context { return h.ctx }

// Node returns the held node.
func (h *Hold) Node() *Node { return h.node }

// Valid reports whether the hold has not ended and its node still belongs
// to c's current session.
func (h *Hold) Valid(c *zk.Client) bool { return h.ctx.Err() == nil && h.node.OwnedBy(c) }

// End ends the hold with cause (if it has not ended already). It does not
// wait for the hold's goroutine; Done does.
func (h *Hold) End(cause error) { h.cancel(cause) }

// Done is closed once the hold's goroutine has ended (after the context is
// done).
func (h *Hold) Done() <-chan struct{} { return h.done }

// WaitSafe waits until c's connection state is not an error under its
// error policy (e.g. Reconnected after Suspended), or ctx ends.
func WaitSafe(ctx context.Context, c *zk.Client) error {
	pol := c.ErrorPolicy()
	changed := make(chan struct{}, 1)
	unlisten := c.Listen(func(zk.ConnectionState) {
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	defer unlisten()
	for pol.IsError(c.State()) {
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
