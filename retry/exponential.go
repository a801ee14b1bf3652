package retry

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// MaxExponentialRetries is the largest number of retries [ExponentialBackoff]
// and [BoundedExponentialBackoff] allow, as in Curator: the random multiplier
// of the 29th retry is already below 2^30.
const MaxExponentialRetries = 29

// ExponentialBackoff returns Curator's ExponentialBackoffRetry: it retries up
// to maxRetries times (capped at [MaxExponentialRetries]), and before retry n
// (n = 1, 2, ...) sleeps base × max(1, r) for r uniformly random in
// [0, 2^n) — base before the first retry, then up to base·(2^n−1). A sleep
// above maxSleep is cut to maxSleep; maxSleep <= 0 means no cap. Negative
// values are treated as 0.
func ExponentialBackoff(base time.Duration, maxRetries int, maxSleep time.Duration) Policy {
	return &exponential{
		base:       max(base, 0),
		maxRetries: min(max(maxRetries, 0), MaxExponentialRetries),
		maxSleep:   max(maxSleep, 0),
		intN:       rand.IntN,
	}
}

// BoundedExponentialBackoff returns Curator's BoundedExponentialBackoffRetry:
// [ExponentialBackoff] with every sleep capped at maxSleep (maxSleep <= 0:
// no cap). Its arguments are in the same order as [ExponentialBackoff]'s
// (Curator's ExponentialBackoffRetry order: base, maxRetries, maxSleep), so
// the two policies are interchangeable at a call site; Curator's
// BoundedExponentialBackoffRetry constructor puts maxSleep before maxRetries,
// which Go's types catch if copied (a Duration is not an int).
func BoundedExponentialBackoff(base time.Duration, maxRetries int, maxSleep time.Duration) Policy {
	return ExponentialBackoff(base, maxRetries, maxSleep)
}

type exponential struct {
	base       time.Duration
	maxRetries int
	maxSleep   time.Duration
	intN       func(n int) int // rand.IntN (safe for concurrent use); tests replace it
}

func (p *exponential) Next(attempts int, _ time.Duration) (time.Duration, bool) {
	attempts = max(attempts, 1)
	if attempts > p.maxRetries {
		return 0, false
	}
	// Curator: baseSleepTimeMs * Math.max(1, random.nextInt(1 << (retryCount + 1)))
	// with retryCount = attempts-1.
	m := max(1, p.intN(1<<attempts))
	sleep := mulSaturating(p.base, m)
	if p.maxSleep > 0 && sleep > p.maxSleep {
		sleep = p.maxSleep
	}
	return sleep, true
}

// mulSaturating returns d*m for d >= 0 and m >= 1, or the largest Duration
// when the product overflows.
func mulSaturating(d time.Duration, m int) time.Duration {
	if d > 0 && int64(m) > math.MaxInt64/int64(d) {
		return math.MaxInt64
	}
	return d * time.Duration(m)
}

// Jittered returns a policy with the exponential backoff of
// github.com/cenkalti/backoff/v4, configured by cfg's exported fields (nil:
// backoff.NewExponentialBackOff's defaults). The interval before retry n is
// InitialInterval × Multiplier^(n−1), capped at MaxInterval (if > 0), then
// randomized by backoff/v4 into [interval×(1−RandomizationFactor),
// interval×(1+RandomizationFactor)]. It gives up after maxRetries retries
// (<= 0: no limit) or when elapsed + the next sleep would exceed
// MaxElapsedTime (0: never). With neither limit it retries until the context
// ends.
//
// cfg is copied, not kept: later changes to it have no effect, and its own
// state (NextBackOff, Reset) is never used, so the policy is safe for
// concurrent use although a backoff.ExponentialBackOff is not.
func Jittered(cfg *backoff.ExponentialBackOff, maxRetries int) Policy {
	if cfg == nil {
		cfg = backoff.NewExponentialBackOff()
	}
	return &jittered{
		initial:    max(cfg.InitialInterval, 0),
		factor:     min(max(cfg.RandomizationFactor, 0), 1),
		multiplier: max(cfg.Multiplier, 1),
		maxIvl:     max(cfg.MaxInterval, 0),
		maxElapsed: max(cfg.MaxElapsedTime, 0),
		maxRetries: max(maxRetries, 0),
	}
}

type jittered struct {
	initial    time.Duration
	factor     float64
	multiplier float64
	maxIvl     time.Duration
	maxElapsed time.Duration
	maxRetries int
}

func (p *jittered) Next(attempts int, elapsed time.Duration) (time.Duration, bool) {
	attempts = max(attempts, 1)
	if p.maxRetries > 0 && attempts > p.maxRetries {
		return 0, false
	}
	// The interval backoff/v4 would reach after attempts-1 increments,
	// computed directly so that no state is kept between calls. It is
	// capped so that randomizing it cannot overflow a Duration.
	ivl := float64(p.initial) * math.Pow(p.multiplier, float64(attempts-1))
	if p.maxIvl > 0 {
		ivl = min(ivl, float64(p.maxIvl))
	}
	ivl = min(ivl, float64(math.MaxInt64)/(1+p.factor)/2)

	// A fresh ExponentialBackOff per call randomizes that interval; its own
	// MaxElapsedTime is left 0 (elapsed time is ours, not its clock's).
	b := backoff.ExponentialBackOff{
		InitialInterval:     time.Duration(ivl),
		RandomizationFactor: p.factor,
		Multiplier:          p.multiplier,
		MaxInterval:         time.Duration(math.MaxInt64),
		Stop:                backoff.Stop,
		Clock:               backoff.SystemClock,
	}
	b.Reset()
	sleep := b.NextBackOff()
	if p.maxElapsed > 0 && elapsed+sleep > p.maxElapsed {
		return 0, false
	}
	return sleep, true
}
