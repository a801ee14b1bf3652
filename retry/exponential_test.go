package retry_test

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/retry"
)

// Randomised sleeps are checked against their bounds over many draws.
const draws = 2000

func TestExponentialBackoffBounds(t *testing.T) {
	base := 10 * ms
	p := retry.ExponentialBackoff(base, 6, 0)
	for attempt := 1; attempt <= 6; attempt++ {
		hi := base * time.Duration(1<<attempt-1)
		seen := map[time.Duration]bool{}
		for range draws {
			s, ok := p.Next(attempt, 0)
			require.True(t, ok)
			require.GreaterOrEqual(t, s, base, "attempt %d", attempt)
			require.LessOrEqual(t, s, hi, "attempt %d", attempt)
			require.Zero(t, s%base, "sleep %v is a multiple of base", s)
			seen[s] = true
		}
		if attempt == 1 {
			require.Len(t, seen, 1, "the first retry always sleeps base")
		} else {
			require.Greater(t, len(seen), 1, "attempt %d: sleeps are random", attempt)
		}
	}
	_, ok := p.Next(7, 0)
	require.False(t, ok, "maxRetries reached")
}

func TestExponentialBackoffMaxSleep(t *testing.T) {
	p := retry.ExponentialBackoff(100*ms, 10, 250*ms)
	for range draws {
		s, ok := p.Next(10, 0)
		require.True(t, ok)
		require.GreaterOrEqual(t, s, 100*ms)
		require.LessOrEqual(t, s, 250*ms)
	}
}

func TestExponentialBackoffRetriesCappedAt29(t *testing.T) {
	p := retry.ExponentialBackoff(ms, 1000, 0)
	_, ok := p.Next(retry.MaxExponentialRetries, 0)
	require.True(t, ok)
	_, ok = p.Next(retry.MaxExponentialRetries+1, 0)
	require.False(t, ok)
}

func TestExponentialBackoffNoOverflow(t *testing.T) {
	p := retry.ExponentialBackoff(time.Hour, 29, 0)
	for range draws {
		s, ok := p.Next(29, 0)
		require.True(t, ok)
		require.GreaterOrEqual(t, s, time.Hour, "never negative or wrapped")
	}
	// The saturated product is still capped by maxSleep.
	p = retry.ExponentialBackoff(time.Duration(math.MaxInt64/2), 29, time.Minute)
	s, ok := p.Next(29, 0)
	require.True(t, ok)
	require.Equal(t, time.Minute, s)
}

func TestExponentialBackoffNegativeArgs(t *testing.T) {
	_, ok := retry.ExponentialBackoff(-ms, -1, -ms).Next(1, 0)
	require.False(t, ok)
	s, ok := retry.ExponentialBackoff(-ms, 3, -ms).Next(2, 0)
	require.True(t, ok)
	require.Zero(t, s)
}

func TestBoundedExponentialBackoff(t *testing.T) {
	p := retry.BoundedExponentialBackoff(10*ms, 20, 50*ms)
	capped := false
	for attempt := 1; attempt <= 20; attempt++ {
		for range 100 {
			s, ok := p.Next(attempt, 0)
			require.True(t, ok)
			require.GreaterOrEqual(t, s, 10*ms)
			require.LessOrEqual(t, s, 50*ms)
			capped = capped || s == 50*ms
		}
	}
	require.True(t, capped, "late retries reach the bound")
	_, ok := p.Next(21, 0)
	require.False(t, ok)
}

func TestJitteredWithoutRandomization(t *testing.T) {
	cfg := &backoff.ExponentialBackOff{
		InitialInterval:     100 * ms,
		RandomizationFactor: 0,
		Multiplier:          2,
		MaxInterval:         500 * ms,
	}
	got, gaveUp := nextAll(retry.Jittered(cfg, 6), 10)
	require.Equal(t, []time.Duration{100 * ms, 200 * ms, 400 * ms, 500 * ms, 500 * ms, 500 * ms}, got)
	require.True(t, gaveUp)

	// The config is copied: changing it later has no effect.
	p := retry.Jittered(cfg, 0)
	cfg.InitialInterval = time.Hour
	s, ok := p.Next(1, 0)
	require.True(t, ok)
	require.Equal(t, 100*ms, s)
	// maxRetries 0 and no MaxElapsedTime: no limit.
	s, ok = p.Next(1_000_000, 0)
	require.True(t, ok)
	require.Equal(t, 500*ms, s)
}

func TestJitteredBounds(t *testing.T) {
	p := retry.Jittered(backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(100*ms),
		backoff.WithRandomizationFactor(0.5),
		backoff.WithMultiplier(2),
		backoff.WithMaxInterval(time.Second),
		backoff.WithMaxElapsedTime(0),
	), 0)
	for attempt, ivl := range map[int]time.Duration{1: 100 * ms, 2: 200 * ms, 3: 400 * ms, 4: 800 * ms, 5: time.Second, 50: time.Second} {
		seen := map[time.Duration]bool{}
		for range draws {
			s, ok := p.Next(attempt, 0)
			require.True(t, ok)
			require.GreaterOrEqual(t, s, ivl/2, "attempt %d", attempt)
			require.LessOrEqual(t, s, ivl*3/2+1, "attempt %d", attempt)
			seen[s] = true
		}
		require.Greater(t, len(seen), 1, "attempt %d: sleeps are random", attempt)
	}
}

func TestJitteredMaxElapsed(t *testing.T) {
	p := retry.Jittered(&backoff.ExponentialBackOff{
		InitialInterval: 100 * ms,
		Multiplier:      1,
		MaxElapsedTime:  time.Second,
	}, 0)
	s, ok := p.Next(3, 900*ms)
	require.True(t, ok, "elapsed + sleep = the limit")
	require.Equal(t, 100*ms, s)
	_, ok = p.Next(3, 901*ms)
	require.False(t, ok, "the sleep would cross MaxElapsedTime")
}

func TestJitteredDefaultsAndOverflow(t *testing.T) {
	// nil: backoff/v4's defaults (500ms initial, factor 0.5).
	s, ok := retry.Jittered(nil, 0).Next(1, 0)
	require.True(t, ok)
	require.GreaterOrEqual(t, s, 250*ms)
	require.LessOrEqual(t, s, 750*ms+1)

	// No MaxInterval and huge attempt numbers: saturate, never wrap.
	p := retry.Jittered(&backoff.ExponentialBackOff{InitialInterval: time.Hour, Multiplier: 10, RandomizationFactor: 1}, 0)
	for range 100 {
		s, ok := p.Next(1000, 0)
		require.True(t, ok)
		require.GreaterOrEqual(t, s, time.Duration(0))
	}
}

// One policy value is shared by many goroutines (run with -race).
func TestPoliciesConcurrentUse(t *testing.T) {
	policies := []retry.Policy{
		retry.ExponentialBackoff(ms, 10, 0),
		retry.BoundedExponentialBackoff(ms, 10, 5*ms),
		retry.Jittered(nil, 10),
		retry.NTimes(10, ms),
		retry.Forever(ms),
		retry.UntilElapsed(time.Second, ms),
		retry.SessionFailed(retry.ExponentialBackoff(ms, 10, 0)),
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range 200 {
				for _, p := range policies {
					p.Next(i%10+1, time.Duration(i)*ms)
				}
			}
		})
	}
	wg.Wait()
}
