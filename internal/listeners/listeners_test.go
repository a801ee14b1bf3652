package listeners

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type rec struct {
	mu sync.Mutex
	vs []int
}

func (r *rec) add(v int) { r.mu.Lock(); r.vs = append(r.vs, v); r.mu.Unlock() }
func (r *rec) get() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.vs...)
}

func TestOrderAndLaterSubscribers(t *testing.T) {
	first := &rec{}
	b := New(first.add)
	b.Publish(1)
	late := &rec{}
	unsubscribe := b.Listen(late.add)
	b.Publish(2)
	b.Publish(3)
	require.Eventually(t, func() bool { return len(late.get()) == 2 }, 10*time.Second, time.Millisecond)
	unsubscribe()
	b.Publish(4)
	b.Close()
	require.Equal(t, []int{1, 2, 3, 4}, first.get(), "initial listeners see everything, in order")
	require.Equal(t, []int{2, 3}, late.get(), "a listener sees only what comes after Listen, until it unsubscribes")
	b.Publish(5) // after Close: dropped, no panic
	require.Equal(t, []int{1, 2, 3, 4}, first.get())
}

func TestSlowListenerNeverBlocksPublish(t *testing.T) {
	release := make(chan struct{})
	got := &rec{}
	b := New(func(v int) {
		<-release
		got.add(v)
	})
	for i := range 10000 {
		b.Publish(i) // would deadlock if Publish waited for the listener
	}
	close(release)
	b.Close()
	// Close waits for delivery unless a listener is running at that moment
	// (it could be the caller); then the goroutine finishes on its own.
	require.Eventually(t, func() bool { return len(got.get()) == 10000 }, 10*time.Second, time.Millisecond)
}

func TestStopDropsUndelivered(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	got := &rec{}
	b := New(func(v int) {
		if v == 0 {
			close(started)
			<-release
		}
		got.add(v)
	})
	b.Publish(0)
	b.Publish(1)
	<-started
	b.Stop() // the listener is running: Stop does not wait for it
	close(release)
	require.Eventually(t, func() bool { return len(got.get()) == 1 }, 10*time.Second, time.Millisecond)
	b.mu.Lock()
	idle := b.idle
	b.mu.Unlock()
	<-idle
	require.Equal(t, []int{0}, got.get(), "values not delivered before Stop are dropped")
}

func TestCloseFromListener(t *testing.T) {
	var b *Bus[int]
	done := make(chan struct{})
	b = New(func(int) {
		b.Close() // must not deadlock
		close(done)
	})
	b.Publish(1)
	<-done
}

func TestUnusedBusHasNoGoroutine(t *testing.T) {
	b := New[int]()
	b.Close() // nothing was published: nothing to wait for
	b.Stop()
}

func TestIdleBusEndsItsGoroutine(t *testing.T) {
	got := &rec{}
	b := New(got.add)
	running := func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.running
	}
	for round := range 3 {
		b.Publish(round)
		require.Eventually(t, func() bool { return len(got.get()) == round+1 && !running() }, 10*time.Second, time.Millisecond,
			"the goroutine ends once the queue is empty")
	}
	require.Equal(t, []int{0, 1, 2}, got.get(), "a new goroutine per burst, values still in order")
	b.Close()
}

func TestClear(t *testing.T) {
	got := &rec{}
	b := New(got.add)
	b.Clear()
	b.Publish(1)
	b.Close()
	require.Empty(t, got.get())
}
