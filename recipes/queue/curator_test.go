package queue

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
)

// The Curator interop tests run testdata/CuratorQueue.java (Apache Curator
// 5.x) against the Go queues on one path of a real ZooKeeper
// (ZKCURATOR_REAL_ZK=1).

const interopItems = 12

func buildCuratorQueue(t *testing.T) string {
	t.Helper()
	return zktest.CompileJava(t, zktest.CuratorJars, filepath.Join("testdata", "CuratorQueue.java"))
}

// javaItems returns the "ITEM x" payloads of a finished Java run.
func javaItems(lines []string) []string {
	var items []string
	for _, l := range lines {
		if it, ok := strings.CutPrefix(l, "ITEM "); ok {
			items = append(items, it)
		}
	}
	return items
}

func names(prefix string, n int) []string {
	var s []string
	for i := range n {
		s = append(s, fmt.Sprintf("%s-%d", prefix, i))
	}
	return s
}

// Curator's DistributedQueue (with a lock path) produces, a Go consumer
// takes exactly those items, in order; then a Go producer's items are
// consumed by Curator's consumer.
func TestCuratorDistributedQueueInterop(t *testing.T) {
	cp := buildCuratorQueue(t)
	addr := zktest.RealConnectString(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/q"
	locks := zktest.UniquePath(t) + "/locks"

	java := zktest.StartJava(t, cp, "CuratorQueue", "put", addr, path, locks, fmt.Sprint(interopItems))
	java.Expect("PUT")
	java.Wait()
	q := newQueue(t, addr, path, WithLockPath(locks))
	var got []string
	for len(got) < interopItems { // one node per put: 2 items in the first
		require.NoError(t, q.ConsumeFunc(ctx, func(_ context.Context, b []byte) error {
			got = append(got, string(b))
			return nil
		}), "got %v", got)
	}
	require.Equal(t, names("java", interopItems), got)
	_, err := q.claim(ctx, "consume", false)
	require.ErrorIs(t, err, ErrEmpty)

	require.NoError(t, q.PutMulti(ctx, [][]byte{[]byte("go-0"), []byte("go-1")}))
	for i := 2; i < interopItems; i++ {
		require.NoError(t, q.Put(ctx, fmt.Appendf(nil, "go-%d", i)))
	}
	java = zktest.StartJava(t, cp, "CuratorQueue", "consume", addr, path, locks, fmt.Sprint(interopItems))
	lines := java.Expect("DONE")
	java.Wait()
	require.Equal(t, names("go", interopItems), javaItems(lines))
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, q.c, path)) == 0 }, "Java consumed and deleted every node")
}

// Curator's SimpleDistributedQueue and the Go SimpleQueue, both ways.
func TestCuratorSimpleQueueInterop(t *testing.T) {
	cp := buildCuratorQueue(t)
	addr := zktest.RealConnectString(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/sq"

	java := zktest.StartJava(t, cp, "CuratorQueue", "offer", addr, path, fmt.Sprint(interopItems))
	java.Expect("PUT")
	java.Wait()
	q, err := NewSimple(zktest.Connect(t, addr), path)
	require.NoError(t, err)
	var got []string
	for range interopItems {
		b, err := q.Take(ctx)
		require.NoError(t, err)
		got = append(got, string(b))
	}
	require.Equal(t, names("java", interopItems), got)

	for _, it := range names("go", interopItems) {
		require.NoError(t, q.Offer(ctx, []byte(it)))
	}
	java = zktest.StartJava(t, cp, "CuratorQueue", "take", addr, path, fmt.Sprint(interopItems))
	lines := java.Expect("DONE")
	java.Wait()
	require.Equal(t, names("go", interopItems), javaItems(lines))
	_, err = q.Poll(ctx)
	require.ErrorIs(t, err, ErrEmpty)
}
