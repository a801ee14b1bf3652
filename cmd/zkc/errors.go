package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zkcurator/zkcurator/zk"
)

// Exit codes.
const (
	exitOK       = 0
	exitError    = 1
	exitNotFound = 2
	exitNoAuth   = 3
	exitConn     = 4
	exitUsage    = 64
)

// usageErr marks a mistake in the command line (exit 64).
type usageErr struct{ err error }

func (e usageErr) Error() string { return e.err.Error() }
func (e usageErr) Unwrap() error { return e.err }

// connErr marks a failure to reach the servers (exit 4).
type connErr struct{ err error }

func (e connErr) Error() string { return e.err.Error() }
func (e connErr) Unwrap() error { return e.err }

// ranErr marks an error returned by a command that ran, as opposed to one
// cobra reports while parsing the command line (which is a usage error).
type ranErr struct{ err error }

func (e ranErr) Error() string { return e.err.Error() }
func (e ranErr) Unwrap() error { return e.err }

// exitCode maps an error to the process exit code.
func exitCode(err error) int {
	var u usageErr
	var c connErr
	var r ranErr
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &u):
		return exitUsage
	case errors.Is(err, zk.ErrNoNode):
		return exitNotFound
	case errors.Is(err, zk.ErrNoAuth), errors.Is(err, zk.ErrAuthFailed):
		return exitNoAuth
	case errors.As(err, &c), errors.Is(err, zk.ErrConnectionLoss), errors.Is(err, zk.ErrSessionExpired),
		errors.Is(err, zk.ErrOperationTimeout), errors.Is(err, context.DeadlineExceeded):
		return exitConn
	case errors.Is(err, zk.ErrInvalidPath), errors.Is(err, zk.ErrInvalidArgument), errors.Is(err, zk.ErrBadArguments):
		return exitUsage
	case errors.As(err, &r):
		return exitError
	}
	// Not from a command's RunE: cobra refused the command line.
	return exitUsage
}

// oneLine keeps an error message to one line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// wrapRun adapts a command body so its errors are told apart from cobra's
// command-line errors.
func wrapRun(f func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := f(cmd, args); err != nil {
			var u usageErr
			if errors.As(err, &u) {
				return err
			}
			return ranErr{err}
		}
		return nil
	}
}

// exactArgs, rangeArgs and noArgs are cobra's argument checks returning
// usage errors.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErr{fmt.Errorf("%s: want %d argument(s), got %d (usage: %s)", cmd.Name(), n, len(args), cmd.UseLine())}
		}
		return nil
	}
}

func rangeArgs(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < min || len(args) > max {
			return usageErr{fmt.Errorf("%s: want %d to %d arguments, got %d (usage: %s)", cmd.Name(), min, max, len(args), cmd.UseLine())}
		}
		return nil
	}
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErr{fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())}
	}
	return nil
}
