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

// With a lock path, a consumer whose session expires mid-item does not
// lose it: its lock node goes with the session and another consumer gets
// the item. The first consumer, finishing late, leaves the item and the
// other consumer's lock alone.
func TestQueueSessionExpiredMidItem(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/q"
	locks := zktest.UniquePath(t) + "/locks"
	a := newQueue(t, srv.Addr(), path, WithLockPath(locks))
	b := newQueue(t, srv.Addr(), path, WithLockPath(locks))
	require.NoError(t, a.Put(ctx, []byte("precious")))

	started, release := make(chan struct{}), make(chan struct{})
	aDone := make(chan error, 1)
	go func() {
		aDone <- a.ConsumeFunc(ctx, func(context.Context, []byte) error {
			close(started)
			<-release
			return nil
		})
	}()
	zktest.Recv(t, started)

	bStarted, bRelease := make(chan string, 1), make(chan struct{})
	bDone := make(chan error, 1)
	go func() {
		bDone <- b.ConsumeFunc(ctx, func(_ context.Context, item []byte) error {
			bStarted <- string(item)
			<-bRelease
			return nil
		})
	}()
	oldSession := a.c.SessionID()
	require.True(t, srv.ExpireSession(oldSession))
	require.Equal(t, "precious", zktest.Recv(t, bStarted))

	// a finishes after b took over: the item and b's lock stay.
	zktest.Eventually(t, func() bool { id := a.c.SessionID(); return id != 0 && id != oldSession }, "a's new session")
	close(release)
	<-aDone // nil or a session error: either way a gave the item up
	require.Len(t, zktest.Children(t, b.c, path), 1, "a removed an item b holds")
	require.Len(t, zktest.Children(t, b.c, locks), 1, "a removed b's lock")

	close(bRelease)
	require.NoError(t, zktest.Recv(t, bDone))
	require.Empty(t, zktest.Children(t, b.c, path))
	require.Empty(t, zktest.Children(t, b.c, locks))
}

// N producers × M items with every connection dropped along the way: lock
// mode consumers see every item (at least once). Duplicates can only come
// from a Put or a finish whose reply was lost; they are logged.
func TestQueueDropsLoseNothing(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/q"
	locks := zktest.UniquePath(t) + "/locks"
	const producers, items, consumers = 3, 30, 3

	var tl tally
	qs := make([]*Queue, consumers)
	for i := range qs {
		qs[i] = newQueue(t, srv.Addr(), path, WithLockPath(locks))
	}
	stop := consumeInto(ctx, &tl, qs...)
	var pw sync.WaitGroup
	for p := range producers {
		q := newQueue(t, srv.Addr(), path, WithLockPath(locks))
		pw.Go(func() {
			for i := range items {
				if err := q.Put(ctx, fmt.Appendf(nil, "p%d-%d", p, i)); err != nil {
					t.Errorf("put: %v", err)
					return
				}
			}
		})
	}
	drops := 0
	for tl.distinct() < producers*items/2 {
		zktest.Eventually(t, func() bool { return tl.distinct() > drops*5 }, "progress between drops")
		srv.DropConnections()
		drops++
	}
	pw.Wait()
	c := zktest.Connect(t, srv.Addr())
	t.Cleanup(func() { // what was lost, for a failure
		if !t.Failed() {
			return
		}
		for p := range producers {
			for i := range items {
				if tl.count(fmt.Sprintf("p%d-%d", p, i)) == 0 {
					t.Logf("missing p%d-%d", p, i)
				}
			}
		}
		t.Logf("nodes %v locks %v", zktest.Children(t, c, path), zktest.Children(t, c, locks))
	})
	zktest.Eventually(t, func() bool { return tl.distinct() == producers*items }, "every item consumed")
	stop()
	dups := tl.repeated()
	for k, n := range dups {
		t.Logf("%s consumed %d times", k, n)
	}
	t.Logf("%d drops, %d items consumed more than once", drops, len(dups))
}

// A locked queue whose consumers are killed mid-item (their session ends
// while they hold an item): no item is lost, and none is processed to
// completion twice. A killed consumer's item goes to another consumer.
func TestQueueConsumerKillsLoseNothing(t *testing.T) {
	consumerKills(t, zktest.Embedded(t).Addr())
}

// The same on a real ZooKeeper (ZKCURATOR_REAL_ZK=1).
func TestQueueConsumerKillsLoseNothingReal(t *testing.T) {
	consumerKills(t, zktest.RealConnectString(t))
}

func consumerKills(t *testing.T, addr string) {
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/q"
	locks := zktest.UniquePath(t) + "/locks"
	const items, kills = 64, 8
	errKilled := errors.New("killed")

	var (
		mu   sync.Mutex
		done = map[string]int{} // items processed to completion
	)
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(done)
	}
	type consumer struct {
		c *zk.Client
		q *Queue
	}
	// A consumer that finds a kill order here holds its item hostage
	// (mid-item) and reports itself on taken until the order's channel is
	// closed.
	hostage := make(chan chan struct{}, 1)
	taken := make(chan *consumer, 1)
	var wg sync.WaitGroup
	start := func() *consumer {
		c := zktest.Connect(t, addr)
		q, err := New(c, path, WithLockPath(locks))
		require.NoError(t, err)
		cs := &consumer{c: c, q: q}
		wg.Go(func() {
			for {
				err := q.ConsumeFunc(ctx, func(_ context.Context, b []byte) error {
					select {
					case killed := <-hostage:
						taken <- cs
						<-killed // mid-item until the test kills the session
						return errKilled
					default:
					}
					mu.Lock()
					done[string(b)]++
					mu.Unlock()
					return nil
				})
				if errors.Is(err, zk.ErrClosed) || ctx.Err() != nil {
					return
				}
			}
		})
		return cs
	}
	var consumers []*consumer
	for range 3 {
		consumers = append(consumers, start())
	}
	producer := newQueue(t, addr, path, WithLockPath(locks))
	for k := range kills {
		killed := make(chan struct{})
		hostage <- killed // the next item processed is held hostage
		for i := range items / kills {
			require.NoError(t, producer.Put(ctx, fmt.Appendf(nil, "item-%d", k*items/kills+i)))
		}
		// Wait until a consumer holds an item hostage, then kill it: its
		// session ends, its lock node goes. (One killed after processing
		// an item and before removing it would deliver it again: that is
		// the at-least-once case, not tested here.)
		cs := zktest.Recv(t, taken)
		require.NoError(t, cs.c.Close())
		close(killed)
		require.NoError(t, cs.q.Close())
		consumers[slices.Index(consumers, cs)] = start()
	}
	zktest.Eventually(t, func() bool { return count() == items }, "every item processed")
	for _, cs := range consumers {
		require.NoError(t, cs.q.Close())
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for k, n := range done {
		require.Equal(t, 1, n, "%s processed %d times", k, n)
	}
	require.Empty(t, zktest.Children(t, producer.c, path), "items left behind")
}

// Consumers sharing one Queue (so one session: Start's consumer and callers
// of ConsumeFunc, as the Queue is safe for concurrent use) never process an
// item twice when nothing fails: the lock node one of them made is not
// taken for a create of the other's own whose reply was lost.
func TestQueueConsumersOfOneQueueProcessOnce(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/q"
	locks := zktest.UniquePath(t) + "/locks"
	q := newQueue(t, srv.Addr(), path, WithLockPath(locks))
	const items = 100
	for i := range items {
		require.NoError(t, q.Put(ctx, fmt.Appendf(nil, "i%d", i)))
	}
	var tl tally
	stop := consumeInto(ctx, &tl, q, q, q, q)
	zktest.Eventually(t, func() bool { return tl.distinct() == items }, "every item consumed")
	stop()
	require.Empty(t, tl.repeated(), "items consumed more than once")
}
