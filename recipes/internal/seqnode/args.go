package seqnode

import (
	"errors"
	"fmt"

	"github.com/zkcurator/zkcurator/zk"
)

// ErrInvalidArgument is wrapped by the constructors of the recipes when
// a caller passes a nil client, a nil callback, a count below 1 or an
// invalid option value. It is zk.ErrInvalidArgument, so callers match the
// one sentinel every package uses.
var ErrInvalidArgument = zk.ErrInvalidArgument

// ErrNotHeld: the holder does not hold (its node is gone, or it never
// held). Fenced returns it when the holder's node no longer exists and
// nothing was applied; lock re-exports it as ErrNotHeld, election as
// ErrNotLeader.
var ErrNotHeld = errors.New("not held")

// CheckArgs validates the client and path a recipe constructor is given:
// a nil client wraps ErrInvalidArgument, a bad path zk.ErrInvalidPath.
func CheckArgs(client *zk.Client, path string) error {
	if client == nil {
		return fmt.Errorf("%w: nil client", ErrInvalidArgument)
	}
	return zk.ValidatePath(path, false)
}

// Invalid returns an error wrapping ErrInvalidArgument that says what.
func Invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// IsClosed reports whether client has been closed.
func IsClosed(c *zk.Client) bool { return c.State() == zk.Closed }
