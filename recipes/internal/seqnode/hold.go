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
// client's current state is an error under its policy, or ErrNotOwner when
// n belongs to a session other than the current one (n.Owner comes from
// the create's Stat and a node's owner never changes, so this needs no
// read); then nothing is left running.
//
// The watch on the node itself (which ends the hold when the node is
// deleted) is set by the hold's goroutine, off the caller's path: the
// caller can act at once, and a node found gone or not ours by that first
// read ends the hold like a later deletion would.
//
// onData, if not nil, is called with the node's data when that first read
// returns and each time the data changes while the hold lasts (Curator's
// revocation request travels this way). It runs on the hold's goroutine:
// it may call End, but must not wait for the hold to end.
func StartHold(parent context.Context, c *zk.Client, n *Node, onData func(data []byte)) (*Hold, error) {
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(parent))
	h := &Hold{node: n, ctx: ctx, cancel: cancel, done: make(chan struct{})}
	pol := c.ErrorPolicy()
	// Listen before looking at the state and the session: a state
	// published after they are read reaches the listener.
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
	if !n.OwnedBy(c) {
		return fail(fmt.Errorf("%w: %s", ErrNotOwner, n.Path))
	}
	go h.watch(c, onData, unlisten)
	return h, nil
}

// watch is the hold's goroutine: it follows the node's watch until the
// hold ends.
func (h *Hold) watch(c *zk.Client, onData func([]byte), unlisten func()) {
	defer close(h.done)
	defer unlisten()
	for {
		// Watch the node and look at it: first when the hold starts, then
		// after each data change.
		data, st, ch, err := c.GetW(h.ctx, h.node.Path)
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
// error policy (e.g. Reconnected after Suspended), or ctx ends. After
// AuthFailed (which lasts) it fails at once with zk.ErrAuthFailed.
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
		if IsClosed(c) {
			return zk.ErrClosed
		}
		if c.State() == zk.AuthFailed { // for good: no connection will come
			return zk.ErrAuthFailed
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// NotifyLost returns a channel that receives (once per burst, never
// blocking the client) when c publishes Lost, and the function that stops
// listening. A wait whose watch may have been set in a later session than
// the node it is about (an operation retried across the loss) selects on
// it too, so the loss of the node's session is never missed.
func NotifyLost(c *zk.Client) (lost <-chan struct{}, stop func()) {
	ch := make(chan struct{}, 1)
	stop = c.Listen(func(s zk.ConnectionState) {
		if s == zk.Lost {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	})
	return ch, stop
}
