package lock

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/recipes/shared"
	"github.com/zkcurator/zkcurator/zk"
)

// Node names of a Semaphore, as Curator's InterProcessSemaphoreV2.
const (
	semLocksChild  = "locks"
	semLeasesChild = "leases"
	leaseLockName  = "lease-"
)

// Semaphore is a distributed counting semaphore, wire compatible with
// Curator's InterProcessSemaphoreV2: at most maxLeases leases are held at a
// time across all processes using path with the same maximum. The maximum
// is fixed (NewSemaphore) or read from a shared count node that every
// process watches (NewSemaphoreCount, Curator's SharedCountReader variant).
//
// Layout: acquirers take a Mutex on "<path>/locks" in turn; the one holding
// it creates its lease "<path>/leases/_c_<uuid>-lease-<seq10>" (ephemeral:
// leases die with their session, so none are orphaned) and waits, watching
// the children of "<path>/leases", until there are at most maxLeases
// leases, its own included. A Semaphore is safe for concurrent use.
//
// Make a Semaphore with NewSemaphore or NewSemaphoreCount: the methods of a
// zero Semaphore fail with an invalid-argument error. A Semaphore has no
// Close: each Lease is released on its own.
type Semaphore struct {
	client *zk.Client
	path   string
	max    int
	count  *shared.Count // nil: max is fixed
	cfg    config
	key    seqnode.Sorter
}

// NewSemaphore returns a Semaphore on path allowing maxLeases concurrent
// leases. WithData sets the lease nodes' data. It does not talk to
// ZooKeeper. It fails on a nil client or a maxLeases below 1
// (ErrInvalidArgument), an invalid path (zk.ErrInvalidPath) or an invalid
// option.
func NewSemaphore(client *zk.Client, path string, maxLeases int, opts ...Option) (*Semaphore, error) {
	if maxLeases < 1 {
		return nil, wrap("new semaphore", path, seqnode.Invalid("maxLeases %d < 1", maxLeases))
	}
	return newSemaphore(client, path, maxLeases, opts)
}

func newSemaphore(client *zk.Client, path string, maxLeases int, opts []Option) (*Semaphore, error) {
	if err := seqnode.CheckArgs(client, path); err != nil {
		return nil, wrap("new semaphore", path, err)
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, wrap("new semaphore", path, err)
	}
	return &Semaphore{client: client, path: path, max: maxLeases, cfg: cfg, key: seqnode.ByLockName(leaseLockName)}, nil
}

// NewSemaphoreCount returns a Semaphore on path whose maximum number of
// leases is the value of count, re-read whenever it changes: raising the
// count lets waiters in at once; lowering it lets no new lease in until
// enough leases are released (held leases are not revoked). A count value
// below 1 counts as 1. It fails as NewSemaphore does, and on a nil count.
func NewSemaphoreCount(client *zk.Client, path string, count *shared.Count, opts ...Option) (*Semaphore, error) {
	if count == nil {
		return nil, wrap("new semaphore", path, seqnode.Invalid("nil count"))
	}
	s, err := newSemaphore(client, path, 1, opts)
	if err != nil {
		return nil, err
	}
	s.count = count
	return s, nil
}

// maxLeases returns the current maximum and, for a shared count, a channel
// that receives an event when it changes (nil for a fixed maximum).
func (s *Semaphore) maxLeases(ctx context.Context) (int, <-chan zk.Event, error) {
	if s.count == nil {
		return s.max, nil, nil
	}
	v, ch, err := s.count.GetW(ctx)
	if err != nil {
		return 0, nil, err
	}
	return max(int(v), 1), ch, nil
}

// made reports whether s was made by a constructor.
func (s *Semaphore) made() bool { return s != nil && s.client != nil }

func (s *Semaphore) leasesPath() string { return zk.JoinPath(s.path, semLeasesChild) }

// Acquire blocks until a lease is held, or ctx ends. If ctx ends first its
// lease node (if made) is deleted.
func (s *Semaphore) Acquire(ctx context.Context) (*Lease, error) {
	if !s.made() {
		return nil, errNotMade
	}
	l, err := s.acquire(ctx, nil)
	return l, wrap("acquire lease", s.path, err)
}

// TryAcquire is Acquire waiting at most wait (0: checks once); ok is false
// with a nil error when no lease was free in time.
func (s *Semaphore) TryAcquire(ctx context.Context, wait time.Duration) (l *Lease, ok bool, err error) {
	if !s.made() {
		return nil, false, errNotMade
	}
	expire, stop := expiry(wait)
	defer stop()
	l, err = s.acquire(ctx, expire)
	if errors.Is(err, ErrTimeout) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrap("acquire lease", s.path, err)
	}
	return l, true, nil
}

func (s *Semaphore) acquire(ctx context.Context, expire <-chan time.Time) (*Lease, error) {
	// A fresh Mutex per call: a Mutex is re-entrant per value, and
	// concurrent callers must queue behind each other.
	lock := newMutex(s.client, zk.JoinPath(s.path, semLocksChild), mutexLockName,
		seqnode.ByLockName(mutexLockName), seqnode.Standard(1), config{})
	if _, err := lock.acquire(ctx, expire); err != nil {
		return nil, err
	}
	defer func() { _ = lock.Release(context.WithoutCancel(ctx)) }()

	for {
		n, err := seqnode.CreateDetached(ctx, s.client, s.leasesPath(), leaseLockName, s.cfg.data)
		if err != nil {
			return nil, err
		}
		h, err := s.await(ctx, n, expire)
		if err == nil {
			return &Lease{client: s.client, hold: h}, nil
		}
		seqnode.Discard(ctx, s.client, n.Path)
		switch {
		case errors.Is(err, seqnode.ErrNodeGone), errors.Is(err, seqnode.ErrNotOwner):
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue
		case errors.Is(err, seqnode.ErrExpired):
			return nil, ErrTimeout
		}
		return nil, err
	}
}

// await waits until our lease counts (at most max leases, ours included)
// and starts holding it.
func (s *Semaphore) await(ctx context.Context, n *seqnode.Node, expire <-chan time.Time) (*seqnode.Hold, error) {
	// A lost session ends the wait at once: our lease went with it.
	lost, unlisten := seqnode.NotifyLost(s.client)
	defer unlisten()
	for {
		if !n.OwnedBy(s.client) {
			return nil, fmt.Errorf("%w: %s", seqnode.ErrNotOwner, n.Path)
		}
		children, _, ch, err := s.client.ChildrenW(ctx, s.leasesPath())
		if errors.Is(err, zk.ErrNoNode) {
			return nil, fmt.Errorf("%w: %s", seqnode.ErrNodeGone, n.Path)
		}
		if err != nil {
			return nil, err
		}
		if seqnode.Index(children, n.Name) < 0 {
			return nil, fmt.Errorf("%w: %s", seqnode.ErrNodeGone, n.Path)
		}
		if !n.OwnedBy(s.client) {
			continue // the list was read in a later session
		}
		limit, countChanged, err := s.maxLeases(ctx)
		if err != nil {
			return nil, err
		}
		if len(children) <= limit {
			h, err := seqnode.StartHold(ctx, s.client, n, nil)
			if !errors.Is(err, seqnode.ErrUnsafe) {
				return h, err
			}
			if err := seqnode.WaitSafe(ctx, s.client); err != nil {
				return nil, err
			}
			continue
		}
		select {
		case <-ch:
		case <-countChanged:
		case <-lost:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-expire:
			return nil, seqnode.ErrExpired
		}
	}
}

// Participants returns the data of the lease nodes in sequence order.
func (s *Semaphore) Participants(ctx context.Context) ([]string, error) {
	if !s.made() {
		return nil, errNotMade
	}
	p, err := seqnode.ListData(ctx, s.client, s.leasesPath(), s.key)
	return p, wrap("participants", s.path, err)
}

// ParticipantNodes returns the paths of the lease nodes in sequence order.
func (s *Semaphore) ParticipantNodes(ctx context.Context) ([]string, error) {
	if !s.made() {
		return nil, errNotMade
	}
	names, err := seqnode.List(ctx, s.client, s.leasesPath(), s.key)
	if err != nil {
		return nil, wrap("participants", s.path, err)
	}
	for i, n := range names {
		names[i] = zk.JoinPath(s.leasesPath(), n)
	}
	return names, nil
}

// Lease is one lease of a Semaphore. It may be released from any
// goroutine. Leases are made only by a Semaphore's Acquire (a zero Lease
// cannot be used).
type Lease struct {
	client *zk.Client
	hold   *seqnode.Hold

	mu       sync.Mutex
	released bool
	done     <-chan struct{} // the node's guaranteed delete; nil before Release
}

// Context returns the lease's held context: cancelled (cause wrapping
// ErrLost) when holding it is no longer safe, or (ErrReleased) by Release.
func (l *Lease) Context() context.Context { return l.hold.Context() }

// Node returns the path of the lease node.
func (l *Lease) Node() string { return l.hold.Node().Path }

// FencingToken returns the lease node's czxid.
func (l *Lease) FencingToken() int64 { return l.hold.Node().Czxid }

// Fenced runs ops as one transaction that applies only while the lease
// is held: a check that its node still exists goes first in the same
// Multi. It fails with ErrNotHeld (nothing applied) after Release or when
// the node is gone; other errors are the Multi's. The results are those
// of ops.
func (l *Lease) Fenced(ctx context.Context, ops ...zk.Op) ([]zk.OpResult, error) {
	l.mu.Lock()
	released := l.released
	l.mu.Unlock()
	if l.hold == nil {
		return nil, errNotMade
	}
	if released {
		return nil, wrap("fenced", l.Node(), ErrNotHeld)
	}
	res, err := seqnode.Fenced(ctx, l.client, l.hold.Node(), ops...)
	return res, wrap("fenced", l.Node(), err)
}

// Deleted reports whether the lease was released and its node is known to
// be deleted (a release during a connection loss deletes it later).
func (l *Lease) Deleted() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.done != nil && isClosed(l.done)
}

// Release ends the lease and deletes its node with a guaranteed delete
// (retried in the background when it cannot be done now). A second
// Release fails with ErrNotHeld.
func (l *Lease) Release(ctx context.Context) error {
	l.mu.Lock()
	if l.released {
		l.mu.Unlock()
		return wrap("release lease", l.Node(), ErrNotHeld)
	}
	l.released = true
	l.done = make(chan struct{}) // not deleted yet
	l.mu.Unlock()
	l.hold.End(ErrReleased)
	done, err := l.client.DeleteGuaranteed(ctx, l.Node(), -1)
	l.mu.Lock()
	l.done = done
	l.mu.Unlock()
	if err != nil && isClosed(done) {
		return wrap("release lease", l.Node(), err)
	}
	return nil
}
