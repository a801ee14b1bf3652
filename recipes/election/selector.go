package election

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/recipes/internal/lifecycle"
	"github.com/zkcurator/zkcurator/recipes/internal/pause"
	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/recipes/lock"
	"github.com/zkcurator/zkcurator/zk"
)

// selectorKey orders a Selector's nodes: those of a lock.Mutex.
var selectorKey = seqnode.ByLockName("lock-")

// releaseBudget bounds the first attempt of the release after leading; the
// lock's guaranteed delete keeps trying in the background.
const releaseBudget = 5 * time.Second

// SelectorOption configures a Selector.
type SelectorOption func(*selectorConfig)

type selectorConfig struct {
	autoRequeue bool
	onError     func(error)
	err         error // the first invalid option value
}

// WithAutoRequeue makes the Selector queue up again each time leadership
// ends (Curator's autoRequeue): it keeps taking turns until Close. Without
// it, the Selector leads once per Start or Requeue.
func WithAutoRequeue() SelectorOption {
	return func(c *selectorConfig) { c.autoRequeue = true }
}

// WithErrorHandler sets a function told of errors the Selector cannot
// return to anyone: the leader function's error, and failures to join
// the election (which are retried with a backoff under auto-requeue). It
// runs on the Selector's goroutine. A nil f is an invalid option.
func WithErrorHandler(f func(error)) SelectorOption {
	return func(c *selectorConfig) {
		if f == nil {
			c.err = seqnode.Invalid("WithErrorHandler: nil handler")
		}
		c.onError = f
	}
}

// LeaderFunc is run by a Selector while it leads. Leadership ends when it
// returns. ctx is cancelled when leading is no longer safe (context.Cause
// wraps ErrLost), by Interrupt (ErrInterrupted) or by Close (ErrClosed):
// the function must stop acting and return then.
type LeaderFunc func(ctx context.Context) error

// Selector runs a function each time its participant becomes leader,
// wire compatible with Curator's LeaderSelector: participants take turns
// on a lock.Mutex on the election path whose nodes hold participant ids.
// A Selector is safe for concurrent use. Make one with NewSelector: the
// methods of a zero Selector fail with an invalid-argument error.
type Selector struct {
	client *zk.Client
	path   string
	id     string
	fn     LeaderFunc
	cfg    selectorConfig
	mutex  *lock.Mutex

	ctx  context.Context // the Selector's lifetime, ended by Close
	stop context.CancelCauseFunc
	wg   sync.WaitGroup

	mu      sync.Mutex
	state   lifecycle.State
	running bool // the goroutine is queued or leading
	lead    context.Context
	cancel  context.CancelCauseFunc // ends lead
}

// NewSelector returns a Selector for participant id on path that runs fn
// while it leads. It does not talk to ZooKeeper until Start. It fails on
// a nil client, a nil fn or a nil or invalid option (ErrInvalidArgument),
// or an invalid path (zk.ErrInvalidPath).
func NewSelector(client *zk.Client, path, id string, fn LeaderFunc, opts ...SelectorOption) (*Selector, error) {
	if err := seqnode.CheckArgs(client, path); err != nil {
		return nil, wrap("new selector", path, err)
	}
	if fn == nil {
		return nil, wrap("new selector", path, seqnode.Invalid("nil leader function"))
	}
	var cfg selectorConfig
	for i, o := range opts {
		if o == nil {
			return nil, wrap("new selector", path, seqnode.Invalid("option %d is nil", i))
		}
		if o(&cfg); cfg.err != nil {
			return nil, wrap("new selector", path, cfg.err)
		}
	}
	m, err := lock.NewMutex(client, path, lock.WithData([]byte(id)))
	if err != nil {
		return nil, wrap("new selector", path, err)
	}
	ctx, stop := context.WithCancelCause(context.Background())
	return &Selector{
		client: client,
		path:   path,
		id:     id,
		fn:     fn,
		cfg:    cfg,
		mutex:  m,
		ctx:    ctx,
		stop:   stop,
	}, nil
}

// made reports whether s was made by NewSelector.
func (s *Selector) made() bool { return s != nil && s.mutex != nil }

// usable returns nil when the Selector can be used (made by NewSelector,
// not closed).
func (s *Selector) usable() error {
	if !s.made() {
		return errNotMade
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == closed {
		return ErrClosed
	}
	return nil
}

// ID returns the participant id.
func (s *Selector) ID() string { return s.id }

// Path returns the election's path.
func (s *Selector) Path() string { return s.path }

// Start queues the Selector for leadership and returns; the function runs
// on the Selector's goroutine when it leads. A Selector can be started
// once (ErrStarted), not after Close (ErrClosed); use Requeue to queue it
// again. On a closed client it fails with zk.ErrClosed.
func (s *Selector) Start(ctx context.Context) error {
	if !s.made() {
		return errNotMade
	}
	if seqnode.IsClosed(s.client) {
		return wrap("start", s.path, zk.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return wrap("start", s.path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.state.Start(ErrStarted, ErrClosed); err != nil {
		return wrap("start", s.path, err)
	}
	s.queueLocked()
	return nil
}

// Requeue queues the Selector again if it is started and neither queued
// nor leading; it reports whether it did.
func (s *Selector) Requeue() bool {
	if !s.made() {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != started || s.running {
		return false
	}
	s.queueLocked()
	return true
}

func (s *Selector) queueLocked() {
	s.running = true
	s.wg.Add(1)
	go s.run()
}

// IsLeader reports whether the Selector leads now (its function runs and
// its context has not ended).
func (s *Selector) IsLeader() bool {
	if !s.made() {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lead != nil && s.lead.Err() == nil
}

// FencingToken returns the czxid of the Selector's lock node while it
// leads (holds the lock), 0 otherwise; see Latch.FencingToken.
func (s *Selector) FencingToken() int64 {
	if !s.made() {
		return 0
	}
	return s.mutex.FencingToken()
}

// Fenced runs ops as one transaction that applies only while the Selector
// leads: a check that its lock node still exists goes first in the same
// Multi. It fails with ErrNotLeader (nothing applied) when the Selector
// does not hold the lock or its node is gone, with ErrClosed (and
// ErrNotLeader) after Close; other errors are the Multi's. The results
// are those of ops. Call it from the LeaderFunc.
func (s *Selector) Fenced(ctx context.Context, ops ...zk.Op) ([]zk.OpResult, error) {
	if !s.made() {
		return nil, errNotMade
	}
	if err := s.usable(); err != nil {
		return nil, wrap("fenced", s.path, fmt.Errorf("%w: %w", err, ErrNotLeader))
	}
	res, err := s.mutex.Fenced(ctx, ops...)
	return res, wrap("fenced", s.path, err)
}

// Interrupt ends the current leadership: the function's context is
// cancelled with cause ErrInterrupted. With auto-requeue the Selector
// queues up again once the function has returned. It does nothing when
// the Selector does not lead.
func (s *Selector) Interrupt() {
	if !s.made() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel(ErrInterrupted)
	}
}

// Participants returns the election's participants, read from ZooKeeper:
// their ids, in order, the leader first.
func (s *Selector) Participants(ctx context.Context) ([]Participant, error) {
	if err := s.usable(); err != nil {
		return nil, wrap("participants", s.path, err)
	}
	ps, err := participants(ctx, s.client, s.path, selectorKey)
	return ps, wrap("participants", s.path, err)
}

// Leader returns the election's leader, read from ZooKeeper, or
// ErrNoLeader when there is no participant.
func (s *Selector) Leader(ctx context.Context) (Participant, error) {
	if err := s.usable(); err != nil {
		return Participant{}, wrap("leader", s.path, err)
	}
	p, err := leader(ctx, s.client, s.path, selectorKey)
	return p, wrap("leader", s.path, err)
}

// Close leaves the election: a running function's context is cancelled
// (cause ErrClosed), Close waits for it to return, and the Selector's
// node is deleted (a guaranteed delete). Close is idempotent: it returns
// nil when called again (once the first Close has finished). After Close,
// Start, Participants, Leader and Fenced fail with ErrClosed.
func (s *Selector) Close() error {
	if !s.made() {
		return errNotMade
	}
	s.mu.Lock()
	if s.state.Close() == closed {
		s.mu.Unlock()
		s.wg.Wait()
		return nil
	}
	if s.cancel != nil {
		s.cancel(ErrClosed)
	}
	s.mu.Unlock()
	s.stop(ErrClosed)
	s.wg.Wait()
	return nil
}

// run is the Selector's goroutine: it takes turns until leadership ended
// once (or, with auto-requeue, until Close).
func (s *Selector) run() {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		s.running = false
		s.mu.Unlock()
	}()
	bo := pause.New()
	for s.ctx.Err() == nil {
		err := s.leadOnce()
		if err != nil {
			s.report(err)
		}
		if !s.cfg.autoRequeue || s.ctx.Err() != nil || errors.Is(err, zk.ErrClosed) {
			return
		}
		if err == nil {
			bo.Reset()
			continue
		}
		bo.Wait(s.ctx)
	}
}

func (s *Selector) report(err error) {
	if s.cfg.onError != nil && !errors.Is(err, ErrClosed) && s.ctx.Err() == nil {
		s.cfg.onError(err)
	}
}

// leadOnce waits for the lock, runs the function while holding it, then
// releases it.
func (s *Selector) leadOnce() error {
	held, err := s.mutex.Acquire(s.ctx)
	if err != nil {
		if s.ctx.Err() != nil {
			return nil
		}
		return err
	}
	lead, cancel := context.WithCancelCause(held)
	s.mu.Lock()
	closing := s.state == closed
	s.lead, s.cancel = lead, cancel
	s.mu.Unlock()
	if closing {
		cancel(ErrClosed)
	}
	if held.Err() == nil {
		err = s.fn(lead)
	}
	cancel(nil)
	s.mu.Lock()
	s.lead, s.cancel = nil, nil
	s.mu.Unlock()
	rctx, rcancel := context.WithTimeout(context.Background(), releaseBudget)
	defer rcancel()
	if rerr := s.mutex.Release(rctx); rerr != nil && err == nil {
		err = rerr
	}
	return err
}
