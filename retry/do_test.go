package retry_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/retry"
)

var (
	errLoss    = errors.New("connection loss")
	errExpired = errors.New("session expired")
	errNoNode  = errors.New("no node")
)

func classify(err error) retry.Class {
	switch {
	case errors.Is(err, errLoss):
		return retry.Retryable
	case errors.Is(err, errExpired):
		return retry.SessionExpired
	}
	return retry.Permanent
}

// failing returns an fn that fails with errs in turn (the last one forever
// once they run out, or succeeds if the last is nil) and counts its calls.
func failing(errs ...error) (fn func(context.Context) error, calls *int) {
	calls = new(int)
	return func(context.Context) error {
		i := min(*calls, len(errs)-1)
		*calls++
		return errs[i]
	}, calls
}

func TestDoSucceedsFirstTime(t *testing.T) {
	clk := newFakeClock()
	fn, calls := failing(nil)
	require.NoError(t, retry.Do(t.Context(), retry.Forever(time.Second), classify, fn, retry.WithClock(clk)))
	require.Equal(t, 1, *calls)
	require.Empty(t, clk.Sleeps())
}

func TestDoRetriesUntilSuccess(t *testing.T) {
	clk := newFakeClock()
	fn, calls := failing(errLoss, errExpired, nil)
	type call struct {
		attempt int
		err     error
		sleep   time.Duration
	}
	var retries []call
	err := retry.Do(t.Context(), retry.NTimes(5, 20*ms), classify, fn,
		retry.WithClock(clk),
		retry.OnRetry(func(attempt int, err error, sleep time.Duration) {
			retries = append(retries, call{attempt, err, sleep})
		}))
	require.NoError(t, err)
	require.Equal(t, 3, *calls)
	require.Equal(t, []call{{1, errLoss, 20 * ms}, {2, errExpired, 20 * ms}}, retries)
	require.Equal(t, []time.Duration{20 * ms, 20 * ms}, clk.Sleeps())
}

func TestDoGivesUp(t *testing.T) {
	clk := newFakeClock()
	fn, calls := failing(errLoss)
	err := retry.Do(t.Context(), retry.NTimes(2, 10*ms), classify, fn, retry.WithClock(clk))
	require.Equal(t, 3, *calls)
	require.EqualError(t, err, "retry: gave up after 3 attempts: connection loss")
	require.ErrorIs(t, err, retry.ErrGaveUp)
	require.ErrorIs(t, err, errLoss)
	require.NotErrorIs(t, err, context.Canceled)
	var re *retry.Error
	require.ErrorAs(t, err, &re)
	require.Equal(t, 3, re.Attempts)
	require.Equal(t, errLoss, re.Err)
	require.Nil(t, re.Ctx)
}

func TestDoNilPolicyNeverRetries(t *testing.T) {
	fn, calls := failing(errLoss)
	err := retry.Do(t.Context(), nil, classify, fn, retry.WithClock(newFakeClock()))
	require.Equal(t, 1, *calls)
	require.EqualError(t, err, "retry: gave up after 1 attempt: connection loss")
	require.ErrorIs(t, err, retry.ErrGaveUp)
}

func TestDoPermanentErrorStopsAtOnce(t *testing.T) {
	clk := newFakeClock()
	wrapped := errors.Join(errors.New("get /a"), errNoNode)
	fn, calls := failing(wrapped)
	onRetry := false
	err := retry.Do(t.Context(), retry.Forever(ms), classify, fn,
		retry.WithClock(clk), retry.OnRetry(func(int, error, time.Duration) { onRetry = true }))
	require.Equal(t, 1, *calls)
	require.Same(t, wrapped, err, "a permanent error is returned unchanged")
	require.False(t, onRetry)
	require.Empty(t, clk.Sleeps())

	// After some retries, a permanent error still ends the loop unchanged.
	fn, calls = failing(errLoss, errLoss, errNoNode)
	err = retry.Do(t.Context(), retry.Forever(ms), classify, fn, retry.WithClock(clk))
	require.Equal(t, 3, *calls)
	require.Equal(t, errNoNode, err)
}

func TestDoNilClassifierRetriesEverything(t *testing.T) {
	fn, calls := failing(errNoNode, errNoNode, nil)
	require.NoError(t, retry.Do(t.Context(), retry.NTimes(5, 0), nil, fn, retry.WithClock(newFakeClock())))
	require.Equal(t, 3, *calls)
}

func TestDoSessionExpired(t *testing.T) {
	t.Run("retried by default", func(t *testing.T) {
		fn, calls := failing(errExpired)
		err := retry.Do(t.Context(), retry.NTimes(2, ms), classify, fn, retry.WithClock(newFakeClock()))
		require.Equal(t, 3, *calls)
		require.ErrorIs(t, err, retry.ErrGaveUp)
		require.ErrorIs(t, err, errExpired)
	})
	t.Run("not retried under SessionFailed", func(t *testing.T) {
		fn, calls := failing(errExpired)
		err := retry.Do(t.Context(), retry.SessionFailed(retry.Forever(ms)), classify, fn, retry.WithClock(newFakeClock()))
		require.Equal(t, 1, *calls)
		require.Same(t, errExpired, err)
	})
	t.Run("SessionFailed still retries retryable errors", func(t *testing.T) {
		fn, calls := failing(errLoss, errLoss, errExpired)
		err := retry.Do(t.Context(), retry.SessionFailed(retry.Forever(ms)), classify, fn, retry.WithClock(newFakeClock()))
		require.Equal(t, 3, *calls)
		require.Same(t, errExpired, err)
	})
	t.Run("SessionFailed wrapped", func(t *testing.T) {
		fn, calls := failing(errExpired)
		p := retry.SessionFailed(retry.SessionFailed(retry.Forever(ms)))
		require.Same(t, errExpired, retry.Do(t.Context(), p, classify, fn, retry.WithClock(newFakeClock())))
		require.Equal(t, 1, *calls)
	})
}

func TestDoUntilElapsedUsesClock(t *testing.T) {
	clk := newFakeClock()
	calls := 0
	fn := func(context.Context) error {
		calls++
		clk.Advance(30 * ms) // each attempt takes 30ms of fake time
		return errLoss
	}
	var elapsedAtRetry []time.Duration
	start := clk.Now()
	err := retry.Do(t.Context(), retry.UntilElapsed(200*ms, 50*ms), classify, fn,
		retry.WithClock(clk),
		retry.OnRetry(func(int, error, time.Duration) { elapsedAtRetry = append(elapsedAtRetry, clk.Now().Sub(start)) }))
	require.ErrorIs(t, err, retry.ErrGaveUp)
	// Attempts end at 30, 110, 190 (sleep cut to 10), 230 ms: the fourth
	// failure is past 200ms, so there are 4 attempts and 3 sleeps.
	require.Equal(t, 4, calls)
	require.Equal(t, []time.Duration{30 * ms, 110 * ms, 190 * ms}, elapsedAtRetry)
	require.Equal(t, []time.Duration{50 * ms, 50 * ms, 10 * ms}, clk.Sleeps())
	var re *retry.Error
	require.ErrorAs(t, err, &re)
	require.Equal(t, 4, re.Attempts)
}

func TestDoPassesElapsedAndAttempts(t *testing.T) {
	clk := newFakeClock()
	type next struct {
		attempts int
		elapsed  time.Duration
	}
	var got []next
	p := retry.PolicyFunc(func(attempts int, elapsed time.Duration) (time.Duration, bool) {
		got = append(got, next{attempts, elapsed})
		return time.Duration(attempts) * 100 * ms, attempts < 3
	})
	fn, _ := failing(errLoss)
	err := retry.Do(t.Context(), p, classify, fn, retry.WithClock(clk))
	require.ErrorIs(t, err, retry.ErrGaveUp)
	require.Equal(t, []next{{1, 0}, {2, 100 * ms}, {3, 300 * ms}}, got)
}

func TestDoNegativeSleepIsZero(t *testing.T) {
	clk := newFakeClock()
	p := retry.PolicyFunc(func(a int, _ time.Duration) (time.Duration, bool) { return -time.Second, a < 2 })
	fn, _ := failing(errLoss)
	_ = retry.Do(t.Context(), p, classify, fn, retry.WithClock(clk))
	require.Equal(t, []time.Duration{0}, clk.Sleeps())
}

func TestDoContextAlreadyDone(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	fn, calls := failing(nil)
	err := retry.Do(ctx, retry.Forever(ms), classify, fn)
	require.Zero(t, *calls, "fn is not called once ctx has ended")
	require.ErrorIs(t, err, context.Canceled)
	require.NotErrorIs(t, err, retry.ErrGaveUp)
	require.EqualError(t, err, "retry: context canceled before the first attempt")
}

// The context ends while fn runs: the loop stops without sleeping.
func TestDoContextEndsDuringAttempt(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	clk := newFakeClock()
	calls := 0
	err := retry.Do(ctx, retry.Forever(time.Hour), classify, func(context.Context) error {
		calls++
		cancel()
		return errLoss
	}, retry.WithClock(clk))
	require.Equal(t, 1, calls)
	require.Empty(t, clk.Sleeps())
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, errLoss)
	require.EqualError(t, err, "retry: context canceled after 1 attempt: connection loss")
}

func TestDoDeadline(t *testing.T) {
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	err := retry.Do(ctx, retry.Forever(ms), classify, func(context.Context) error { return errLoss })
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

// The context is cancelled during a (fake, blocking) sleep: Do returns the
// context's error and the last cause, after exactly the attempts made.
func TestDoCancelDuringSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	clk := newFakeClock()
	clk.block = true
	clk.sleeping = make(chan time.Duration)
	fn, calls := failing(errLoss)

	done := make(chan error, 1)
	go func() { done <- retry.Do(ctx, retry.Forever(time.Hour), classify, fn, retry.WithClock(clk)) }()

	require.Equal(t, time.Hour, <-clk.sleeping)
	cancel()
	err := <-done
	require.Equal(t, 1, *calls)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, errLoss)
	var re *retry.Error
	require.ErrorAs(t, err, &re)
	require.Equal(t, 1, re.Attempts)
	require.Equal(t, context.Canceled, re.Ctx)
}

// With the system clock, cancelling during an hour-long sleep returns at once.
func TestDoCancelDuringRealSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sleeping := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- retry.Do(ctx, retry.Forever(time.Hour), classify,
			func(context.Context) error { return errLoss },
			retry.OnRetry(func(int, error, time.Duration) { close(sleeping) }))
	}()
	<-sleeping
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, errLoss)
	case <-time.After(30 * time.Second): // a safety net, not a timing assertion
		t.Fatal("Do did not return after its context was cancelled")
	}
}

func TestDoPassesContextToFn(t *testing.T) {
	type key struct{}
	ctx := context.WithValue(t.Context(), key{}, "v")
	require.NoError(t, retry.Do(ctx, nil, nil, func(ctx context.Context) error {
		require.Equal(t, "v", ctx.Value(key{}))
		return nil
	}))
}

func TestDoNilOptionsIgnored(t *testing.T) {
	fn, calls := failing(errLoss, nil)
	require.NoError(t, retry.Do(t.Context(), retry.OneTime(0), classify, fn, nil, retry.WithClock(nil)))
	require.Equal(t, 2, *calls)
}

// Many goroutines share one policy, each with its own Do (run with -race).
func TestDoConcurrentSharedPolicy(t *testing.T) {
	p := retry.SessionFailed(retry.ExponentialBackoff(ms, 5, 0))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			fn, calls := failing(errLoss, errLoss, errLoss, nil)
			assert.NoError(t, retry.Do(t.Context(), p, classify, fn, retry.WithClock(newFakeClock())))
			assert.Equal(t, 4, *calls)
		})
	}
	wg.Wait()
}

func TestErrorMessages(t *testing.T) {
	require.EqualError(t, &retry.Error{Attempts: 2, Err: errLoss}, "retry: gave up after 2 attempts: connection loss")
	require.EqualError(t, &retry.Error{Attempts: 2, Err: errLoss, Ctx: context.DeadlineExceeded},
		"retry: context deadline exceeded after 2 attempts: connection loss")
	require.Empty(t, (&retry.Error{}).Unwrap())
}
