package queue

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// Curator 5.4's ItemSerializer.serialize of a MultiItem {"ab", ""} with an
// identity serializer, byte for byte.
func TestItemSerializerCuratorBytes(t *testing.T) {
	want := []byte{0x00, 0x01, 0x00, 0x01, // VERSION
		0x01, 0, 0, 0, 2, 'a', 'b', // ITEM_OPCODE, size, bytes
		0x01, 0, 0, 0, 0, // an empty item
		0x02} // EOF_OPCODE
	require.Equal(t, want, encodeItems([][]byte{[]byte("ab"), {}}))
	items, err := decodeItems(want)
	require.NoError(t, err)
	require.Equal(t, [][]byte{[]byte("ab"), {}}, items)

	for _, bad := range [][]byte{
		nil,
		{0, 1, 0, 2, 2},                     // wrong version
		{0, 1, 0, 1},                        // no end marker
		{0, 1, 0, 1, 7, 2},                  // unknown opcode
		{0, 1, 0, 1, 1, 0, 0},               // truncated size
		{0, 1, 0, 1, 1, 0, 0, 0, 9, 'x', 2}, // size past the end
		{0, 1, 0, 1, 1, 0xff, 0xff, 0xff, 0xff, 2},
	} {
		_, err := decodeItems(bad)
		require.ErrorIs(t, err, ErrCorrupt, "%x", bad)
	}
}

// newQueue returns a Queue on its own client, closed at the end.
func newQueue(t *testing.T, addr, path string, opts ...Option) *Queue {
	t.Helper()
	q, err := New(zktest.Connect(t, addr), path, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	return q
}

// tally counts how often each item was consumed, from many goroutines.
type tally struct {
	mu   sync.Mutex
	seen map[string]int
}

func (tl *tally) add(b []byte) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if tl.seen == nil {
		tl.seen = map[string]int{}
	}
	tl.seen[string(b)]++
}

// distinct is the number of different items consumed.
func (tl *tally) distinct() int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return len(tl.seen)
}

// count is how often item was consumed.
func (tl *tally) count(item string) int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	return tl.seen[item]
}

// repeated returns the items consumed more than once, with their counts.
func (tl *tally) repeated() map[string]int {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	out := map[string]int{}
	for k, n := range tl.seen {
		if n > 1 {
			out[k] = n
		}
	}
	return out
}

// consumeInto runs one consumer per queue in qs (a queue may be listed
// more than once), each consuming into tl until the returned stop is
// called; stop waits for them.
func consumeInto(ctx context.Context, tl *tally, qs ...*Queue) (stop func()) {
	cctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, q := range qs {
		wg.Go(func() {
			for cctx.Err() == nil {
				_ = q.ConsumeFunc(cctx, func(_ context.Context, b []byte) error {
					tl.add(b)
					return nil
				})
			}
		})
	}
	return func() { cancel(); wg.Wait() }
}

func TestQueuePutConsumeOrder(t *testing.T) {
	for _, lock := range []bool{false, true} {
		t.Run(fmt.Sprintf("lock=%v", lock), func(t *testing.T) {
			srv := zktest.Server(t)
			ctx := zktest.Context(t)
			path := zktest.UniquePath(t) + "/q"
			var opts []Option
			if lock {
				opts = append(opts, WithLockPath(zktest.UniquePath(t)+"/locks"))
			}
			q := newQueue(t, srv.ConnectString(), path, opts...)
			require.NoError(t, q.Put(ctx, []byte("a")))
			require.NoError(t, q.PutMulti(ctx, [][]byte{[]byte("b"), []byte("c")}))
			for i := range 10 {
				require.NoError(t, q.Put(ctx, fmt.Appendf(nil, "n%d", i)))
			}
			names := zktest.Children(t, q.c, path)
			require.Len(t, names, 12)
			for _, n := range names {
				require.Regexp(t, `^queue-\d{10}$`, n)
			}
			slices.Sort(names)
			data, _, err := q.c.Get(ctx, path+"/"+names[1])
			require.NoError(t, err)
			require.Equal(t, encodeItems([][]byte{[]byte("b"), []byte("c")}), data)

			want := []string{"a", "b", "c"}
			for i := range 10 {
				want = append(want, fmt.Sprintf("n%d", i))
			}
			var got []string
			for range want {
				b, err := q.Consume(ctx)
				require.NoError(t, err)
				got = append(got, string(b))
			}
			require.Equal(t, want, got)
			require.Empty(t, zktest.Children(t, q.c, path))
			if lock {
				require.Empty(t, zktest.Children(t, q.c, q.lockPath))
			}
		})
	}
}

// With a lock path the item stays in the queue, locked, while the consumer
// runs; without one it is gone before the consumer runs.
func TestQueueConsumeFuncLockSafety(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/q"
	locks := zktest.UniquePath(t) + "/locks"
	q := newQueue(t, srv.ConnectString(), path, WithLockPath(locks))
	require.NoError(t, q.Put(ctx, []byte("x")))
	name := zktest.Children(t, q.c, path)[0]
	require.NoError(t, q.ConsumeFunc(ctx, func(ctx context.Context, item []byte) error {
		require.Equal(t, "x", string(item))
		require.True(t, zktest.Exists(t, q.c, path+"/"+name), "item removed before processing")
		require.True(t, zktest.Exists(t, q.c, locks+"/"+name), "item not locked")
		return nil
	}))
	require.False(t, zktest.Exists(t, q.c, path+"/"+name))
	require.False(t, zktest.Exists(t, q.c, locks+"/"+name))

	plain := newQueue(t, srv.ConnectString(), path)
	require.NoError(t, plain.Put(ctx, []byte("y")))
	name = zktest.Children(t, q.c, path)[0]
	require.NoError(t, plain.ConsumeFunc(ctx, func(ctx context.Context, item []byte) error {
		require.False(t, zktest.Exists(t, q.c, path+"/"+name), "at-most-once: removed first")
		return nil
	}))
}

// A consumer error requeues the node at the end (Curator's REQUEUE).
func TestQueueConsumeFuncErrorRequeues(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/q"
	q := newQueue(t, srv.ConnectString(), path, WithLockPath(zktest.UniquePath(t)+"/locks"))
	require.NoError(t, q.Put(ctx, []byte("first")))
	require.NoError(t, q.Put(ctx, []byte("second")))
	boom := errors.New("boom")
	err := q.ConsumeFunc(ctx, func(context.Context, []byte) error { return boom })
	require.ErrorIs(t, err, boom)
	var got []string
	for range 2 {
		require.NoError(t, q.ConsumeFunc(ctx, func(_ context.Context, b []byte) error {
			got = append(got, string(b))
			return nil
		}))
	}
	require.Equal(t, []string{"second", "first"}, got)
	require.Empty(t, zktest.Children(t, q.c, path))
	require.Empty(t, zktest.Children(t, q.c, q.lockPath))
}

func TestQueueAllIterator(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/q"
	q := newQueue(t, srv.ConnectString(), path, WithLockPath(zktest.UniquePath(t)+"/locks"))
	require.NoError(t, q.PutMulti(ctx, [][]byte{[]byte("a"), []byte("b")}))
	require.NoError(t, q.Put(ctx, []byte("c")))
	// a corrupt node is reported and removed; the iteration goes on
	_, err := q.c.Create(ctx, path+"/queue-", []byte("junk"), zk.ModePersistentSequential, nil)
	require.NoError(t, err)
	require.NoError(t, q.Put(ctx, []byte("d")))

	var got []string
	corrupt := 0
	for b, err := range q.All(ctx) {
		if errors.Is(err, ErrCorrupt) {
			corrupt++
			continue
		}
		require.NoError(t, err)
		got = append(got, string(b))
		if len(got) == 4 {
			break // counts as processed
		}
	}
	require.Equal(t, []string{"a", "b", "c", "d"}, got)
	require.Equal(t, 1, corrupt)
	require.Empty(t, zktest.Children(t, q.c, path))
	require.Empty(t, zktest.Children(t, q.c, q.lockPath))

	// the iteration ends with ctx
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	for _, err := range q.All(cctx) {
		require.ErrorIs(t, err, context.Canceled)
	}
}

// A panic in the loop body or in a ConsumeFunc leaves the locked item in
// the queue.
func TestQueueAllPanicKeepsItem(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/q"
	q := newQueue(t, srv.ConnectString(), path, WithLockPath(zktest.UniquePath(t)+"/locks"))
	require.NoError(t, q.Put(ctx, []byte("a")))
	require.Panics(t, func() {
		for range q.All(ctx) {
			panic("consumer died")
		}
	})
	require.Panics(t, func() {
		_ = q.ConsumeFunc(ctx, func(context.Context, []byte) error { panic("consumer died") })
	})
	b, err := q.Consume(ctx)
	require.NoError(t, err)
	require.Equal(t, "a", string(b))
}

func TestQueueClose(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/q"
	q, err := New(zktest.Connect(t, srv.ConnectString()), path)
	require.NoError(t, err)
	waiting := make(chan error, 1)
	go func() {
		_, err := q.Consume(ctx)
		waiting <- err
	}()
	zktest.Eventually(t, func() bool { return zktest.Exists(t, q.c, path) }, "consumer started")
	require.NoError(t, q.Close())
	require.ErrorIs(t, zktest.Recv(t, waiting), zk.ErrClosed)
	require.NoError(t, q.Close())
	require.ErrorIs(t, q.Put(ctx, nil), zk.ErrClosed)
	_, err = q.Consume(ctx)
	require.ErrorIs(t, err, zk.ErrClosed)
	require.ErrorIs(t, q.ConsumeFunc(ctx, func(context.Context, []byte) error { return nil }), zk.ErrClosed)
	for _, err := range q.All(ctx) {
		require.ErrorIs(t, err, zk.ErrClosed)
	}
}

// Start consumes in the background; an fn error requeues the item, and
// Close stops the consumer.
func TestQueueStart(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/q"
	q := newQueue(t, srv.ConnectString(), path, WithLockPath(zktest.UniquePath(t)+"/locks"))
	require.ErrorIs(t, q.Start(ctx, nil), zk.ErrInvalidArgument)
	require.NoError(t, q.Put(ctx, []byte("flaky")))
	require.NoError(t, q.Put(ctx, []byte("steady")))
	got := make(chan string, 10)
	failed := false
	require.NoError(t, q.Start(ctx, func(_ context.Context, b []byte) error {
		if string(b) == "flaky" && !failed {
			failed = true
			return errors.New("try again")
		}
		got <- string(b)
		return nil
	}))
	require.ErrorIs(t, q.Start(ctx, func(context.Context, []byte) error { return nil }), ErrStarted)
	require.Equal(t, "steady", zktest.Recv(t, got))
	require.Equal(t, "flaky", zktest.Recv(t, got)) // requeued behind "steady"

	// Close cancels a running fn and waits for it.
	blocked := make(chan struct{})
	q2 := newQueue(t, srv.ConnectString(), path)
	require.NoError(t, q2.Start(ctx, func(ctx context.Context, _ []byte) error {
		close(blocked)
		<-ctx.Done()
		return ctx.Err()
	}))
	require.NoError(t, q.Close()) // so that q2 gets the next item
	require.NoError(t, q2.Put(ctx, []byte("x")))
	zktest.Recv(t, blocked)
	require.NoError(t, q2.Close())
	require.ErrorIs(t, q2.Start(ctx, func(context.Context, []byte) error { return nil }), zk.ErrClosed)
}

// A queue whose node was deleted after its first use makes it again on the
// next Put, as Curator's does, instead of failing every Put from then on.
func TestQueuePutAfterQueueNodeDeleted(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/q"
	q := newQueue(t, srv.ConnectString(), path)
	require.NoError(t, q.Put(ctx, []byte("a")))
	require.NoError(t, q.c.DeleteAll(ctx, path))
	require.NoError(t, q.Put(ctx, []byte("b")))
	got, err := q.Consume(ctx)
	require.NoError(t, err)
	require.Equal(t, "b", string(got))
}

// The same for the lock node: a consumer makes it again instead of failing
// every claim with NoNode.
func TestQueueConsumeAfterLockNodeDeleted(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/q"
	locks := zktest.UniquePath(t) + "/locks"
	q := newQueue(t, srv.ConnectString(), path, WithLockPath(locks))
	require.NoError(t, q.Put(ctx, []byte("a")))
	require.NoError(t, q.c.DeleteAll(ctx, locks))
	var got []string
	require.NoError(t, q.ConsumeFunc(ctx, func(_ context.Context, b []byte) error {
		got = append(got, string(b))
		return nil
	}))
	require.Equal(t, []string{"a"}, got)
}
