package lifecycle

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

var (
	errStarted    = errors.New("already started")
	errNotStarted = errors.New("not started")
	errClosed     = errors.New("closed")
)

func TestStartOnceAndNotAfterClose(t *testing.T) {
	var s State
	require.Equal(t, New, s)
	require.ErrorIs(t, s.Check(errNotStarted, errClosed), errNotStarted)
	require.NoError(t, s.Start(errStarted, errClosed))
	require.Equal(t, Started, s)
	require.NoError(t, s.Check(errNotStarted, errClosed))
	require.ErrorIs(t, s.Start(errStarted, errClosed), errStarted)
	require.Equal(t, Started, s.Close())
	require.Equal(t, Closed, s.Close(), "a second Close sees Closed")
	require.ErrorIs(t, s.Start(errStarted, errClosed), errClosed)
	require.ErrorIs(t, s.Check(errNotStarted, errClosed), errClosed)
	require.Equal(t, "closed", s.String())
}

func TestCloseBeforeStart(t *testing.T) {
	var s State
	require.Equal(t, New, s.Close())
	require.ErrorIs(t, s.Start(errStarted, errClosed), errClosed)
}

func TestUnstartAfterFailedStart(t *testing.T) {
	var s State
	require.NoError(t, s.Start(errStarted, errClosed))
	s.Unstart()
	require.Equal(t, New, s)
	require.NoError(t, s.Start(errStarted, errClosed))
	s.Close()
	s.Unstart()
	require.Equal(t, Closed, s, "Unstart does not reopen a closed State")
}
