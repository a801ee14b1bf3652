package queue

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// Curator 5.4's priorityToString and epochToString, and its id parsing.
func TestVariantNodeNamesCurator(t *testing.T) {
	require.Equal(t, "queue-100000000", priorityName(0))
	require.Equal(t, "queue-10000000A", priorityName(10))
	require.Equal(t, "queue-0FFFFFFFF", priorityName(-1))
	require.Equal(t, "queue-080000000", priorityName(-1<<31))
	require.Equal(t, "queue-17FFFFFFF", priorityName(1<<31-1))
	require.Equal(t, "queue-|0000000A|", delayName(time.UnixMilli(10)))
	require.Equal(t, "queue-|18BCFE56800|", delayName(time.UnixMilli(1700000000000)))
	require.Equal(t, int64(1700000000000), delayEpoch("queue-|18BCFE56800|0000000003"))
	require.Equal(t, int64(0), delayEpoch("queue-0000000003"))
	require.Equal(t, "queue-|a_b_c|", idName("a/b|c"))
	id, cleaned := parseID("queue-|a_b|0000000007")
	require.Equal(t, "a_b", id)
	require.Equal(t, "queue-0000000007", cleaned)
	require.Equal(t, "queue-|x|", requeueName("queue-|x|0000000007"))
	require.Equal(t, "queue-", requeueName("queue-0000000007"))
	require.Equal(t, "queue-", requeueName("queue-"))

	names := []string{priorityName(5) + "0000000001", priorityName(-3) + "0000000002",
		priorityName(0) + "0000000003", priorityName(-300) + "0000000004", priorityName(5) + "0000000000"}
	slices.Sort(names)
	require.Equal(t, []string{priorityName(-300) + "0000000004", priorityName(-3) + "0000000002",
		priorityName(0) + "0000000003", priorityName(5) + "0000000000", priorityName(5) + "0000000001"}, names)
}

func consumeN(t *testing.T, ctx context.Context, n int, consume func(context.Context) ([]byte, error)) []string {
	t.Helper()
	var got []string
	for range n {
		b, err := consume(ctx)
		require.NoError(t, err)
		got = append(got, string(b))
	}
	return got
}

func TestPriorityQueueOrder(t *testing.T) {
	ctx, c, base := zktest.Setup(t)
	path := base + "/pq"
	q, err := NewPriority(c, path, WithLockPath(base+"/locks"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	for _, p := range []int32{5, -3, 0, 5, -300, 1 << 20} {
		require.NoError(t, q.Put(ctx, fmt.Appendf(nil, "p%d", p), p))
	}
	require.NoError(t, q.PutMulti(ctx, [][]byte{[]byte("m1"), []byte("m2")}, -4))
	require.ErrorIs(t, q.PutMulti(ctx, nil, 1), zk.ErrInvalidArgument)
	got := consumeN(t, ctx, 8, q.Consume)
	require.Equal(t, []string{"p-300", "m1", "m2", "p-3", "p0", "p5", "p5", "p1048576"}, got)
	require.NoError(t, q.Close())
	_, err = q.Consume(ctx)
	require.ErrorIs(t, err, zk.ErrClosed)
	require.ErrorIs(t, q.Put(ctx, nil, 1), zk.ErrClosed)
}

func TestIDQueuePutRemove(t *testing.T) {
	for _, lock := range []bool{false, true} {
		t.Run(fmt.Sprintf("lock=%v", lock), func(t *testing.T) {
			srv := zktest.Server(t)
			ctx := zktest.Context(t)
			path := zktest.UniquePath(t) + "/iq"
			var opts []Option
			if lock {
				opts = append(opts, WithLockPath(zktest.UniquePath(t)+"/locks"))
			}
			q, err := NewID(zktest.Connect(t, srv.ConnectString()), path, opts...)
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, q.Close()) })
			require.ErrorIs(t, q.Put(ctx, []byte("x"), ""), zk.ErrInvalidArgument)
			for i, id := range []string{"b", "a", "b", "c/d", "a"} {
				require.NoError(t, q.Put(ctx, fmt.Appendf(nil, "%s-%d", id, i), id))
			}
			for _, n := range zktest.Children(t, q.q.c, path) {
				require.Regexp(t, `^queue-\|(a|b|c_d)\|\d{10}$`, n)
			}
			ok, err := q.Contains(ctx, "c/d")
			require.NoError(t, err)
			require.True(t, ok)
			n, err := q.Remove(ctx, "a")
			require.NoError(t, err)
			require.Equal(t, 2, n)
			ok, err = q.Contains(ctx, "a")
			require.NoError(t, err)
			require.False(t, ok)
			n, err = q.Remove(ctx, "nope")
			require.NoError(t, err)
			require.Zero(t, n)
			require.Equal(t, []string{"b-0", "b-2", "c/d-3"}, consumeN(t, ctx, 3, q.Consume))
		})
	}
}

// Items are not handed out before their time, are handed out in due-time
// order, and a waiting consumer wakes for the first one without any change
// to the queue's children.
func TestDelayQueueDue(t *testing.T) {
	ctx, c, base := zktest.Setup(t)
	path := base + "/dq"
	q, err := NewDelay(c, path, WithLockPath(base+"/locks"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	require.ErrorIs(t, q.Put(ctx, nil, time.UnixMilli(0)), zk.ErrInvalidArgument)

	start := time.Now()
	later, soon := start.Add(900*time.Millisecond), start.Add(400*time.Millisecond)
	require.NoError(t, q.Put(ctx, []byte("later"), later))
	require.NoError(t, q.Put(ctx, []byte("soon"), soon))
	require.NoError(t, q.Put(ctx, []byte("past"), start.Add(-time.Hour)))

	b, err := q.Consume(ctx)
	require.NoError(t, err)
	require.Equal(t, "past", string(b))

	type got struct {
		item string
		at   time.Time
	}
	out := make(chan got, 2)
	go func() {
		for range 2 {
			b, err := q.Consume(ctx)
			if err != nil {
				return
			}
			out <- got{string(b), time.Now()}
		}
	}()
	g := zktest.Recv(t, out)
	require.Equal(t, "soon", g.item)
	require.False(t, g.at.Before(soon.Truncate(time.Millisecond)), "handed out %v early", soon.Sub(g.at))
	g = zktest.Recv(t, out)
	require.Equal(t, "later", g.item)
	require.False(t, g.at.Before(later.Truncate(time.Millisecond)), "handed out %v early", later.Sub(g.at))
}

// A delayed item does not hold back the consumer's wait for new due items.
func TestDelayQueueDueItemOvertakes(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/dq"
	q, err := NewDelay(zktest.Connect(t, srv.ConnectString()), path)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	require.NoError(t, q.Put(ctx, []byte("tomorrow"), time.Now().Add(24*time.Hour)))
	out := make(chan string, 1)
	go func() {
		b, err := q.Consume(ctx)
		if err == nil {
			out <- string(b)
		}
	}()
	require.NoError(t, q.Put(ctx, []byte("now"), time.Now()))
	require.Equal(t, "now", zktest.Recv(t, out))
	require.Len(t, zktest.Children(t, q.q.c, path), 1)
}

// A requeued node keeps its priority.
func TestPriorityQueueRequeueKeepsPriority(t *testing.T) {
	ctx, c, base := zktest.Setup(t)
	path := base + "/pq"
	q, err := NewPriority(c, path, WithLockPath(base+"/locks"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	require.NoError(t, q.Put(ctx, []byte("urgent"), -1))
	require.NoError(t, q.Put(ctx, []byte("normal"), 0))
	boom := fmt.Errorf("boom")
	require.ErrorIs(t, q.ConsumeFunc(ctx, func(context.Context, []byte) error { return boom }), boom)
	require.Equal(t, []string{"urgent", "normal"}, consumeN(t, ctx, 2, q.Consume))
}
