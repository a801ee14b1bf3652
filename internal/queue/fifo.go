package queue

import "sync"

// FIFO is a first-in first-out list backed by one slice and a head index:
// Pop does not shift the slice, and the popped slot is cleared so the GC
// can free what it held. The space of popped items is reused once the list
// empties, or moved down when more than half of the slice is popped. It is
// not safe for concurrent use: the caller locks (see [Queue]) or owns it
// from one goroutine. The zero value is an empty FIFO.
type FIFO[T any] struct {
	items []T
	head  int
}

// compactAt is the head index from which Pop moves the unpopped items down
// (when they are fewer than the popped ones), so a list that never quite
// empties does not grow without bound.
const compactAt = 64

// Len returns the number of items in f.
func (f *FIFO[T]) Len() int { return len(f.items) - f.head }

// Push appends v.
func (f *FIFO[T]) Push(v T) { f.items = append(f.items, v) }

// PushAll appends vs in order.
func (f *FIFO[T]) PushAll(vs []T) { f.items = append(f.items, vs...) }

// Pop removes and returns the oldest item, or ok=false when f is empty.
func (f *FIFO[T]) Pop() (v T, ok bool) {
	if f.head == len(f.items) {
		return v, false
	}
	v = f.items[f.head]
	var zero T
	f.items[f.head] = zero
	f.head++
	switch {
	case f.head == len(f.items):
		f.items, f.head = f.items[:0], 0
	case f.head > compactAt && f.head*2 > len(f.items):
		n := copy(f.items, f.items[f.head:])
		clear(f.items[n:])
		f.items, f.head = f.items[:n], 0
	}
	return v, true
}

// Last returns the newest item without removing it, or ok=false when f is
// empty.
func (f *FIFO[T]) Last() (v T, ok bool) {
	if f.head == len(f.items) {
		return v, false
	}
	return f.items[len(f.items)-1], true
}

// TakeAll appends every item to dst, in order, and returns it; f is left
// empty and keeps its space for reuse.
func (f *FIFO[T]) TakeAll(dst []T) []T {
	dst = append(dst, f.items[f.head:]...)
	clear(f.items)
	f.items, f.head = f.items[:0], 0
	return dst
}

// Drain returns every item, in order, and leaves f empty without its space:
// the returned slice is the caller's.
func (f *FIFO[T]) Drain() []T {
	items := f.items[f.head:]
	f.items, f.head = nil, 0
	return items
}

// Shrink drops f's space when f is empty and can hold more than maxCap
// items, so that one burst does not pin a large slice for good.
func (f *FIFO[T]) Shrink(maxCap int) {
	if f.head == len(f.items) && cap(f.items) > maxCap {
		f.items, f.head = nil, 0
	}
}

// LockedFIFO is a [FIFO] with its own mutex, safe for concurrent use: for a
// list that one goroutine fills and another empties, each in small steps.
// The zero value is an empty list.
type LockedFIFO[T any] struct {
	mu sync.Mutex
	f  FIFO[T]
}

// Push appends v.
func (l *LockedFIFO[T]) Push(v T) {
	l.mu.Lock()
	l.f.Push(v)
	l.mu.Unlock()
}

// Pop removes and returns the oldest item, or ok=false when l is empty.
func (l *LockedFIFO[T]) Pop() (v T, ok bool) {
	l.mu.Lock()
	v, ok = l.f.Pop()
	l.mu.Unlock()
	return v, ok
}

// Drain removes and returns every item, in order.
func (l *LockedFIFO[T]) Drain() []T {
	l.mu.Lock()
	items := l.f.Drain()
	l.mu.Unlock()
	return items
}
