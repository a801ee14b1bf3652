package election

import (
	"errors"
	"fmt"

	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/zk"
)

// Errors of this package. Match them with errors.Is.
var (
	// ErrClosed: the Latch or Selector was closed (or, for Await, never
	// started), and the cause of a leadership context ended by Close. It
	// matches zk.ErrClosed too.
	ErrClosed = fmt.Errorf("election: %w", zk.ErrClosed)
	// ErrNotLeader: a Fenced write by a participant that does not lead
	// (its node is gone, or it never led); nothing was applied.
	ErrNotLeader = seqnode.ErrNotHeld
	// ErrStarted: Start was called twice.
	ErrStarted = errors.New("election: already started")
	// ErrNoLeader: the election has no participant.
	ErrNoLeader = errors.New("election: no leader")
	// ErrLost is the cause (context.Cause) of a leadership context ended
	// because leading was no longer safe: the connection was suspended
	// (standard error policy), the session lost, or the participant's node
	// deleted.
	ErrLost = seqnode.ErrHoldLost
	// ErrInterrupted is the cause of a Selector's leadership context ended
	// by Interrupt.
	ErrInterrupted = errors.New("election: leadership interrupted")
)

// errNotMade is returned by the methods of a Latch or Selector not made
// by NewLatch or NewSelector.
var errNotMade = seqnode.Invalid("election: value not made by NewLatch or NewSelector")

// wrap adds the operation and path to err.
func wrap(op, path string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("election: %s %s: %w", op, path, err)
}
