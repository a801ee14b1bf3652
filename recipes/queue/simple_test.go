package queue

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

func TestNewValidates(t *testing.T) {
	c := zktest.Connect(t, zktest.Server(t).ConnectString())
	_, err := NewSimple(nil, "/q")
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
	_, err = NewSimple(c, "q")
	require.ErrorIs(t, err, zk.ErrInvalidPath)
	_, err = New(nil, "/q")
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
	_, err = New(c, "/q/")
	require.ErrorIs(t, err, zk.ErrInvalidPath)
	_, err = New(c, "/q", WithLockPath("bad"))
	require.ErrorIs(t, err, zk.ErrInvalidPath)
	_, err = New(c, "/q", nil)
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
	q, err := New(c, "/q")
	require.NoError(t, err)
	require.ErrorIs(t, q.PutMulti(zktest.Context(t), nil), zk.ErrInvalidArgument)
	require.ErrorIs(t, q.ConsumeFunc(zktest.Context(t), nil), zk.ErrInvalidArgument)
}

func TestSimpleQueueOrderPeekPoll(t *testing.T) {
	ctx, c, base := zktest.Setup(t)
	path := base + "/sq"
	q, err := NewSimple(c, path)
	require.NoError(t, err)

	_, err = q.Poll(ctx)
	require.ErrorIs(t, err, ErrEmpty) // the path does not exist yet
	_, err = q.Peek(ctx)
	require.ErrorIs(t, err, ErrEmpty)

	for i := range 12 { // past 10 items: order is by sequence, not by length
		require.NoError(t, q.Offer(ctx, fmt.Appendf(nil, "item-%d", i)))
	}
	for _, n := range zktest.Children(t, c, path) {
		require.Regexp(t, `^qn-\d{10}$`, n)
	}
	head, err := q.Peek(ctx)
	require.NoError(t, err)
	require.Equal(t, "item-0", string(head))
	for i := range 12 {
		got, err := q.Poll(ctx)
		require.NoError(t, err)
		require.Equal(t, fmt.Sprintf("item-%d", i), string(got))
	}
	_, err = q.Poll(ctx)
	require.ErrorIs(t, err, ErrEmpty)
}

func TestSimpleQueueTakeWaits(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/sq"
	taker, err := NewSimple(zktest.Connect(t, srv.ConnectString()), path)
	require.NoError(t, err)
	offerer, err := NewSimple(zktest.Connect(t, srv.ConnectString()), path)
	require.NoError(t, err)

	got := make(chan string, 1)
	go func() {
		b, err := taker.Take(ctx)
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		got <- string(b)
	}()
	require.NoError(t, offerer.Offer(ctx, []byte("hello")))
	require.Equal(t, "hello", zktest.Recv(t, got))

	// Take ends with its context.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = taker.Take(cctx)
	require.ErrorIs(t, err, context.Canceled)
}

// Concurrent takers get every item exactly once.
func TestSimpleQueueConcurrentTakers(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/sq"
	const items, takers = 40, 4
	p, err := NewSimple(zktest.Connect(t, srv.ConnectString()), path)
	require.NoError(t, err)
	for i := range items {
		require.NoError(t, p.Offer(ctx, fmt.Appendf(nil, "%d", i)))
	}
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
	)
	for range takers {
		q, err := NewSimple(zktest.Connect(t, srv.ConnectString()), path)
		require.NoError(t, err)
		wg.Go(func() {
			for {
				b, err := q.Poll(ctx)
				if errors.Is(err, ErrEmpty) {
					return
				}
				if err != nil {
					t.Errorf("poll: %v", err)
					return
				}
				mu.Lock()
				seen[string(b)]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Len(t, seen, items)
	for k, n := range seen {
		require.Equal(t, 1, n, "item %s taken %d times", k, n)
	}
	require.Empty(t, zktest.Children(t, p.c, path))
}

// Foreign nodes under the queue path are skipped, as Curator does.
func TestSimpleQueueSkipsForeignNodes(t *testing.T) {
	ctx, c, base := zktest.Setup(t)
	path := base + "/sq"
	q, err := NewSimple(c, path)
	require.NoError(t, err)
	require.NoError(t, q.Offer(ctx, []byte("x")))
	_, err = c.Create(ctx, path+"/aaa", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	b, err := q.Poll(ctx)
	require.NoError(t, err)
	require.Equal(t, "x", string(b))
	_, err = q.Poll(ctx)
	require.ErrorIs(t, err, ErrEmpty)
	require.True(t, strings.HasSuffix(zktest.Children(t, c, path)[0], "aaa"))
}
