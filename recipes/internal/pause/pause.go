// Package pause spaces the retries of a recipe's background goroutine (a
// leader latch, a selector, a follower of a shared value) after a failed
// round: exponential backoff from 20ms to 2s (New), or doubling between
// bounds of the caller's without jitter (Doubling), for as long as the
// recipe runs, cut short by its context.
package pause

import (
	"context"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Backoff is the pause between failed rounds of one goroutine. It is not
// safe for concurrent use.
type Backoff struct {
	b *backoff.ExponentialBackOff
}

// New returns a Backoff at its first, shortest pause.
func New() *Backoff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 20 * time.Millisecond
	b.MaxInterval = 2 * time.Second
	b.MaxElapsedTime = 0
	return &Backoff{b: b}
}

// Doubling returns a Backoff without jitter: first, then twice as long
// after each failed round, up to max.
func Doubling(first, max time.Duration) *Backoff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = first
	b.Multiplier = 2
	b.RandomizationFactor = 0
	b.MaxInterval = max
	b.MaxElapsedTime = 0
	b.Reset()
	return &Backoff{b: b}
}

// Reset goes back to the shortest pause, after a round that succeeded.
func (p *Backoff) Reset() { p.b.Reset() }

// Wait sleeps for the next (longer) pause or until ctx is done, and
// reports whether ctx is still live.
func (p *Backoff) Wait(ctx context.Context) bool {
	t := time.NewTimer(p.b.NextBackOff())
	defer t.Stop()
	select {
	case <-t.C:
		return ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}
