// Package reaper is Curator's Reaper and ChildReaper (from Curator 2.x–4.x;
// Curator 5 dropped them in favour of container nodes): background clean-up
// of nodes that are left empty, such as the parents of locks and elections
// on servers without containers, or containers kept alive by stray
// children.
//
// A Reaper checks each of its paths every threshold/3 and deletes a path
// once it was found without children three times in a row, so a path
// emptied for a moment is left alone. A ChildReaper lists the children of
// its paths every threshold and hands the empty ones (and, with a lock
// schema, their empty sub-nodes) to its Reaper. With a leader path only the
// elected leader among the reapers on that path (an election.Latch) deletes
// anything, so a fleet of processes can run one each.
//
// Deletes are conditional on the node's version and fail harmlessly when a
// child appeared meanwhile (ZooKeeper refuses to delete a node with
// children), so a path being re-used is never removed under its user.
package reaper

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/recipes/election"
	"github.com/zkcurator/zkcurator/recipes/internal/lifecycle"
	"github.com/zkcurator/zkcurator/zk"
)

// Mode says what a Reaper does with a path after it deleted it (Curator's
// Reaper.Mode).
type Mode int

const (
	// ReapIndefinitely keeps checking the path after deleting it, for when
	// it is created again.
	ReapIndefinitely Mode = iota
	// ReapUntilDelete stops checking the path once this Reaper deleted it.
	ReapUntilDelete
	// ReapUntilGone stops checking the path once it is gone, deleted by
	// this Reaper or anyone else.
	ReapUntilGone
)

// emptyChecks is how many checks in a row must find a path empty before it
// is deleted (Curator's EMPTY_COUNT_THRESHOLD).
const emptyChecks = 3

// DefaultThreshold is how long a path must stay empty before a Reaper
// deletes it, unless WithThreshold says otherwise (Curator's 5 minutes).
const DefaultThreshold = 5 * time.Minute

// Option configures a Reaper or a ChildReaper.
type Option func(*options) error

type options struct {
	threshold   time.Duration
	leaderPath  string
	lockSchema  []string
	maxChildren int
}

// WithThreshold sets how long a path must stay empty before it is deleted
// (checked every threshold/3); a ChildReaper also lists its paths every
// threshold. It must be positive.
func WithThreshold(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("threshold %v: %w", d, zk.ErrInvalidArgument)
		}
		o.threshold = d
		return nil
	}
}

// WithLeaderPath makes the reaper delete only while it leads the election
// on path (Curator's leaderPath), so that of many processes running a
// reaper on the same paths one does the work.
func WithLeaderPath(path string) Option {
	return func(o *options) error {
		if err := zk.ValidatePath(path, false); err != nil {
			return fmt.Errorf("leader path: %w", err)
		}
		o.leaderPath = path
		return nil
	}
}

func makeOptions(opts []Option) (options, error) {
	o := options{threshold: DefaultThreshold}
	for _, opt := range opts {
		if opt == nil {
			return o, fmt.Errorf("nil option: %w", zk.ErrInvalidArgument)
		}
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// Reaper deletes paths that stay empty (Curator's Reaper). It is safe for
// concurrent use. Close stops it; Close is idempotent and later calls fail
// with zk.ErrClosed.
type Reaper struct {
	c         *zk.Client
	o         options
	latch     *election.Latch // nil: always active
	ownsLatch bool

	mu    sync.Mutex
	life  lifecycle.State
	paths map[string]*entry // the paths being watched
	stop  context.CancelFunc
	done  chan struct{}
}

type entry struct {
	mode  Mode
	empty int // checks in a row that found it empty
}

// ErrStarted is returned by Start on a reaper already started.
var ErrStarted = errors.New("reaper: already started")

// New returns a Reaper with no paths; Start starts it. It fails on a nil
// client or option (zk.ErrInvalidArgument) or an invalid option.
func New(c *zk.Client, opts ...Option) (*Reaper, error) {
	o, err := makeOptions(opts)
	if err == nil && c == nil {
		err = fmt.Errorf("nil client: %w", zk.ErrInvalidArgument)
	}
	if err != nil {
		return nil, fmt.Errorf("reaper: new: %w", err)
	}
	return newReaper(c, o, nil)
}

func newReaper(c *zk.Client, o options, latch *election.Latch) (*Reaper, error) {
	r := &Reaper{c: c, o: o, latch: latch, paths: map[string]*entry{}, done: make(chan struct{})}
	if latch == nil && o.leaderPath != "" {
		l, err := election.NewLatch(c, o.leaderPath, zk.NewUUID())
		if err != nil {
			return nil, fmt.Errorf("reaper: new: %w", err)
		}
		r.latch, r.ownsLatch = l, true
	}
	return r, nil
}

// AddPath has the Reaper watch path in mode (replacing its mode if it was
// watched already). It fails on an invalid path (zk.ErrInvalidPath) and
// after Close (zk.ErrClosed).
func (r *Reaper) AddPath(path string, mode Mode) error {
	if err := zk.ValidatePath(path, false); err != nil || path == "/" {
		return fmt.Errorf("reaper: add path %q: %w", path, errors.Join(err, zk.ErrInvalidPath))
	}
	if mode < ReapIndefinitely || mode > ReapUntilGone {
		return fmt.Errorf("reaper: add path %s: mode %d: %w", path, mode, zk.ErrInvalidArgument)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.life == lifecycle.Closed {
		return fmt.Errorf("reaper: add path %s: %w", path, zk.ErrClosed)
	}
	if e, ok := r.paths[path]; ok {
		e.mode = mode
		return nil
	}
	r.paths[path] = &entry{mode: mode}
	return nil
}

// RemovePath stops watching path and reports whether it was watched.
func (r *Reaper) RemovePath(path string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.paths[path]
	delete(r.paths, path)
	return ok
}

// Paths returns the number of paths being watched.
func (r *Reaper) Paths() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.paths)
}

// Start joins the leader election (with a leader path) and starts checking
// in the background. It fails when already started (ErrStarted), after
// Close (zk.ErrClosed), or when the election cannot be joined.
func (r *Reaper) Start(ctx context.Context) error {
	return r.start(ctx, r.o.threshold/emptyChecks, r.checkAll)
}

// start runs tick every interval in the background.
func (r *Reaper) start(ctx context.Context, interval time.Duration, tick func(context.Context)) error {
	r.mu.Lock()
	if err := r.life.Start(ErrStarted, zk.ErrClosed); err != nil {
		r.mu.Unlock()
		return fmt.Errorf("reaper: start: %w", err)
	}
	loop, stop := context.WithCancel(context.Background())
	r.stop = stop
	r.mu.Unlock()
	if r.ownsLatch {
		if err := r.latch.Start(ctx); err != nil {
			close(r.done) // no loop to wait for
			_ = r.Close()
			return fmt.Errorf("reaper: start: %w", err)
		}
	}
	go func() {
		defer close(r.done)
		t := time.NewTicker(max(interval, time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-loop.Done():
				return
			case <-t.C:
				if r.active() {
					tick(loop)
				}
			}
		}
	}()
	return nil
}

// active reports whether this reaper may delete: no election, or leading.
func (r *Reaper) active() bool { return r.latch == nil || r.latch.IsLeader() }

// checkAll checks every path once.
func (r *Reaper) checkAll(ctx context.Context) {
	r.mu.Lock()
	paths := make([]string, 0, len(r.paths))
	for p := range r.paths {
		paths = append(paths, p)
	}
	r.mu.Unlock()
	for _, p := range paths {
		if ctx.Err() != nil || !r.active() {
			return
		}
		r.check(ctx, p)
	}
}

// check is Curator's Reaper.reap for one path.
func (r *Reaper) check(ctx context.Context, path string) {
	ok, st, err := r.c.Exists(ctx, path)
	if err != nil {
		return // Curator logs and tries again next time
	}
	r.mu.Lock()
	e := r.paths[path]
	var mode Mode
	var empty int
	if e != nil {
		mode, empty = e.mode, e.empty
	}
	r.mu.Unlock()
	if e == nil {
		return // removed meanwhile
	}
	done := false // stop watching path
	switch {
	case !ok:
		empty = 0
		done = mode == ReapUntilGone
	case st.NumChildren > 0:
		empty = 0
	case empty+1 < emptyChecks:
		empty++
	default:
		empty = 0
		err := r.c.Delete(ctx, path, st.Version)
		switch {
		case err == nil:
			done = mode != ReapIndefinitely
		case errors.Is(err, zk.ErrNoNode):
			done = mode == ReapUntilGone
		}
		// ErrNotEmpty, ErrBadVersion: re-used meanwhile; others: next time
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.paths[path] == e {
		e.empty = empty
		if done {
			delete(r.paths, path)
		}
	}
}

// Close stops the reaper and leaves the election. It is idempotent.
func (r *Reaper) Close() error {
	r.mu.Lock()
	was, stop := r.life.Close(), r.stop
	r.mu.Unlock()
	if was == lifecycle.Closed {
		return nil
	}
	if was == lifecycle.Started {
		stop()
		<-r.done
	}
	if r.ownsLatch {
		return r.latch.Close()
	}
	return nil
}

// usable returns zk.ErrClosed (wrapped with op) after Close.
func (r *Reaper) usable(op string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.life == lifecycle.Closed {
		return fmt.Errorf("reaper: %s: %w", op, zk.ErrClosed)
	}
	return nil
}
