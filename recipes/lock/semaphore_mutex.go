package lock

import (
	"context"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/zk"
)

// SemaphoreMutex is a non re-entrant distributed lock that may be released
// from another goroutine than the one that acquired it, wire compatible
// with Curator's InterProcessSemaphoreMutex (a Semaphore with one lease:
// nodes under "<path>/locks" and "<path>/leases"). An Acquire while it is
// held waits for the Release, like any other contender. It is safe for
// concurrent use. Make one with NewSemaphoreMutex: the methods of a zero
// SemaphoreMutex fail with an invalid-argument error.
type SemaphoreMutex struct {
	sem *Semaphore

	mu    sync.Mutex
	lease *Lease
}

// NewSemaphoreMutex returns a SemaphoreMutex on path. It does not talk to
// ZooKeeper. It fails as NewMutex does.
func NewSemaphoreMutex(client *zk.Client, path string, opts ...Option) (*SemaphoreMutex, error) {
	sem, err := NewSemaphore(client, path, 1, opts...)
	if err != nil {
		return nil, err
	}
	return &SemaphoreMutex{sem: sem}, nil
}

// Acquire blocks until the lock is held, or ctx ends, and returns the held
// context (see Mutex.Acquire).
func (m *SemaphoreMutex) Acquire(ctx context.Context) (held context.Context, err error) {
	l, err := m.sem.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	m.set(l)
	return l.Context(), nil
}

// TryAcquire is Acquire waiting at most wait (0: checks once); ok is false
// with a nil error when the lock was not free in time.
func (m *SemaphoreMutex) TryAcquire(ctx context.Context, wait time.Duration) (held context.Context, ok bool, err error) {
	l, ok, err := m.sem.TryAcquire(ctx, wait)
	if !ok {
		return nil, false, err
	}
	m.set(l)
	return l.Context(), true, nil
}

func (m *SemaphoreMutex) set(l *Lease) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lease = l
}

// Release releases the lock (from any goroutine); ErrNotHeld when it is not
// held. The node is deleted with a guaranteed delete.
func (m *SemaphoreMutex) Release(ctx context.Context) error {
	if !m.sem.made() {
		return errNotMade
	}
	m.mu.Lock()
	l := m.lease
	m.lease = nil
	m.mu.Unlock()
	if l == nil {
		return wrap("release", m.sem.path, ErrNotHeld)
	}
	return l.Release(ctx)
}

// IsHeld reports whether the lock is held and the hold has not ended.
func (m *SemaphoreMutex) IsHeld() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lease != nil && m.lease.Context().Err() == nil
}

// FencingToken returns the czxid of the held lease node, 0 when not held.
func (m *SemaphoreMutex) FencingToken() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lease == nil {
		return 0
	}
	return m.lease.FencingToken()
}

// Fenced runs ops as one transaction that applies only while the lock is
// held (see Lease.Fenced); ErrNotHeld when it is not held.
func (m *SemaphoreMutex) Fenced(ctx context.Context, ops ...zk.Op) ([]zk.OpResult, error) {
	if !m.sem.made() {
		return nil, errNotMade
	}
	m.mu.Lock()
	l := m.lease
	m.mu.Unlock()
	if l == nil {
		return nil, wrap("fenced", m.sem.path, ErrNotHeld)
	}
	return l.Fenced(ctx, ops...)
}

// Participants returns the data of the lease nodes (at most one holder,
// plus waiters being admitted).
func (m *SemaphoreMutex) Participants(ctx context.Context) ([]string, error) {
	if !m.sem.made() {
		return nil, errNotMade
	}
	return m.sem.Participants(ctx)
}
