package atomic

import (
	"context"
	"time"

	"github.com/zkcurator/zkcurator/recipes/lock"
	"github.com/zkcurator/zkcurator/zk"
)

// locker is the part of lock.Mutex promoted mode uses.
type locker interface {
	TryAcquire(ctx context.Context, wait time.Duration) (bool, error)
	Release(ctx context.Context) error
}

// mutexLocker adapts lock.Mutex (whose TryAcquire also returns the held
// context) to locker.
type mutexLocker struct{ m *lock.Mutex }

func (l mutexLocker) TryAcquire(ctx context.Context, wait time.Duration) (bool, error) {
	_, ok, err := l.m.TryAcquire(ctx, wait)
	return ok, err
}

func (l mutexLocker) Release(ctx context.Context) error { return l.m.Release(ctx) }

// newLock is the one place that constructs the promotion lock (Curator's
// InterProcessMutex on the PromotedToLock path).
func newLock(client *zk.Client, path string) (locker, error) {
	m, err := lock.NewMutex(client, path)
	if err != nil {
		return nil, err
	}
	return mutexLocker{m}, nil
}
