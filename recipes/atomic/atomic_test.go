package atomic_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/recipes/atomic"
	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

func TestLongOperations(t *testing.T) {
	ctx, c, root := zktest.Setup(t)
	p := root + "/counter"
	l, err := atomic.NewLong(c, p, retry.NTimes(3, 10*time.Millisecond))
	require.NoError(t, err)

	r, err := l.Get(ctx)
	require.NoError(t, err)
	require.True(t, r.Succeeded)
	require.Equal(t, int64(0), r.PreValue, "a missing node reads as 0")

	ok, err := l.Initialize(ctx, 40)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = l.Initialize(ctx, 1)
	require.NoError(t, err)
	require.False(t, ok, "already there")

	r, err = l.Increment(ctx)
	require.NoError(t, err)
	require.Equal(t, atomic.AtomicValue[int64]{Succeeded: true, PreValue: 40, PostValue: 41, Stats: r.Stats}, r)
	require.Equal(t, 1, r.Stats.OptimisticTries)
	r, err = l.Add(ctx, 10)
	require.NoError(t, err)
	require.Equal(t, int64(51), r.PostValue)
	r, err = l.Subtract(ctx, 2)
	require.NoError(t, err)
	require.Equal(t, int64(49), r.PostValue)
	r, err = l.Decrement(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(48), r.PostValue)

	raw, _, err := c.Get(ctx, p)
	require.NoError(t, err)
	require.Equal(t, []byte{0, 0, 0, 0, 0, 0, 0, 48}, raw, "Curator's layout: 8 bytes big-endian")
	require.Empty(t, zktest.Children(t, c, p), "no marker left behind")

	r, err = l.CompareAndSet(ctx, 7, 9)
	require.NoError(t, err)
	require.False(t, r.Succeeded)
	require.Equal(t, int64(48), r.PreValue)
	r, err = l.CompareAndSet(ctx, 48, -5)
	require.NoError(t, err)
	require.True(t, r.Succeeded)
	require.Equal(t, int64(-5), r.PostValue)

	r, err = l.TrySet(ctx, 100)
	require.NoError(t, err)
	require.True(t, r.Succeeded)
	require.NoError(t, l.ForceSet(ctx, 7))
	r, err = l.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(7), r.PreValue)

	_, err = c.Set(ctx, p, []byte{1, 2, 3}, zk.AnyVersion)
	require.NoError(t, err)
	_, err = l.Get(ctx)
	require.ErrorIs(t, err, atomic.ErrCorrupt)
	_, err = l.Increment(ctx)
	require.ErrorIs(t, err, atomic.ErrCorrupt)
}

func TestIntegerLayout(t *testing.T) {
	ctx, c, root := zktest.Setup(t)
	p := root + "/int"
	i, err := atomic.NewInteger(c, p, retry.NTimes(3, 10*time.Millisecond))
	require.NoError(t, err)
	r, err := i.Add(ctx, -2)
	require.NoError(t, err)
	require.Equal(t, int32(-2), r.PostValue)
	raw, _, err := c.Get(ctx, p)
	require.NoError(t, err)
	require.Equal(t, []byte{0xff, 0xff, 0xff, 0xfe}, raw, "4 bytes big-endian")
	require.Equal(t, []byte{0, 0, 0, 0, 0, 0, 1, 0}, atomic.Encode[int64](256))
	v, err := atomic.Decode[int64]([]byte{0, 0, 0, 0, 0, 0, 1, 0, 9})
	require.NoError(t, err)
	require.Equal(t, int64(256), v, "extra bytes ignored, as Curator's ByteBuffer.getLong")
}

func TestNewValidation(t *testing.T) {
	c := zktest.Connect(t, zktest.Server(t).ConnectString())
	pol := retry.NTimes(1, time.Millisecond)
	for name, tc := range map[string]struct {
		c    *zk.Client
		path string
		pol  retry.Policy
		opts []atomic.Option
		want error
	}{
		"nil client":     {nil, "/a", pol, nil, zk.ErrInvalidArgument},
		"nil policy":     {c, "/a", nil, nil, zk.ErrInvalidArgument},
		"bad path":       {c, "a", pol, nil, zk.ErrInvalidPath},
		"nil option":     {c, "/a", pol, []atomic.Option{nil}, zk.ErrInvalidArgument},
		"bad lock path":  {c, "/a", pol, []atomic.Option{atomic.WithPromotedToLock("x", time.Second, pol)}, zk.ErrInvalidPath},
		"zero timeout":   {c, "/a", pol, []atomic.Option{atomic.WithPromotedToLock("/l", 0, pol)}, zk.ErrInvalidArgument},
		"nil lock retry": {c, "/a", pol, []atomic.Option{atomic.WithPromotedToLock("/l", time.Second, nil)}, zk.ErrInvalidArgument},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := atomic.NewLong(tc.c, tc.path, tc.pol, tc.opts...)
			require.ErrorIs(t, err, tc.want)
			_, err = atomic.NewValue(tc.c, tc.path, tc.pol, tc.opts...)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

// increments runs workers clients × each increments and returns the sum of
// successful increments and the number that ran out of tries.
func increments(t *testing.T, addr, p string, workers, each int, pol retry.Policy, opts ...atomic.Option) (failed int) {
	t.Helper()
	ctx := zktest.Context(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for w := range workers {
		c := zktest.Connect(t, addr, zk.WithRetryPolicy(retry.Forever(20*time.Millisecond)))
		l, err := atomic.NewLong(c, p, pol, opts...)
		require.NoError(t, err)
		wg.Go(func() {
			for range each {
				r, err := l.Increment(ctx)
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
				if !r.Succeeded {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return failed
}

func get(t *testing.T, c *zk.Client, p string) int64 {
	t.Helper()
	l, err := atomic.NewLong(c, p, retry.OneTime(0))
	require.NoError(t, err)
	r, err := l.Get(context.Background())
	require.NoError(t, err)
	return r.PreValue
}

// Contended increments with promotion: those the optimistic tries give up
// on go through the lock; the total is exact.
func TestLongPromotedToLock(t *testing.T) {
	srv := zktest.Server(t)
	p := zktest.UniquePath(t) + "/promoted"
	const workers, each = 4, 15
	failed := increments(t, srv.ConnectString(), p, workers, each, retry.NTimes(0, 0),
		atomic.WithPromotedToLock(p+"-lock", 30*time.Second, retry.Forever(5*time.Millisecond)))
	require.Zero(t, failed)
	require.Equal(t, int64(workers*each), get(t, zktest.Connect(t, srv.ConnectString()), p))
}

// N clients × M increments while the server keeps dropping connections,
// some right after applying a write (the reply lost): exactly N·M.
func TestLongExactUnderDrops(t *testing.T) {
	srv := zktest.Embedded(t)
	p := zktest.UniquePath(t) + "/drops"
	const workers, each = 4, 50
	stop := make(chan struct{})
	var faults sync.WaitGroup
	faults.Go(func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for i := 1; i <= 60; i++ { // bounded: a fault on every try would starve a worker
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if i%5 != 0 {
				srv.DropAfterApply(jute.OpMulti) // applied, reply never sent
			} else {
				srv.DropConnections()
			}
		}
	})
	failed := increments(t, srv.ConnectString(), p, workers, each, retry.Forever(time.Millisecond))
	close(stop)
	faults.Wait()
	require.Zero(t, failed)
	c := zktest.Connect(t, srv.ConnectString())
	require.Equal(t, int64(workers*each), get(t, c, p), "every increment counted exactly once")
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, c, p)) == 0 }, fmt.Sprintf("markers of %s deleted", p))
}
