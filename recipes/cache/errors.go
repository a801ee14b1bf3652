package cache

import (
	"errors"

	"github.com/zkcurator/zkcurator/zk"
)

// Errors returned by the constructors, Start and Close.
var (
	// ErrStarted is returned by a second call to Start.
	ErrStarted = errors.New("cache: already started")
	// ErrClosed is returned by Start after Close, and by a Start that
	// Close interrupts. It wraps zk.ErrClosed, so errors.Is(err,
	// zk.ErrClosed) matches it too, as it matches the error of a Start on
	// a closed zk.Client.
	ErrClosed error = closedError{}
	// ErrInvalidArgument is wrapped by a constructor's error for a nil
	// client, a nil filter or an option value out of range, or an option
	// that does not apply to the kind of cache. It is zk.ErrInvalidArgument,
	// the one sentinel every package uses for such arguments.
	ErrInvalidArgument = zk.ErrInvalidArgument
)

type closedError struct{}

func (closedError) Error() string { return "cache: closed" }
func (closedError) Unwrap() error { return zk.ErrClosed }
