package retry

import "time"

// Policy decides whether to retry after a failed attempt, and how long to
// sleep before the next one. Implementations must be safe for concurrent use:
// [Do] calls Next from many goroutines with one shared Policy.
type Policy interface {
	// Next reports the sleep before the next attempt after `attempts`
	// failed attempts (1 after the first failure) in `elapsed` time since
	// the first attempt started, or ok=false to give up.
	Next(attempts int, elapsed time.Duration) (sleep time.Duration, ok bool)
}

// PolicyFunc adapts a function to a [Policy].
type PolicyFunc func(attempts int, elapsed time.Duration) (sleep time.Duration, ok bool)

// Next calls f(attempts, elapsed).
func (f PolicyFunc) Next(attempts int, elapsed time.Duration) (time.Duration, bool) {
	return f(attempts, elapsed)
}

// ClassPolicy is implemented by a [Policy] that also restricts which classes
// of error are retried. [Do] asks it about every Retryable or SessionExpired
// error before calling Next; Permanent errors are never retried. A policy that
// wraps another should forward RetriesClass to it (as [SessionFailed] does),
// so that a wrapped SessionFailed keeps its effect.
type ClassPolicy interface {
	Policy
	// RetriesClass reports whether an error of class c may be retried.
	RetriesClass(c Class) bool
}

// retriesClass reports whether p allows retrying an error of class c.
func retriesClass(p Policy, c Class) bool {
	switch c {
	case Retryable, SessionExpired:
	default:
		return false
	}
	if cp, ok := p.(ClassPolicy); ok {
		return cp.RetriesClass(c)
	}
	return true
}

// NTimes returns a policy that retries up to n times (n+1 attempts in all),
// sleeping the same time before each retry, like Curator's RetryNTimes.
// Negative values are treated as 0.
func NTimes(n int, sleep time.Duration) Policy {
	return nTimes{n: max(n, 0), sleep: max(sleep, 0)}
}

type nTimes struct {
	n     int
	sleep time.Duration
}

func (p nTimes) Next(attempts int, _ time.Duration) (time.Duration, bool) {
	if attempts > p.n {
		return 0, false
	}
	return p.sleep, true
}

// OneTime returns a policy that retries once after sleep, like Curator's
// RetryOneTime.
func OneTime(sleep time.Duration) Policy {
	return NTimes(1, sleep)
}

// Forever returns a policy that always retries, sleeping interval before each
// retry, like Curator's RetryForever. Only the context ends such a loop.
func Forever(interval time.Duration) Policy {
	return forever{interval: max(interval, 0)}
}

type forever struct {
	interval time.Duration
}

func (p forever) Next(int, time.Duration) (time.Duration, bool) {
	return p.interval, true
}

// UntilElapsed returns a policy that retries while less than maxElapsed has
// passed since the first attempt started, sleeping sleep before each retry,
// like Curator's RetryUntilElapsed. Unlike Curator, the sleep is shortened so
// that the last retry starts at maxElapsed rather than after it.
func UntilElapsed(maxElapsed, sleep time.Duration) Policy {
	return untilElapsed{maxElapsed: maxElapsed, sleep: max(sleep, 0)}
}

type untilElapsed struct {
	maxElapsed time.Duration
	sleep      time.Duration
}

func (p untilElapsed) Next(_ int, elapsed time.Duration) (time.Duration, bool) {
	if elapsed >= p.maxElapsed {
		return 0, false
	}
	return min(p.sleep, p.maxElapsed-elapsed), true
}

// SessionFailed returns a policy like p that never retries an error
// classified as SessionExpired, like Curator's SessionFailedRetryPolicy: the
// operation fails at once and the caller deals with the new session. A nil p
// never retries.
func SessionFailed(p Policy) Policy {
	return sessionFailed{p: p}
}

type sessionFailed struct {
	p Policy
}

func (s sessionFailed) Next(attempts int, elapsed time.Duration) (time.Duration, bool) {
	if s.p == nil {
		return 0, false
	}
	return s.p.Next(attempts, elapsed)
}

// RetriesClass reports false for SessionExpired and otherwise defers to the
// wrapped policy.
func (s sessionFailed) RetriesClass(c Class) bool {
	if c == SessionExpired {
		return false
	}
	return s.p == nil || retriesClass(s.p, c)
}
