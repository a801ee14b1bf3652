package lock

import (
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
