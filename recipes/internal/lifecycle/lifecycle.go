// Package lifecycle is the New → Started → Closed state that every recipe
// with a Start and a Close keeps, and the one place its rules are written:
// Start works once and only before Close, Close works once (later calls
// are no-ops), and an operation that needs a started recipe says which of
// the two it is missing.
//
// A State has no lock of its own. The recipe reads and changes it under
// the mutex that guards what Start sets up with it (goroutines, cancel
// functions, listeners), so that the state and those fields change
// together.
package lifecycle

// State is where a recipe is in its life. The zero value is New.
type State uint8

const (
	// New: made, not started, not closed.
	New State = iota
	// Started: Start succeeded (or is under way).
	Started
	// Closed: Close was called; nothing starts again.
	Closed
)

// String returns "new", "started" or "closed".
func (s State) String() string {
	switch s {
	case New:
		return "new"
	case Started:
		return "started"
	default:
		return "closed"
	}
}

// Start moves a New State to Started and returns nil. A Started State
// returns started and a Closed one returns closed, and stays as it is:
// these are the errors the recipe documents (its ErrStarted, and
// zk.ErrClosed or an error wrapping it), which the caller wraps with its
// operation and path.
func (s *State) Start(started, closed error) error {
	switch *s {
	case Started:
		return started
	case Closed:
		return closed
	}
	*s = Started
	return nil
}

// Unstart moves a Started State back to New, so that Start can be called
// again after a start that failed; a Closed State stays Closed.
func (s *State) Unstart() {
	if *s == Started {
		*s = New
	}
}

// Close moves the State to Closed and returns the State it was in. A
// result of Closed means an earlier Close did (or is doing) the work: the
// caller returns at once, which keeps Close idempotent.
func (s *State) Close() (was State) {
	was, *s = *s, Closed
	return was
}

// Check returns nil if the State is Started, notStarted if it is New and
// closed if it is Closed: the test an operation that needs a running
// recipe makes first.
func (s State) Check(notStarted, closed error) error {
	switch s {
	case New:
		return notStarted
	case Closed:
		return closed
	}
	return nil
}
