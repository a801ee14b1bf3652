package retry

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Class says how [Do] treats an error.
type Class int

const (
	// Permanent errors are returned at once, unchanged.
	Permanent Class = iota
	// Retryable errors are retried as the policy allows.
	Retryable
	// SessionExpired errors are retried like Retryable ones, unless the
	// policy is, or wraps, [SessionFailed].
	SessionExpired
)

// String returns the class's name.
func (c Class) String() string {
	switch c {
	case Permanent:
		return "permanent"
	case Retryable:
		return "retryable"
	case SessionExpired:
		return "session expired"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// Classifier tells [Do] how to treat an error returned by the retried
// function. It is called only with non-nil errors.
type Classifier func(error) Class

// ErrGaveUp is matched (errors.Is) by the error [Do] returns when the policy
// gave up on a retryable error.
var ErrGaveUp = errors.New("retry: gave up")

// Error is returned by [Do] when it stops retrying a retryable error: the
// policy gave up, or the context ended. It wraps the last error of the
// retried function, and the context's error if that ended the loop, so
// errors.Is matches both (and [ErrGaveUp] when the policy gave up).
type Error struct {
	// Attempts is the number of calls of the retried function.
	Attempts int
	// Err is the error of the last attempt; nil if the context ended
	// before the first.
	Err error
	// Ctx is the context's error (context.Canceled or
	// context.DeadlineExceeded) when the context ended the loop; nil when
	// the policy gave up.
	Ctx error
}

// Error describes the failure, e.g. "retry: gave up after 3 attempts: <cause>"
// or "retry: context canceled after 2 attempts: <cause>".
func (e *Error) Error() string {
	switch {
	case e.Ctx == nil:
		return fmt.Sprintf("retry: gave up after %s: %v", plural(e.Attempts), e.Err)
	case e.Err == nil:
		return fmt.Sprintf("retry: %v before the first attempt", e.Ctx)
	default:
		return fmt.Sprintf("retry: %v after %s: %v", e.Ctx, plural(e.Attempts), e.Err)
	}
}

func plural(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// Unwrap returns the context's error and the last cause, whichever are set.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Ctx != nil {
		errs = append(errs, e.Ctx)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// Is reports whether target is [ErrGaveUp] and the policy gave up.
func (e *Error) Is(target error) bool {
	return target == ErrGaveUp && e.Ctx == nil
}

// Clock is the time source of [Do]. The default uses the system clock;
// tests pass a fake one with [WithClock].
type Clock interface {
	// Now returns the current time; Do measures elapsed time with it.
	Now() time.Time
	// Sleep waits for d, or until ctx is done. It returns nil after the
	// full sleep and ctx.Err() as soon as ctx is done, without waiting
	// for the rest of d.
	Sleep(ctx context.Context, d time.Duration) error
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// DoOption configures one call of [Do].
type DoOption func(*doConfig)

type doConfig struct {
	clock   Clock
	onRetry func(attempt int, err error, sleep time.Duration)
}

// OnRetry registers f to be called before each sleep, with the number of the
// attempt that failed (1 for the first), its error and the sleep to come. It
// runs on the goroutine that called Do and should return quickly.
func OnRetry(f func(attempt int, err error, sleep time.Duration)) DoOption {
	return func(c *doConfig) { c.onRetry = f }
}

// WithClock makes Do use c for the time and for sleeping (nil: the system
// clock).
func WithClock(c Clock) DoOption {
	return func(cfg *doConfig) { cfg.clock = c }
}

// Do calls fn until it succeeds, ctx ends, the error is not retryable, or the
// policy gives up, and returns nil on success.
//
// After each failure the error is classified by classify (nil: every error is
// Retryable). A Permanent error — or a SessionExpired one when p is, or wraps,
// [SessionFailed] — is returned unchanged. For a retryable error p.Next is
// asked whether and how long to sleep, with elapsed measured from the start
// of the first attempt; the OnRetry callback, if any, runs before the sleep.
//
// When p gives up (a nil p never retries), Do returns an [*Error] matching
// [ErrGaveUp] and the last cause. When ctx ends — before an attempt, or
// during a sleep, which is then cut short — it returns an [*Error] matching
// ctx.Err() and the last cause. fn is not called once ctx has ended; fn
// receives ctx and should itself return promptly when ctx ends.
func Do(ctx context.Context, p Policy, classify Classifier, fn func(ctx context.Context) error, opts ...DoOption) error {
	cfg := doConfig{clock: systemClock{}}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.clock == nil {
		cfg.clock = systemClock{}
	}

	start := cfg.clock.Now()
	var last error
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return &Error{Attempts: attempt - 1, Err: last, Ctx: err}
		}
		err := fn(ctx)
		if err == nil {
			return nil
		}
		last = err

		class := Retryable
		if classify != nil {
			class = classify(err)
		}
		if !retriesClass(p, class) {
			return err
		}
		if cerr := ctx.Err(); cerr != nil {
			return &Error{Attempts: attempt, Err: err, Ctx: cerr}
		}
		if p == nil {
			return &Error{Attempts: attempt, Err: err}
		}
		sleep, ok := p.Next(attempt, cfg.clock.Now().Sub(start))
		if !ok {
			return &Error{Attempts: attempt, Err: err}
		}
		sleep = max(sleep, 0)
		if cfg.onRetry != nil {
			cfg.onRetry(attempt, err, sleep)
		}
		if serr := cfg.clock.Sleep(ctx, sleep); serr != nil {
			if cerr := ctx.Err(); cerr != nil {
				serr = cerr
			}
			return &Error{Attempts: attempt, Err: err, Ctx: serr}
		}
	}
}
