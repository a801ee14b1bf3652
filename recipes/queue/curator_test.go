package queue

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

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
// interop is the set-up of an interop test: the compiled CuratorQueue, a
// real server (skipped without ZKCURATOR_REAL_ZK=1), the test's context,
// the queue's path (leaf below the test's UniquePath) and a lock path
// beside it.
func interop(t *testing.T, leaf string) (cp, addr string, ctx context.Context, path, locks string) {
	t.Helper()
	cp = buildCuratorQueue(t)
	addr = zktest.RealConnectString(t)
	return cp, addr, zktest.Context(t), zktest.UniquePath(t) + "/" + leaf, zktest.UniquePath(t) + "/locks"
}

// javaPut runs CuratorQueue with args until it has put its items.
func javaPut(t *testing.T, cp string, args ...string) {
	t.Helper()
	java := zktest.StartJava(t, cp, "CuratorQueue", args...)
	java.Expect("PUT")
	java.Wait()
}

// javaRun runs CuratorQueue with args to its end and returns its output.
func javaRun(t *testing.T, cp string, args ...string) []string {
	t.Helper()
	java := zktest.StartJava(t, cp, "CuratorQueue", args...)
	lines := java.Expect("DONE")
	java.Wait()
	return lines
}

func TestCuratorDistributedQueueInterop(t *testing.T) {
	cp, addr, ctx, path, locks := interop(t, "q")

	javaPut(t, cp, "put", addr, path, locks, fmt.Sprint(interopItems))
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
	lines := javaRun(t, cp, "consume", addr, path, locks, fmt.Sprint(interopItems))
	require.Equal(t, names("go", interopItems), javaItems(lines))
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, q.c, path)) == 0 }, "Java consumed and deleted every node")
}

// Curator's SimpleDistributedQueue and the Go SimpleQueue, both ways.
func TestCuratorSimpleQueueInterop(t *testing.T) {
	cp, addr, ctx, path, _ := interop(t, "sq")

	javaPut(t, cp, "offer", addr, path, fmt.Sprint(interopItems))
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
	lines := javaRun(t, cp, "take", addr, path, fmt.Sprint(interopItems))
	require.Equal(t, names("go", interopItems), javaItems(lines))
	_, err = q.Poll(ctx)
	require.ErrorIs(t, err, ErrEmpty)
}

// Curator's DistributedPriorityQueue produces with priorities, a Go
// PriorityQueue consumes in Curator's order; then the reverse.
func TestCuratorPriorityQueueInterop(t *testing.T) {
	cp, addr, ctx, path, locks := interop(t, "pq")

	javaPut(t, cp, "pput", addr, path, locks, fmt.Sprint(interopItems))
	q, err := NewPriority(zktest.Connect(t, addr), path, WithLockPath(locks))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	want := names("java", interopItems)
	slices.Reverse(want) // java-i has priority n-i
	require.Equal(t, want, consumeN(t, ctx, interopItems, q.Consume))

	for i, it := range names("go", interopItems) {
		require.NoError(t, q.Put(ctx, []byte(it), int32(i-interopItems/2))) // negative ones too
	}
	require.NoError(t, q.Put(ctx, []byte("go-urgent"), -1000))
	lines := javaRun(t, cp, "pconsume", addr, path, locks, fmt.Sprint(interopItems+1))
	require.Equal(t, append([]string{"go-urgent"}, names("go", interopItems)...), javaItems(lines))
}

// parseDue splits "<item>@<due ms>[@<consumed ms>]".
func parseDue(t *testing.T, s string) (item string, due, at int64) {
	t.Helper()
	parts := strings.Split(s, "@")
	require.GreaterOrEqual(t, len(parts), 2, s)
	due, err := strconv.ParseInt(parts[1], 10, 64)
	require.NoError(t, err, s)
	if len(parts) > 2 {
		at, err = strconv.ParseInt(parts[2], 10, 64)
		require.NoError(t, err, s)
	}
	return parts[0], due, at
}

// Curator's DistributedDelayQueue produces items due in the near future in
// reverse order; a Go DelayQueue consumes each no earlier than its time,
// earliest first; then Go produces and Curator consumes.
func TestCuratorDelayQueueInterop(t *testing.T) {
	cp, addr, ctx, path, locks := interop(t, "dq")
	const n = 6

	javaPut(t, cp, "dput", addr, path, locks, fmt.Sprint(n), "1000")
	q, err := NewDelay(zktest.Connect(t, addr), path, WithLockPath(locks))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	var got []string
	for range n {
		b, err := q.Consume(ctx)
		require.NoError(t, err)
		now := time.Now().UnixMilli()
		item, due, _ := parseDue(t, string(b))
		require.GreaterOrEqual(t, now, due, "%s handed out early", item)
		got = append(got, item)
	}
	want := names("java", n)
	slices.Reverse(want)
	require.Equal(t, want, got)

	base := time.Now().Add(3 * time.Second) // the JVM starts meanwhile
	for i := range n {
		due := base.Add(time.Duration(n-i) * 100 * time.Millisecond)
		require.NoError(t, q.Put(ctx, fmt.Appendf(nil, "go-%d@%d", i, due.UnixMilli()), due))
	}
	lines := javaRun(t, cp, "dconsume", addr, path, locks, fmt.Sprint(n))
	got = nil
	for _, l := range javaItems(lines) {
		item, due, at := parseDue(t, l)
		require.GreaterOrEqual(t, at, due, "Curator got %s early", item)
		got = append(got, item)
	}
	want = names("go", n)
	slices.Reverse(want)
	require.Equal(t, want, got)
}

// Curator's DistributedIdQueue and the Go IDQueue share items and ids both
// ways: each removes an item the other put by id, and consumes the rest in
// put order.
func TestCuratorIDQueueInterop(t *testing.T) {
	cp, addr, ctx, path, locks := interop(t, "iq")
	const n = 6

	javaPut(t, cp, "iput", addr, path, locks, fmt.Sprint(n))
	q, err := NewID(zktest.Connect(t, addr), path, WithLockPath(locks))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, q.Close()) })
	removed, err := q.Remove(ctx, "id/0") // Curator stored it as id_0, as Go does
	require.NoError(t, err)
	require.Equal(t, 1, removed)
	require.Equal(t, names("java", n)[1:], consumeN(t, ctx, n-1, q.Consume))

	for i, it := range names("go", n) {
		require.NoError(t, q.Put(ctx, []byte(it), fmt.Sprintf("go/%d", i)))
	}
	java := zktest.StartJava(t, cp, "CuratorQueue", "iconsume", addr, path, locks, fmt.Sprint(n-1))
	require.Equal(t, "REMOVED 1", java.ExpectPrefix("REMOVED "))
	lines := java.Expect("DONE")
	java.Wait()
	require.Equal(t, names("go", n)[1:], javaItems(lines))
}
