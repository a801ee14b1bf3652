package queue

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFIFOOrderAcrossCompaction(t *testing.T) {
	var f FIFO[int]
	_, ok := f.Pop()
	require.False(t, ok, "the zero value is empty")
	_, ok = f.Last()
	require.False(t, ok)
	next, want := 0, 0
	// Push two, pop one, many times: the list never empties, so Pop must
	// compact to keep the slice bounded, without losing the order.
	for range 10000 {
		f.Push(next)
		f.Push(next + 1)
		next += 2
		v, ok := f.Pop()
		require.True(t, ok)
		require.Equal(t, want, v)
		want++
	}
	require.Equal(t, 10000, f.Len())
	require.LessOrEqual(t, cap(f.items), 4*f.Len(), "popped space is reused")
	last, ok := f.Last()
	require.True(t, ok)
	require.Equal(t, next-1, last)
	f.PushAll([]int{next, next + 1})
	got := f.TakeAll(nil)
	require.Len(t, got, 10002)
	for i, v := range got {
		require.Equal(t, want+i, v)
	}
	require.Zero(t, f.Len())
}

func TestFIFOClearsPoppedSlots(t *testing.T) {
	var f FIFO[*int]
	a, b := new(int), new(int)
	f.Push(a)
	f.Push(b)
	v, _ := f.Pop()
	require.Same(t, a, v)
	require.Nil(t, f.items[0], "a popped slot does not keep its item alive")
}

func TestFIFODrainAndShrink(t *testing.T) {
	var f FIFO[int]
	for i := range 100 {
		f.Push(i)
	}
	f.Pop()
	rest := f.Drain()
	require.Len(t, rest, 99)
	require.Equal(t, 1, rest[0])
	require.Zero(t, f.Len())
	require.Nil(t, f.items, "Drain hands the space to the caller")

	for i := range 100 {
		f.Push(i)
	}
	f.Shrink(10)
	require.Equal(t, 100, f.Len(), "Shrink keeps a non-empty list")
	f.TakeAll(nil)
	f.Shrink(1000)
	require.NotNil(t, f.items, "space under the bound is kept")
	f.Shrink(10)
	require.Nil(t, f.items, "space over the bound is dropped once empty")
}

func TestLockedFIFOConcurrent(t *testing.T) {
	var l LockedFIFO[int]
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 1000 {
			l.Push(i)
		}
	}()
	want := 0
	for want < 1000 {
		if v, ok := l.Pop(); ok {
			require.Equal(t, want, v)
			want++
		}
	}
	<-done
	l.Push(7)
	require.Equal(t, []int{7}, l.Drain())
	_, ok := l.Pop()
	require.False(t, ok)
}
