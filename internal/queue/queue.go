// Package queue provides an unbounded FIFO queue that decouples a producer
// that must never block (a connection's reader) from a consumer that may be
// slow (user callbacks), and the unsynchronised [FIFO] list it is built on,
// which the session core's pending requests and the caches' read queue use
// too.
package queue

import "sync"

// Queue is an unbounded FIFO queue safe for concurrent use. Push never
// blocks; Pop blocks until an item is available or the queue is closed and
// drained. The zero value is not usable: create one with New.
type Queue[T any] struct {
	mu     sync.Mutex
	items  FIFO[T]
	closed bool
	ready  chan struct{} // has a token while items are available or closed
}

// New returns an empty queue.
func New[T any]() *Queue[T] {
	return &Queue[T]{ready: make(chan struct{}, 1)}
}

func (q *Queue[T]) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// Push appends v. It reports false, dropping v, once the queue is closed.
func (q *Queue[T]) Push(v T) bool {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return false
	}
	q.items.Push(v)
	q.mu.Unlock()
	q.signal()
	return true
}

// Close stops further pushes. Items already queued can still be popped.
func (q *Queue[T]) Close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

// Len returns the number of queued items.
func (q *Queue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.items.Len()
}

// TryPop removes and returns the oldest item without blocking. done reports
// that the queue is closed and empty: no item will ever come.
func (q *Queue[T]) TryPop() (v T, ok, done bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if v, ok = q.items.Pop(); ok {
		if q.items.Len() > 0 || q.closed {
			q.signal()
		}
		return v, true, false
	}
	return v, false, q.closed
}

// TakeAll moves every queued item to the end of dst and returns it, without
// blocking. done reports that the queue is closed and was drained: no item
// will ever come. A consumer that batches calls TakeAll, handles the
// batch, and waits on Ready when it got nothing.
func (q *Queue[T]) TakeAll(dst []T) (items []T, done bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.items.TakeAll(dst), q.closed
}

// Ready returns a channel that has a value when an item may be available or
// the queue has been closed; call TryPop after receiving from it.
func (q *Queue[T]) Ready() <-chan struct{} { return q.ready }

// Pop blocks until an item is available and returns it, or returns ok=false
// once the queue is closed and drained.
func (q *Queue[T]) Pop() (T, bool) {
	for {
		v, ok, done := q.TryPop()
		if ok {
			return v, true
		}
		if done {
			return v, false
		}
		<-q.ready
	}
}
