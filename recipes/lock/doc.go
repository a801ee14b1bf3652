// Package lock provides distributed locks on ZooKeeper that are wire
// compatible with Apache Curator 5.x's InterProcessMutex,
// InterProcessSemaphoreMutex, InterProcessReadWriteLock,
// InterProcessSemaphoreV2 and InterProcessMultiLock: Go and Java services
// can contend for the same lock.
//
// Unlike Curator, acquiring returns a held context that is cancelled the
// moment holding is no longer safe — the connection is Suspended (under
// the client's standard error policy), the session is Lost, or the lock
// node was deleted by someone else — and every holder has a fencing token
// (the lock node's czxid) to hand to the resource it protects:
//
//	m, err := lock.NewMutex(client, "/locks/orders")
//	if err != nil { ... }
//	held, err := m.Acquire(ctx)
//	if err != nil { ... }
//	defer m.Release(context.WithoutCancel(ctx))
//	for work := range jobs {
//		if held.Err() != nil {
//			break // not safe any more: stop touching the resource
//		}
//		store.Write(m.FencingToken(), work)
//	}
//
// Writes to ZooKeeper itself can be fenced by the server: Fenced (on
// Mutex, both locks of an RWMutex, Lease and SemaphoreMutex) runs them in
// one transaction with a check that the holder's node still exists, and
// fails with ErrNotHeld, applying nothing, when it does not.
//
// A held context that ended stays ended; Release the lock and Acquire it
// again to continue. The lock node is deleted with a guaranteed delete,
// and a lock keeps knowing its node until that delete succeeded.
//
// Node layout (as Curator's): a Mutex makes "_c_<uuid>-lock-<seq10>"
// ephemeral-sequential nodes under its path, an RWMutex "_c_<uuid>-__READ__<seq10>"
// and "_c_<uuid>-__WRIT__<seq10>", a Semaphore a Mutex under "<path>/locks"
// and leases "<path>/leases/_c_<uuid>-lease-<seq10>". Parents are created
// as containers.
package lock

import (
	"context"
	"errors"
	"fmt"

	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
)

// Errors of this package. Match them with errors.Is.
var (
	// ErrNotHeld: Release of a lock (or lease) that is not held, or a
	// Fenced write by a holder whose node is gone (nothing applied).
	ErrNotHeld = seqnode.ErrNotHeld
	// ErrReleased is the cause (context.Cause) of a held context ended by
	// Release.
	ErrReleased = errors.New("lock: released")
	// ErrLost is the cause of a held context ended because holding was no
	// longer safe (connection suspended, session lost, lock node deleted),
	// and the error of a re-entrant Acquire of a lock whose hold was lost.
	ErrLost = seqnode.ErrHoldLost
	// ErrTimeout is returned (wrapped) by Acquire methods that wait a
	// bounded time, when it passed. TryAcquire reports it as ok == false
	// with a nil error instead.
	ErrTimeout = errors.New("lock: timed out waiting for the lock")
)

// Locker is a lock that MultiLock can combine: Mutex, SemaphoreMutex,
// the locks of an RWMutex, and MultiLock itself.
type Locker interface {
	// Acquire blocks until the lock is held or ctx ends, and returns the
	// held context: it is cancelled when holding is no longer safe.
	Acquire(ctx context.Context) (held context.Context, err error)
	// Release releases one hold of the lock.
	Release(ctx context.Context) error
}

// Option configures a lock.
type Option func(*config)

type config struct {
	data   []byte       // node data; nil: the client's default data
	revoke func(*Mutex) // revocation listener, may be nil
	err    error        // the first invalid option value
}

// newConfig applies opts; a nil option, or an option given an invalid
// value, is an error wrapping seqnode.ErrInvalidArgument.
func newConfig(opts []Option) (config, error) {
	var c config
	for i, o := range opts {
		if o == nil {
			return config{}, seqnode.Invalid("option %d is nil", i)
		}
		o(&c)
		if c.err != nil {
			return config{}, c.err
		}
	}
	return c, nil
}

// WithData sets the data stored in the lock's (or lease's) node — what
// Participants returns for this participant. By default it is the client's
// default data (zk.WithDefaultData), as in Curator.
func WithData(data []byte) Option {
	return func(c *config) { c.data = append([]byte{}, data...) }
}

// WithRevocationListener makes a Mutex revocable (Curator's
// makeRevocable): f is called when another process asks the holder to
// release, with Revoke. f runs on an internal goroutine while the lock is
// held; it may call Release, or signal the goroutine that holds the lock.
// A request made while waiting is seen once the lock is acquired.
// A nil f is an invalid option.
func WithRevocationListener(f func(m *Mutex)) Option {
	return func(c *config) {
		if f == nil {
			c.err = seqnode.Invalid("WithRevocationListener: nil listener")
		}
		c.revoke = f
	}
}

// errNotMade is returned by the methods of a lock value that was not made
// by its constructor (a zero Mutex, Semaphore, SemaphoreMutex, RWMutex).
var errNotMade = seqnode.Invalid("lock value not made by its constructor (NewMutex, NewSemaphore, ...)")

// wrap adds the operation and path to err.
func wrap(op, path string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("lock: %s %s: %w", op, path, err)
}
