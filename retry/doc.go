// Package retry implements Curator-style retry policies and the loop that
// applies them.
//
// A [Policy] decides, after the n-th failed attempt and the time elapsed
// since the first one, whether to try again and how long to sleep first.
// Policies are immutable values, safe for concurrent use by any number of
// goroutines: every decision is computed from its arguments, so one policy
// can be shared by all operations of a client.
//
// [Do] runs a function until it succeeds, the context ends, the error is not
// retryable, or the policy gives up. Which errors are retryable is decided by
// a [Classifier] given by the caller: this package knows nothing of
// ZooKeeper's errors (package zk supplies the classifier: connection loss,
// operation timeout and session moved are Retryable, session expiry is
// SessionExpired, everything else Permanent).
//
// The policies mirror Curator's: [ExponentialBackoff]
// (ExponentialBackoffRetry), [BoundedExponentialBackoff], [NTimes]
// (RetryNTimes), [OneTime], [Forever], [UntilElapsed] (RetryUntilElapsed) and
// [SessionFailed] (SessionFailedRetryPolicy). [Jittered] adapts the
// exponential backoff of github.com/cenkalti/backoff/v4 (multiplier,
// randomization factor, maximum interval and maximum elapsed time).
package retry
