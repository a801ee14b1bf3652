package lock

import "context"

// Locker is a lock that MultiLock can combine: Mutex, SemaphoreMutex,
// the locks of an RWMutex, and MultiLock itself.
type Locker interface {
	// Acquire blocks until the lock is held or ctx ends, and returns the
	// held context: it is cancelled when holding is no longer safe.
	Acquire(ctx context.Context) (held context.Context, err error)
	// Release releases one hold of the lock.
	Release(ctx context.Context) error
}
