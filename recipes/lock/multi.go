package lock

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
)

// MultiLock holds several locks as one, like Curator's
// InterProcessMultiLock: Acquire takes them in the order given, and if one
// cannot be taken releases those already held (in reverse order); Release
// releases all of them in reverse order. Its held context ends when any
// lock's held context ends. It is re-entrant when its locks are. Make one
// with NewMultiLock: a zero MultiLock holds no locks, and its Acquire
// fails with an invalid-argument error.
type MultiLock struct {
	locks []Locker

	mu    sync.Mutex
	holds []*multiHold // one per Acquire not yet released
}

type multiHold struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	stops  []func() bool
}

// NewMultiLock returns a MultiLock over locks. It fails with
// ErrInvalidArgument when locks is empty or one of them is nil.
func NewMultiLock(locks ...Locker) (*MultiLock, error) {
	if len(locks) == 0 {
		return nil, fmt.Errorf("lock: new multi-lock: %w", seqnode.Invalid("no locks"))
	}
	for i, l := range locks {
		if l == nil || reflect.ValueOf(l).Kind() == reflect.Pointer && reflect.ValueOf(l).IsNil() {
			return nil, fmt.Errorf("lock: new multi-lock: %w", seqnode.Invalid("lock %d is nil", i))
		}
	}
	return &MultiLock{locks: append([]Locker(nil), locks...)}, nil
}

// Acquire takes every lock in order, or none: on failure the ones taken
// are released and the error returned. The held context is cancelled when
// any lock's held context ends (with that cause), or by Release.
func (m *MultiLock) Acquire(ctx context.Context) (held context.Context, err error) {
	return m.acquire(ctx, func(ctx context.Context, l Locker) (context.Context, bool, error) {
		h, err := l.Acquire(ctx)
		return h, err == nil, err
	})
}

// tryLocker is a Locker with a bounded wait.
type tryLocker interface {
	TryAcquire(ctx context.Context, wait time.Duration) (context.Context, bool, error)
}

// TryAcquire is Acquire that waits at most wait in all: each lock gets what
// is left of it. ok is false with a nil error (and nothing held) when a
// lock could not be taken in time.
func (m *MultiLock) TryAcquire(ctx context.Context, wait time.Duration) (held context.Context, ok bool, err error) {
	deadline := time.Now().Add(wait)
	held, err = m.acquire(ctx, func(ctx context.Context, l Locker) (context.Context, bool, error) {
		left := time.Until(deadline)
		if t, ok := l.(tryLocker); ok {
			return t.TryAcquire(ctx, left)
		}
		if left <= 0 {
			return nil, false, nil
		}
		tctx, cancel := context.WithTimeout(ctx, left)
		defer cancel()
		h, err := l.Acquire(tctx)
		if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, false, nil
		}
		return h, err == nil, err
	})
	if errors.Is(err, ErrTimeout) {
		return nil, false, nil
	}
	return held, err == nil, err
}

func (m *MultiLock) acquire(ctx context.Context, take func(context.Context, Locker) (context.Context, bool, error)) (context.Context, error) {
	if len(m.locks) == 0 {
		return nil, errNotMade
	}
	hctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	mh := &multiHold{ctx: hctx, cancel: cancel}
	for i, l := range m.locks {
		h, ok, err := take(ctx, l)
		if !ok {
			if err == nil {
				err = ErrTimeout
			}
			relErr := m.releaseLocks(context.WithoutCancel(ctx), m.locks[:i])
			mh.end(ErrReleased)
			return nil, errors.Join(fmt.Errorf("lock: multi-lock: lock %d: %w", i, err), relErr)
		}
		mh.stops = append(mh.stops, context.AfterFunc(h, func() { cancel(context.Cause(h)) }))
	}
	m.mu.Lock()
	m.holds = append(m.holds, mh)
	m.mu.Unlock()
	return hctx, nil
}

func (mh *multiHold) end(cause error) {
	for _, stop := range mh.stops {
		stop()
	}
	mh.cancel(cause)
}

// releaseLocks releases locks in reverse order, trying all of them.
func (m *MultiLock) releaseLocks(ctx context.Context, locks []Locker) error {
	var errs []error
	for i := len(locks) - 1; i >= 0; i-- {
		if err := locks[i].Release(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Release releases every lock once, in reverse order, ending the held
// context of the latest Acquire (cause ErrReleased). It tries every lock
// and returns their errors joined; ErrNotHeld when not held.
func (m *MultiLock) Release(ctx context.Context) error {
	m.mu.Lock()
	if len(m.holds) == 0 {
		m.mu.Unlock()
		return fmt.Errorf("lock: multi-lock release: %w", ErrNotHeld)
	}
	mh := m.holds[len(m.holds)-1]
	m.holds = m.holds[:len(m.holds)-1]
	m.mu.Unlock()
	mh.end(ErrReleased)
	return m.releaseLocks(ctx, m.locks)
}
