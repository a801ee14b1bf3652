package queue

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestFIFOAndClose(t *testing.T) {
	q := New[int]()
	for i := range 1000 {
		require.True(t, q.Push(i))
	}
	require.Equal(t, 1000, q.Len())
	for i := range 500 {
		v, ok := q.Pop()
		require.True(t, ok)
		require.Equal(t, i, v)
	}
	q.Close()
	require.False(t, q.Push(-1))
	for i := 500; i < 1000; i++ {
		v, ok := q.Pop()
		require.True(t, ok)
		require.Equal(t, i, v)
	}
	_, ok := q.Pop()
	require.False(t, ok)
}

func TestConcurrentProducersNeverBlock(t *testing.T) {
	q := New[int]()
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10000 {
				q.Push(p*10000 + i)
			}
		}()
	}
	wg.Wait() // nobody consumed yet: pushes did not block
	q.Close()
	last := map[int]int{0: -1, 1: -1, 2: -1, 3: -1}
	n := 0
	for {
		v, ok := q.Pop()
		if !ok {
			break
		}
		p := v / 10000
		require.Greater(t, v%10000, last[p], "per-producer order kept")
		last[p] = v % 10000
		n++
	}
	require.Equal(t, 40000, n)
}

func TestPopWaitsForPush(t *testing.T) {
	q := New[string]()
	got := make(chan string)
	go func() {
		v, _ := q.Pop()
		got <- v
	}()
	q.Push("x")
	require.Equal(t, "x", <-got)
	q.Close()
}

func TestTakeAll(t *testing.T) {
	q := New[int]()
	got, done := q.TakeAll(nil)
	require.Empty(t, got)
	require.False(t, done)
	q.Push(1)
	q.Push(2)
	<-q.Ready()
	got, done = q.TakeAll(got[:0])
	require.Equal(t, []int{1, 2}, got)
	require.False(t, done)
	q.Push(3)
	q.Close()
	got, done = q.TakeAll(got[:0])
	require.Equal(t, []int{3}, got)
	require.True(t, done)
}
