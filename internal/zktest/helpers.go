package zktest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// Polling parameters of Eventually; variables so this package's tests can
// shorten them.
var (
	eventuallyTimeout  = 10 * time.Second
	eventuallyInterval = 10 * time.Millisecond
)

// maxNameLen bounds the test-name part of UniquePath.
const maxNameLen = 80

// UniquePath returns a fresh absolute znode path for the test,
// "/zkt-<test name>-<random hex>", with the name reduced to letters, digits,
// '-', '_' and '.', so tests sharing one real server do not collide.
func UniquePath(t testing.TB) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == '-', r == '_', r == '.':
			return r
		default:
			return '_'
		}
	}, t.Name())
	if len(name) > maxNameLen {
		name = name[:maxNameLen]
	}
	return fmt.Sprintf("/zkt-%s-%016x", name, rand.Uint64())
}

// Eventually calls cond every 10ms until it returns true, and fails the test
// with t.Fatalf naming what was awaited if that takes more than 10s. Call it
// from the test's goroutine (it may call t.Fatal).
func Eventually(t testing.TB, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(eventuallyTimeout)
	tick := time.NewTicker(eventuallyInterval)
	defer tick.Stop()
	for {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("zktest: timed out after %v waiting for %s", eventuallyTimeout, what)
			return
		}
		<-tick.C
	}
}

// EventuallyCtx is Eventually bounded by ctx instead of 10s, for a wait
// whose length grows with the work behind it (a cache re-reading tens of
// thousands of nodes after a connection drop), with ctx from BulkContext.
// It polls every 10ms and fails the test naming what was awaited when ctx
// ends first.
func EventuallyCtx(t testing.TB, ctx context.Context, cond func() bool, what string) {
	t.Helper()
	start := time.Now()
	tick := time.NewTicker(eventuallyInterval)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("zktest: gave up after %v waiting for %s: %v", time.Since(start).Round(time.Millisecond), what, ctx.Err())
			return
		case <-tick.C:
		}
	}
}
