package retry_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/retry"
)

const ms = time.Millisecond

func TestNTimes(t *testing.T) {
	sleeps, gaveUp := nextAll(retry.NTimes(3, 10*ms), 10)
	require.Equal(t, []time.Duration{10 * ms, 10 * ms, 10 * ms}, sleeps)
	require.True(t, gaveUp)

	sleeps, gaveUp = nextAll(retry.NTimes(0, 10*ms), 10)
	require.Empty(t, sleeps)
	require.True(t, gaveUp)

	// Negative values act as 0.
	sleeps, gaveUp = nextAll(retry.NTimes(-4, -ms), 10)
	require.Empty(t, sleeps)
	require.True(t, gaveUp)
	s, ok := retry.NTimes(1, -ms).Next(1, 0)
	require.True(t, ok)
	require.Zero(t, s)
}

func TestOneTime(t *testing.T) {
	sleeps, gaveUp := nextAll(retry.OneTime(5*ms), 10)
	require.Equal(t, []time.Duration{5 * ms}, sleeps)
	require.True(t, gaveUp)
}

func TestForever(t *testing.T) {
	p := retry.Forever(time.Second)
	for _, a := range []int{1, 2, 1000, 1 << 30} {
		s, ok := p.Next(a, 1000*time.Hour)
		require.True(t, ok)
		require.Equal(t, time.Second, s)
	}
}

func TestUntilElapsed(t *testing.T) {
	p := retry.UntilElapsed(time.Second, 300*ms)
	for _, tt := range []struct {
		elapsed time.Duration
		sleep   time.Duration
		ok      bool
	}{
		{0, 300 * ms, true},
		{600 * ms, 300 * ms, true},
		{900 * ms, 100 * ms, true}, // shortened so the retry starts at the limit
		{999 * ms, 1 * ms, true},
		{time.Second, 0, false},
		{time.Hour, 0, false},
	} {
		s, ok := p.Next(7, tt.elapsed)
		require.Equal(t, tt.ok, ok, "elapsed %v", tt.elapsed)
		require.Equal(t, tt.sleep, s, "elapsed %v", tt.elapsed)
	}
}

func TestSessionFailedDelegatesNext(t *testing.T) {
	p := retry.SessionFailed(retry.NTimes(2, 7*ms))
	sleeps, gaveUp := nextAll(p, 5)
	require.Equal(t, []time.Duration{7 * ms, 7 * ms}, sleeps)
	require.True(t, gaveUp)

	cp, ok := p.(retry.ClassPolicy)
	require.True(t, ok)
	require.False(t, cp.RetriesClass(retry.SessionExpired))
	require.True(t, cp.RetriesClass(retry.Retryable))

	// A nil inner policy never retries.
	_, ok = retry.SessionFailed(nil).Next(1, 0)
	require.False(t, ok)
}

func TestPolicyFunc(t *testing.T) {
	p := retry.PolicyFunc(func(attempts int, elapsed time.Duration) (time.Duration, bool) {
		return time.Duration(attempts) * elapsed, attempts < 3
	})
	s, ok := p.Next(2, 5*ms)
	require.True(t, ok)
	require.Equal(t, 10*ms, s)
	_, ok = p.Next(3, 0)
	require.False(t, ok)
}

func TestClassString(t *testing.T) {
	require.Equal(t, "permanent", retry.Permanent.String())
	require.Equal(t, "retryable", retry.Retryable.String())
	require.Equal(t, "session expired", retry.SessionExpired.String())
	require.Equal(t, "Class(9)", retry.Class(9).String())
}
