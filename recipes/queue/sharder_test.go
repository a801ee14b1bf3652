package queue

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

func newQueueShard(c *zk.Client, path string) (*Queue, error) { return New(c, path) }

// The leader adds a shard once one holds the threshold of items, a second
// Sharder on the path picks it up, and every item put through any shard
// is consumed.
func TestSharderAddsShardPastThreshold(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/sharded"
	leader := zktest.UniquePath(t) + "/leader"
	newSharder := func() *Sharder[*Queue] {
		s, err := NewSharder(zktest.Connect(t, srv.ConnectString()), path, leader, newQueueShard,
			WithShardThreshold(4), WithShardCheckInterval(50*time.Millisecond), WithMaxShards(3))
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, s.Close()) })
		return s
	}
	a := newSharder()
	_, err := a.Queue()
	require.ErrorIs(t, err, zk.ErrInvalidArgument, "before Start")
	require.NoError(t, a.Start(ctx))
	require.ErrorIs(t, a.Start(ctx), ErrStarted)
	require.Len(t, a.ShardPaths(), 1)
	require.Regexp(t, `/queue-[0-9a-f-]{36}$`, a.ShardPaths()[0])

	for i := range 4 {
		q, err := a.Queue()
		require.NoError(t, err)
		require.NoError(t, q.Put(ctx, fmt.Appendf(nil, "i%d", i)))
	}
	zktest.Eventually(t, func() bool { return len(a.ShardPaths()) == 2 }, "a second shard")
	b := newSharder()
	require.NoError(t, b.Start(ctx))
	require.Equal(t, a.ShardPaths(), b.ShardPaths())
	for i := 4; i < 30; i++ {
		q, err := b.Queue()
		require.NoError(t, err)
		require.NoError(t, q.Put(ctx, fmt.Appendf(nil, "i%d", i)))
	}
	zktest.Eventually(t, func() bool { return len(a.ShardPaths()) == 3 }, "the third shard")
	seen := map[string]bool{}
	for _, p := range b.ShardPaths() {
		require.True(t, strings.HasPrefix(p, path+"/queue-"))
		q, err := New(b.c, p)
		require.NoError(t, err)
		for range zktest.Children(t, b.c, p) {
			it, err := q.Consume(ctx)
			require.NoError(t, err)
			seen[string(it)] = true
		}
		require.NoError(t, q.Close())
	}
	require.Len(t, seen, 30)
	require.LessOrEqual(t, len(a.ShardPaths()), 3, "WithMaxShards(3)")

	require.NoError(t, a.Close())
	require.NoError(t, a.Close())
	_, err = a.Queue()
	require.ErrorIs(t, err, zk.ErrClosed)
}
