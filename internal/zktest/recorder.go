package zktest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// Recorder collects values (connection states, events) from a callback so a
// test can wait for an exact sequence. It is safe for concurrent use.
type Recorder[T comparable] struct {
	mu    sync.Mutex
	items []T
}

// Add records v; use it as the callback.
func (r *Recorder[T]) Add(v T) {
	r.mu.Lock()
	r.items = append(r.items, v)
	r.mu.Unlock()
}

// Items returns a copy of what was recorded so far.
func (r *Recorder[T]) Items() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.items)
}

// WaitFor waits (with the Eventually deadline) until at least len(want)
// values were recorded, then fails the test unless the first len(want)
// values are exactly want and no others came. Values recorded later are
// the caller's to check with Items.
func (r *Recorder[T]) WaitFor(t testing.TB, want ...T) {
	t.Helper()
	deadline := time.Now().Add(eventuallyTimeout)
	for {
		got := r.Items()
		if len(got) >= len(want) {
			if !slices.Equal(got[:len(want)], want) || len(got) > len(want) {
				t.Fatalf("zktest: recorded %v, want exactly %v", got, want)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("zktest: after %v recorded %v, want %v", eventuallyTimeout, got, want)
		}
		time.Sleep(eventuallyInterval)
	}
}

// String formats the recorded values.
func (r *Recorder[T]) String() string { return fmt.Sprint(r.Items()) }
