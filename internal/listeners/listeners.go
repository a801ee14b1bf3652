// Package listeners delivers values (connection states, leadership
// changes, cache events) to subscribed callbacks in order, one at a time,
// on one goroutine, so that publishing never blocks: an unbounded queue
// stands between the publisher and a slow listener.
package listeners

import (
	"sync"
	"sync/atomic"

	"github.com/zkcurator/zkcurator/internal/queue"
)

// Bus is a set of listeners for values of type T. The zero value is not
// usable: create one with New. Its goroutine runs only while published
// values wait to be delivered: an idle bus (a Client's connection states
// between changes; a thousand Clients in one process) holds none.
type Bus[T any] struct {
	q       *queue.Queue[item[T]]
	mu      sync.Mutex
	next    int    // next subscriber id
	seq     uint64 // sequence number of the next published value
	subs    []sub[T]
	running bool          // a delivering goroutine runs (under mu)
	idle    chan struct{} // closed when the running goroutine ends
	ended   bool          // Close or Stop was called: Publish does nothing
	busy    atomic.Bool   // a listener is running
	stop    chan struct{} // closed by Stop
}

type item[T any] struct {
	seq uint64
	v   T
}

type sub[T any] struct {
	id   int
	from uint64 // first sequence number this subscriber sees
	f    func(T)
}

// New returns a bus whose initial listeners see every value published.
func New[T any](initial ...func(T)) *Bus[T] {
	b := &Bus[T]{q: queue.New[item[T]](), stop: make(chan struct{})}
	for _, f := range initial {
		if f != nil {
			b.subs = append(b.subs, sub[T]{id: b.next, f: f})
			b.next++
		}
	}
	return b
}

// Publish queues v for the listeners subscribed now. It never blocks; after
// Close or Stop it does nothing.
func (b *Bus[T]) Publish(v T) {
	b.mu.Lock()
	if b.ended {
		b.mu.Unlock()
		return
	}
	it := item[T]{seq: b.seq, v: v}
	b.seq++
	b.q.Push(it) // under mu, so queue order is sequence order
	start := !b.running
	var idle chan struct{}
	if start {
		b.running = true
		idle = make(chan struct{})
		b.idle = idle
	}
	b.mu.Unlock()
	if start {
		go b.loop(idle)
	}
}

// loop delivers queued values until the queue is empty (or Stop), then
// ends; the next Publish starts another. One runs at a time, so values are
// delivered in order.
func (b *Bus[T]) loop(idle chan struct{}) {
	defer close(idle)
	for {
		b.mu.Lock()
		it, ok, _ := b.q.TryPop()
		stopped := false
		select {
		case <-b.stop:
			stopped = true
		default:
		}
		if !ok || stopped {
			b.running = false
			b.mu.Unlock()
			return
		}
		subs := b.subs
		b.mu.Unlock()
		b.busy.Store(true)
		for _, s := range subs {
			if s.from <= it.seq {
				s.f(it.v)
			}
		}
		b.busy.Store(false)
	}
}

// Listen subscribes f to the values published after Listen returns and
// returns a function that unsubscribes it.
func (b *Bus[T]) Listen(f func(T)) (unsubscribe func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.next
	b.next++
	// Copy on write: the goroutine iterates a snapshot without the lock.
	subs := make([]sub[T], len(b.subs), len(b.subs)+1)
	copy(subs, b.subs)
	b.subs = append(subs, sub[T]{id: id, from: b.seq, f: f})
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			subs := make([]sub[T], 0, len(b.subs))
			for _, s := range b.subs {
				if s.id != id {
					subs = append(subs, s)
				}
			}
			b.subs = subs
		})
	}
}

// Clear unsubscribes every listener: values published later reach nobody.
func (b *Bus[T]) Clear() {
	b.mu.Lock()
	b.subs = nil
	b.mu.Unlock()
}

// Close delivers the values already published, then ends the goroutine.
// It waits for that unless a listener is running at that moment (it may be
// the caller: a listener closing the bus); the goroutine then finishes on
// its own.
func (b *Bus[T]) Close() { b.end(false) }

// Stop ends the goroutine without delivering the values not delivered yet.
func (b *Bus[T]) Stop() { b.end(true) }

// end stops further publishing and waits for the goroutine to deliver
// what it may (drop: nothing more), unless a listener is running: it may be
// the caller (a listener closing the bus), and the goroutine then ends as
// soon as that listener returns.
func (b *Bus[T]) end(drop bool) {
	b.mu.Lock()
	if !b.ended {
		b.ended = true
		b.q.Close()
		if drop {
			close(b.stop)
		}
	}
	running, idle := b.running, b.idle
	b.mu.Unlock()
	if running && !b.busy.Load() {
		<-idle
	}
}
