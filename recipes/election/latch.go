package election

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/zkcurator/zkcurator/internal/listeners"
	"github.com/zkcurator/zkcurator/recipes/internal/lifecycle"
	"github.com/zkcurator/zkcurator/recipes/internal/pause"
	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/zk"
)

// latchLockName is the lock name of Latch nodes (Curator's LeaderLatch
// LOCK_NAME).
const latchLockName = "latch-"

var latchKey = seqnode.ByLockName(latchLockName)

// CloseMode says whether closing a Latch that leads tells its listeners.
type CloseMode int

const (
	// CloseSilent: listeners are not told of the leadership lost by Close
	// (Curator's default). The leadership context is cancelled anyway.
	CloseSilent CloseMode = iota
	// CloseNotifyLeader: listeners get notLeader (false) when Close ends
	// leadership.
	CloseNotifyLeader
)

// LatchOption configures a Latch.
type LatchOption func(*latchConfig)

type latchConfig struct {
	closeMode CloseMode
	err       error // the first invalid option value
}

// WithCloseMode sets the mode Close uses (default CloseSilent). A mode
// other than CloseSilent and CloseNotifyLeader is an invalid option.
func WithCloseMode(m CloseMode) LatchOption {
	return func(c *latchConfig) {
		if m != CloseSilent && m != CloseNotifyLeader {
			c.err = seqnode.Invalid("WithCloseMode: unknown mode %d", m)
		}
		c.closeMode = m
	}
}

// Latch and Selector states, in the words of this package.
const (
	latent  = lifecycle.New
	started = lifecycle.Started
	closed  = lifecycle.Closed
)

// Latch is a participant in a leader election that stays in it until
// closed, wire compatible with Curator's LeaderLatch. Of all the Latches
// (and Curator LeaderLatches) on one path, at most one leads at a time.
//
// A Latch leads only while its node is the first child of the path and
// belongs to the client's current session, and while the connection is
// not in doubt under the client's error policy. When leadership ends
// because of the connection, the Latch contests again by itself once the
// client is connected again: it keeps its node if the session survived,
// else it deletes the old node and makes a new one (at the end of the
// queue).
//
// A Latch is safe for concurrent use. Make one with NewLatch: the methods
// of a zero Latch fail with an invalid-argument error.
type Latch struct {
	client *zk.Client
	path   string
	id     string
	cfg    latchConfig
	notify *listeners.Bus[bool]

	ctx  context.Context // the latch's lifetime; ended by Close
	stop context.CancelCauseFunc
	done chan struct{} // closed when the goroutine has ended

	mu      sync.Mutex
	state   lifecycle.State
	node    *seqnode.Node
	hold    *seqnode.Hold // leadership; nil when not leading
	changed chan struct{} // closed (and replaced) at each change of hold or state
}

// NewLatch returns a Latch for participant id on path. It does not talk
// to ZooKeeper until Start. It fails on a nil client or a nil or invalid
// option (ErrInvalidArgument), or an invalid path (zk.ErrInvalidPath).
func NewLatch(client *zk.Client, path, id string, opts ...LatchOption) (*Latch, error) {
	if err := seqnode.CheckArgs(client, path); err != nil {
		return nil, wrap("new latch", path, err)
	}
	var cfg latchConfig
	for i, o := range opts {
		if o == nil {
			return nil, wrap("new latch", path, seqnode.Invalid("option %d is nil", i))
		}
		if o(&cfg); cfg.err != nil {
			return nil, wrap("new latch", path, cfg.err)
		}
	}
	ctx, stop := context.WithCancelCause(context.Background())
	return &Latch{
		client:  client,
		path:    path,
		id:      id,
		cfg:     cfg,
		notify:  listeners.New[bool](),
		ctx:     ctx,
		stop:    stop,
		done:    make(chan struct{}),
		changed: make(chan struct{}),
	}, nil
}

// made reports whether l was made by NewLatch.
func (l *Latch) made() bool { return l != nil && l.done != nil }

// ID returns the participant id.
func (l *Latch) ID() string { return l.id }

// Path returns the election's path.
func (l *Latch) Path() string { return l.path }

// Start joins the election: it makes the Latch's node and returns; the
// Latch then contests on its own goroutine until Close. If the node
// cannot be made (or ctx ends first) Start returns the error and the
// Latch is closed: nothing is left running and no node is left behind.
// A Latch can be started once (ErrStarted), and not after Close
// (ErrClosed).
func (l *Latch) Start(ctx context.Context) error {
	if !l.made() {
		return errNotMade
	}
	if err := l.markStarted(); err != nil {
		return wrap("start", l.path, err)
	}
	n, err := seqnode.CreateDetached(ctx, l.client, l.path, latchLockName, []byte(l.id))
	if err != nil {
		was := l.markClosed()
		close(l.done) // no goroutine to wait for
		if was == started {
			l.finishClose(CloseSilent)
		} // else a Close is finishing (it waited for l.done)
		return wrap("start", l.path, err)
	}
	l.setNode(n)
	go l.run()
	return nil
}

// markStarted moves a latent Latch to started.
func (l *Latch) markStarted() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state.Start(ErrStarted, ErrClosed)
}

// markClosed moves the Latch to closed, waking Await callers, and returns
// the state it was in.
func (l *Latch) markClosed() (was lifecycle.State) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if was = l.state.Close(); was != closed {
		l.signalLocked()
	}
	return was
}

// Listen subscribes f to leadership changes: f(true) when the Latch
// becomes leader, f(false) when it stops leading. Calls are made in
// order, one at a time, on a goroutine of the Latch; f should return
// quickly and must not wait for the Latch to change state. The
// leadership context (Await) is cancelled before f(false) is called. The
// returned function unsubscribes f.
func (l *Latch) Listen(f func(isLeader bool)) (unsubscribe func()) {
	return l.notify.Listen(f)
}

// IsLeader reports whether the Latch leads now.
func (l *Latch) IsLeader() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state == started && l.hold != nil && l.hold.Context().Err() == nil
}

// Await waits until the Latch leads and returns the leadership context:
// it is cancelled (context.Cause says why) as soon as leading is no
// longer safe, or by Close (cause ErrClosed). It returns at once if the
// Latch leads already. It fails with ErrClosed when the Latch is closed
// (or not started), or with ctx's error.
func (l *Latch) Await(ctx context.Context) (leadership context.Context, err error) {
	if !l.made() {
		return nil, errNotMade
	}
	for {
		lead, ch, err := l.leadership()
		if lead != nil || err != nil {
			return lead, wrap("await", l.path, err)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, wrap("await", l.path, ctx.Err())
		}
	}
}

// leadership returns the leadership context when the Latch leads, else
// the channel closed at the next change; ErrClosed when it is not
// started.
func (l *Latch) leadership() (context.Context, <-chan struct{}, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state != started {
		return nil, nil, ErrClosed
	}
	if h := l.hold; h != nil && h.Context().Err() == nil {
		return h.Context(), nil, nil
	}
	return nil, l.changed, nil
}

// FencingToken returns the czxid of the Latch's node while it leads, 0
// otherwise. Tokens grow with each new leadership: a resource that
// refuses tokens lower than the highest it has seen is safe even from a
// leader that has not yet noticed it lost leadership.
func (l *Latch) FencingToken() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.hold == nil || l.hold.Context().Err() != nil {
		return 0
	}
	return l.hold.Node().Czxid
}

// Fenced runs ops as one transaction that applies only while the Latch
// leads: a check that the node it leads with still exists goes first in
// the same Multi (a node that was first stays first while it exists). It
// fails with ErrNotLeader (nothing applied) when the Latch does not lead
// or its node is gone, with ErrClosed (and ErrNotLeader) after Close;
// other errors are the Multi's. The results are those of ops.
func (l *Latch) Fenced(ctx context.Context, ops ...zk.Op) ([]zk.OpResult, error) {
	if !l.made() {
		return nil, errNotMade
	}
	l.mu.Lock()
	st := l.state
	var n *seqnode.Node
	if l.hold != nil {
		n = l.hold.Node()
	}
	l.mu.Unlock()
	if st == closed {
		return nil, wrap("fenced", l.path, fmt.Errorf("%w: %w", ErrClosed, ErrNotLeader))
	}
	res, err := seqnode.Fenced(ctx, l.client, n, ops...)
	return res, wrap("fenced", l.path, err)
}

// OurPath returns the path of the Latch's current node, "" when it has
// none. It is for reference only: the node may change at any time.
func (l *Latch) OurPath() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.node == nil {
		return ""
	}
	return l.node.Path
}

// Participants returns the election's participants, read from ZooKeeper
// (so it may disagree with IsLeader for a moment): their ids, in order,
// the leader first.
func (l *Latch) Participants(ctx context.Context) ([]Participant, error) {
	if err := l.usable(); err != nil {
		return nil, wrap("participants", l.path, err)
	}
	ps, err := participants(ctx, l.client, l.path, latchKey)
	return ps, wrap("participants", l.path, err)
}

// Leader returns the election's leader, read from ZooKeeper. It fails
// with ErrNoLeader when there is no participant.
func (l *Latch) Leader(ctx context.Context) (Participant, error) {
	if err := l.usable(); err != nil {
		return Participant{}, wrap("leader", l.path, err)
	}
	p, err := leader(ctx, l.client, l.path, latchKey)
	return p, wrap("leader", l.path, err)
}

// Close leaves the election with the Latch's close mode (WithCloseMode):
// leadership ends (its context is cancelled with cause ErrClosed) and the
// node is deleted — with a guaranteed delete: if the first attempt fails,
// the client keeps trying in the background. Close waits for the Latch's
// goroutines. Closing the client closes a started Latch as well.
// Closing a Latch that was never started just makes it
// unusable. Close is idempotent: it returns nil when called again. After
// Close, Start, Await, Participants, Leader and Fenced fail with ErrClosed.
func (l *Latch) Close() error {
	if !l.made() {
		return errNotMade
	}
	return l.CloseWith(l.cfg.closeMode)
}

// CloseWith is Close with the given close mode.
func (l *Latch) CloseWith(mode CloseMode) error {
	if !l.made() {
		return errNotMade
	}
	switch l.markClosed() {
	case closed:
		<-l.done // closed already: wait for that Close to finish
		return nil
	case latent:
		close(l.done) // never started (and now cannot be): no goroutine
	}
	l.finishClose(mode)
	return nil
}

// finishClose ends the Latch's lifetime once it is marked closed: it
// stops the goroutine, waits for it and closes the listener bus.
func (l *Latch) finishClose(mode CloseMode) {
	if mode != CloseNotifyLeader {
		l.notify.Clear()
	}
	l.stop(ErrClosed)
	<-l.done
	l.notify.Clear()
	l.notify.Close()
}

// usable returns nil when the Latch can be used (made by NewLatch, not
// closed).
func (l *Latch) usable() error {
	if !l.made() {
		return errNotMade
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state == closed {
		return ErrClosed
	}
	return nil
}

// signalLocked wakes Await callers. l.mu is held.
func (l *Latch) signalLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// setNode records the Latch's node (nil: none). Only Start and the
// Latch's goroutine change it.
func (l *Latch) setNode(n *seqnode.Node) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.node = n
}

// currentNode returns the Latch's node (nil: none).
func (l *Latch) currentNode() *seqnode.Node {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.node
}

// setHold records h as the leadership (nil: none) and tells listeners.
func (l *Latch) setHold(h *seqnode.Hold) {
	if was, now := l.swapHold(h), h != nil; now != was {
		l.notify.Publish(now)
	}
}

// swapHold records h as the leadership, wakes Await callers and reports
// whether there was a leadership before.
func (l *Latch) swapHold(h *seqnode.Hold) (had bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	had = l.hold != nil
	l.hold = h
	l.signalLocked()
	return had
}

// run is the Latch's goroutine: every decision is taken here, from fresh
// reads, so no stale watch or callback can grant leadership. It alone
// changes l.node from Start on.
func (l *Latch) run() {
	defer close(l.done)
	bo := pause.New()
	for l.ctx.Err() == nil {
		err := l.contest()
		if err == nil {
			bo.Reset()
			continue
		}
		if l.ctx.Err() != nil || errors.Is(err, zk.ErrClosed) {
			break
		}
		// An operation failed (the retry policy gave up): try again later.
		bo.Wait(l.ctx)
	}
	l.setHold(nil)
	if n := l.currentNode(); n != nil {
		seqnode.Discard(l.ctx, l.client, n.Path)
	}
	l.setNode(nil)
	if l.ctx.Err() == nil && l.markClosed() == started {
		// The client was closed: the Latch can do nothing more, so it is
		// closed too (Await fails with ErrClosed instead of waiting).
		l.stop(ErrClosed)
		l.notify.Close()
	}
}

// contest runs one round: it makes sure the Latch's node is a node of the
// current session, waits until it is first, then leads until leading is
// no longer safe. It returns nil to start the next round at once.
func (l *Latch) contest() error {
	c := l.client
	n := l.currentNode()
	if n != nil && !n.OwnedBy(c) {
		// A node of a lost session: delete it (if the server has not
		// already) before making the new one, so that it can neither lead
		// nor hold the others back.
		done := seqnode.Discard(l.ctx, c, n.Path)
		select {
		case <-done:
		case <-l.ctx.Done():
			return nil
		}
		n = nil
		l.setNode(nil)
	}
	if n == nil {
		if err := seqnode.WaitSafe(l.ctx, c); err != nil {
			return err
		}
		var err error
		if n, err = seqnode.CreateDetached(l.ctx, c, l.path, latchLockName, []byte(l.id)); err != nil {
			return err
		}
		l.setNode(n)
	}
	h, err := seqnode.AwaitHold(l.ctx, c, n, latchKey, seqnode.Standard(1), nil, nil)
	switch {
	case errors.Is(err, seqnode.ErrUnsafe):
		return seqnode.WaitSafe(l.ctx, c)
	case errors.Is(err, seqnode.ErrNodeGone):
		l.setNode(nil) // deleted by someone (or with the session): make a new one
		return nil
	case errors.Is(err, seqnode.ErrNotOwner):
		return nil // the next round replaces it
	case err != nil:
		return err
	}
	l.setHold(h)
	select {
	case <-h.Context().Done():
	case <-l.ctx.Done():
		h.End(ErrClosed)
	}
	<-h.Done()
	l.setHold(nil)
	if l.ctx.Err() != nil {
		return nil
	}
	// Leadership ended: the connection is in doubt, the session is gone or
	// the node was deleted. Contest again once it is safe; the next round
	// sees which.
	return seqnode.WaitSafe(l.ctx, c)
}
