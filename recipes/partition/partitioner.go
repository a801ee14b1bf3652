// Package partition is kazoo's SetPartitioner: the members of a party
// agree on a split of a set of items (say, queue names or shard ids), each
// member takes the lock of every item it was given, and when members come
// or go the split is redone.
//
// Layout (kazoo's): members are a ShallowParty under "<path>/party" (nodes
// "<uuid hex>-<id>"), and the lock of item x is a lock.Mutex (Curator's
// InterProcessMutex layout) at "<path>/locks/<x>". Because a member only
// reports the Acquired state once it holds the lock of every item it was
// given, and gives the locks up only after its work on them ended, no item
// is ever held by two members at once, even while members disagree about
// the membership.
//
// States follow kazoo's: Allocating (waiting for the membership to settle
// for the time boundary, then taking the locks), Acquired (the items are
// this member's), Release (the membership changed or a lock was lost: stop
// working on the items and call Release, which gives the locks up and
// allocates again) and Failure (after Close). Unlike kazoo's, a lost
// session is not a failure: the member re-joins in its new session and
// allocates again.
//
// The loop a Go program writes:
//
//	for a, err := range p.Assignments(ctx) {
//		if err != nil { ... }
//		work(a.Held, a.Partitions) // return when a.Held is done
//	}
package partition

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/recipes/internal/lifecycle"
	"github.com/zkcurator/zkcurator/recipes/internal/pause"
	"github.com/zkcurator/zkcurator/recipes/lock"
	"github.com/zkcurator/zkcurator/recipes/party"
	"github.com/zkcurator/zkcurator/zk"
)

// State is a Partitioner's state (kazoo's PartitionState).
type State int

const (
	// Allocating: the set is being split and the locks taken.
	Allocating State = iota
	// Acquired: the member holds the locks of its partitions.
	Acquired
	// Release: the split must be redone; stop working and call Release.
	Release
	// Failure: the Partitioner was closed.
	Failure
)

// String returns kazoo's name of the state.
func (s State) String() string {
	switch s {
	case Allocating:
		return "ALLOCATING"
	case Acquired:
		return "ACQUIRED"
	case Release:
		return "RELEASE"
	case Failure:
		return "FAILURE"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// ErrRebalance is the cause of an Assignment's Held context ending because
// the membership changed or Release was called.
var ErrRebalance = errors.New("partition: set is being repartitioned")

// ErrStarted is returned by Start on a Partitioner already started.
var ErrStarted = errors.New("partition: already started")

// Assignment is the part of the set this member holds.
type Assignment struct {
	// Partitions are this member's items, sorted.
	Partitions []string
	// Held is cancelled the moment the assignment ends: the membership
	// changed (cause ErrRebalance), a lock was lost (the lock's cause,
	// wrapping lock.ErrLost) or the Partitioner was closed.
	Held context.Context
}

// Partitioner is one member's view of a partitioned set. It is safe for
// concurrent use. Close leaves the party and releases the locks; it is
// idempotent and later calls fail with zk.ErrClosed.
type Partitioner struct {
	c     *zk.Client
	path  string
	set   []string
	o     options
	party *party.Party

	mu       sync.Mutex
	state    State
	life     lifecycle.State
	changed  chan struct{} // closed and replaced at each state change
	assigned Assignment
	release  chan struct{} // a Release call asks the loop to release
	stop     context.CancelFunc
	done     chan struct{}
}

// New returns the Partitioner of set at path; Start joins. It fails on a
// nil client or option or an empty item (zk.ErrInvalidArgument), an
// invalid path or an item that is not a valid node name
// (zk.ErrInvalidPath), or an invalid option.
func New(c *zk.Client, path string, set []string, opts ...Option) (*Partitioner, error) {
	fail := func(err error) (*Partitioner, error) {
		return nil, fmt.Errorf("partition: new %s: %w", path, err)
	}
	if c == nil {
		return fail(fmt.Errorf("nil client: %w", zk.ErrInvalidArgument))
	}
	if err := zk.ValidatePath(path, false); err != nil {
		return fail(err)
	}
	for _, it := range set {
		if it == "" || strings.Contains(it, "/") || zk.ValidatePath("/"+it, false) != nil {
			return fail(fmt.Errorf("item %q is not a node name: %w", it, zk.ErrInvalidPath))
		}
	}
	o, err := makeOptions(opts)
	if err != nil {
		return fail(err)
	}
	pt, err := party.NewShallow(c, zk.JoinPath(path, "party"), o.id)
	if err != nil {
		return fail(err)
	}
	return &Partitioner{c: c, path: path, set: slices.Clone(set), o: o, party: pt,
		changed: make(chan struct{}), release: make(chan struct{}, 1), done: make(chan struct{})}, nil
}

// ID returns this member's identifier.
func (p *Partitioner) ID() string { return p.o.id }

// Start joins the party and starts allocating in the background. It fails
// when already started (ErrStarted), after Close (zk.ErrClosed) or when the
// party cannot be joined (the Partitioner is then closed).
func (p *Partitioner) Start(ctx context.Context) error {
	p.mu.Lock()
	if err := p.life.Start(ErrStarted, zk.ErrClosed); err != nil {
		p.mu.Unlock()
		return fmt.Errorf("partition: start %s: %w", p.path, err)
	}
	loop, stop := context.WithCancel(context.Background())
	p.stop = stop
	p.mu.Unlock()
	if err := p.party.Join(ctx); err != nil {
		stop()
		close(p.done)
		_ = p.Close()
		return fmt.Errorf("partition: start %s: %w", p.path, err)
	}
	go p.run(loop)
	return nil
}

// State returns the current state.
func (p *Partitioner) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// setState moves to s and wakes the waiters.
func (p *Partitioner) setState(s State, a Assignment) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == Failure {
		return
	}
	p.state, p.assigned = s, a
	close(p.changed)
	p.changed = make(chan struct{})
}

// Wait waits for an assignment and returns it: in the Acquired state, or
// in the Release state when the assignment already ended before Wait saw
// it (its Held is then done: call Release). It fails with ctx's error, and
// with zk.ErrClosed after Close.
func (p *Partitioner) Wait(ctx context.Context) (Assignment, error) {
	for {
		p.mu.Lock()
		s, a, ch, closed := p.state, p.assigned, p.changed, p.life == lifecycle.Closed
		p.mu.Unlock()
		switch {
		case closed || s == Failure:
			return Assignment{}, fmt.Errorf("partition: wait %s: %w", p.path, zk.ErrClosed)
		case s == Acquired || s == Release:
			return a, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return Assignment{}, fmt.Errorf("partition: wait %s: %w", p.path, ctx.Err())
		}
	}
}

// Release gives up the current partitions (kazoo's release_set): it ends
// the assignment's Held context if it has not ended, releases the locks
// and starts allocating again. Call it once the work on the partitions has
// stopped, as soon as the state is Release. It returns once the locks are
// released, or with ctx's error, or zk.ErrClosed after Close; with nothing
// held it only waits for a running allocation to be restarted.
func (p *Partitioner) Release(ctx context.Context) error {
	p.mu.Lock()
	closed := p.life == lifecycle.Closed
	p.mu.Unlock()
	if closed {
		return fmt.Errorf("partition: release %s: %w", p.path, zk.ErrClosed)
	}
	p.mu.Lock()
	s := p.state
	p.mu.Unlock()
	if s != Acquired && s != Release {
		return nil // nothing held: an allocation is running
	}
	select {
	case p.release <- struct{}{}:
	default: // one request pending already
	}
	for {
		p.mu.Lock()
		s, ch, pending := p.state, p.changed, len(p.release)
		p.mu.Unlock()
		if s == Failure {
			return fmt.Errorf("partition: release %s: %w", p.path, zk.ErrClosed)
		}
		if pending == 0 && s != Acquired && s != Release {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("partition: release %s: %w", p.path, ctx.Err())
		}
	}
}

// Assignments yields each assignment this member gets, waiting for the
// next one after the loop body returned and the assignment ended, and
// releasing it before allocating again. The body must return once the
// yielded Held is done (it also ends with ctx). An error (ctx ended, Close) is yielded
// once and ends the iteration; breaking out of the loop keeps the current
// partitions until Release or Close.
func (p *Partitioner) Assignments(ctx context.Context) iter.Seq2[Assignment, error] {
	return func(yield func(Assignment, error) bool) {
		for {
			a, err := p.Wait(ctx)
			if err != nil {
				yield(Assignment{}, err)
				return
			}
			if a.Held.Err() != nil { // ended before we saw it
				if err := p.Release(ctx); err != nil {
					yield(Assignment{}, err)
					return
				}
				continue
			}
			held, end := context.WithCancelCause(a.Held)
			stop := context.AfterFunc(ctx, func() { end(ctx.Err()) })
			more := yield(Assignment{Partitions: a.Partitions, Held: held}, nil)
			stop()
			end(nil)
			if !more {
				return
			}
			select {
			case <-a.Held.Done():
			case <-ctx.Done():
				yield(Assignment{}, fmt.Errorf("partition: %s: %w", p.path, ctx.Err()))
				return
			}
			if err := p.Release(ctx); err != nil {
				yield(Assignment{}, err)
				return
			}
		}
	}
}

// Close releases the locks, leaves the party and moves to Failure (kazoo's
// finish). It is idempotent.
func (p *Partitioner) Close() error {
	p.mu.Lock()
	was, stop := p.life.Close(), p.stop
	p.mu.Unlock()
	if was == lifecycle.Closed {
		return nil
	}
	if was == lifecycle.Started {
		stop()
		<-p.done
	}
	p.setState(Failure, Assignment{})
	return p.party.Close()
}

// run is the allocation loop: settle, lock, hold, release, again.
func (p *Partitioner) run(ctx context.Context) {
	defer close(p.done)
	pauses := pause.Doubling(50*time.Millisecond, 2*time.Second)
	for ctx.Err() == nil {
		err := p.round(ctx)
		if err == nil || ctx.Err() != nil {
			pauses.Reset()
			continue
		}
		pauses.Wait(ctx)
	}
}

// round is one allocation: it returns after the locks it took were
// released again.
func (p *Partitioner) round(ctx context.Context) error {
	p.setState(Allocating, Assignment{})
	select {
	case <-p.release: // a Release asked before this round has been served
	default:
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	members, changed, err := p.settle(rctx)
	if err != nil {
		return err
	}
	parts := slices.Sorted(slices.Values(p.o.fn(p.o.id, members, slices.Clone(p.set))))
	var locks []*lock.Mutex
	defer func() { // the locks go in every case, after the work stopped
		for _, m := range locks {
			_ = m.Release(context.WithoutCancel(ctx))
		}
	}()
	var helds []context.Context
	for _, part := range parts {
		m, err := lock.NewMutex(p.c, zk.JoinPath(zk.JoinPath(p.path, "locks"), part))
		if err != nil {
			return err
		}
		held, err := p.lockOne(rctx, m, changed)
		if err != nil || held == nil {
			return err // nil, nil: the membership changed; allocate again
		}
		locks, helds = append(locks, m), append(helds, held)
	}
	held, end := context.WithCancelCause(ctx)
	defer end(ErrRebalance)
	p.setState(Acquired, Assignment{Partitions: parts, Held: held})
	p.hold(rctx, changed, helds, end)
	p.setState(Release, Assignment{Partitions: parts, Held: held})
	select { // wait for the Release call
	case <-p.release:
	case <-ctx.Done():
	}
	return nil
}

// lockOne takes m's lock, trying again every max reaction time until it
// has it or the membership changed (nil, nil).
func (p *Partitioner) lockOne(ctx context.Context, m *lock.Mutex, changed <-chan struct{}) (context.Context, error) {
	for {
		held, ok, err := m.TryAcquire(ctx, p.o.reaction)
		if err != nil {
			return nil, err
		}
		if ok {
			return held, nil
		}
		select {
		case <-changed:
			return nil, nil
		default:
		}
	}
}

// hold waits until the assignment must end and ends it with the cause.
func (p *Partitioner) hold(ctx context.Context, changed <-chan struct{}, helds []context.Context, end context.CancelCauseFunc) {
	lost := make(chan error, 1)
	for _, h := range helds {
		stop := context.AfterFunc(h, func() {
			select {
			case lost <- context.Cause(h):
			default:
			}
		})
		defer stop()
	}
	select {
	case <-changed:
		end(ErrRebalance)
	case err := <-lost:
		end(err)
	case <-p.release:
		end(ErrRebalance)
		select { // served by this round: let Release's caller see it
		case p.release <- struct{}{}:
		default:
		}
	case <-ctx.Done():
		end(ctx.Err())
	}
}

// settle is kazoo's PatientChildrenWatch: it waits until the party's
// membership (with this member in it) has not changed for the time
// boundary and returns it, with a channel closed at its next change.
func (p *Partitioner) settle(ctx context.Context) ([]string, <-chan struct{}, error) {
	partyPath := zk.JoinPath(p.path, "party")
	for {
		children, _, ch, err := p.c.ChildrenW(ctx, partyPath)
		if errors.Is(err, zk.ErrNoNode) {
			err = p.c.EnsureContainers(ctx, partyPath)
			if err == nil {
				continue
			}
		}
		if err != nil {
			return nil, nil, err
		}
		t := time.NewTimer(p.o.boundary)
		select {
		case <-ch:
			t.Stop()
			continue
		case <-ctx.Done():
			t.Stop()
			return nil, nil, ctx.Err()
		case <-t.C:
		}
		var members []string
		for _, c := range children {
			if _, id, ok := strings.Cut(c, "-"); ok {
				members = append(members, id)
			}
		}
		changed := make(chan struct{})
		go func() {
			select {
			case <-ch:
				close(changed)
			case <-ctx.Done():
			}
		}()
		if !slices.Contains(members, p.o.id) { // our node is being re-made
			select {
			case <-changed:
				continue
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			}
		}
		slices.Sort(members)
		return members, changed, nil
	}
}
