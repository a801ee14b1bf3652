package retry_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeClock is a retry.Clock whose time moves only when the test or a sleep
// advances it. A sleep returns at once (after advancing the time) unless
// block is set: then it signals sleeping and waits for its context.
type fakeClock struct {
	mu       sync.Mutex
	now      time.Time
	sleeps   []time.Duration
	block    bool
	sleeping chan time.Duration // if non-nil, receives each blocking sleep's duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	block := c.block
	if !block {
		c.now = c.now.Add(d)
	}
	c.mu.Unlock()
	if block {
		if c.sleeping != nil {
			c.sleeping <- d
		}
		<-ctx.Done()
	}
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// nextAll calls p.Next for attempts 1..n at elapsed 0 and returns the sleeps
// until the first give-up, and whether it gave up within n.
func nextAll(p interface {
	Next(int, time.Duration) (time.Duration, bool)
}, n int) (sleeps []time.Duration, gaveUp bool) {
	for a := 1; a <= n; a++ {
		s, ok := p.Next(a, 0)
		if !ok {
			return sleeps, true
		}
		sleeps = append(sleeps, s)
	}
	return sleeps, false
}
