package atomic_test

import (
	"context"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/atomic"
	"github.com/zkcurator/zkcurator/retry"
)

// Java (Curator's DistributedAtomicLong) and Go increment the same node at
// the same time on a real ZooKeeper: the total is exact.
func TestCuratorLongInterop(t *testing.T) {
	cp := zktest.CompileJava(t, zktest.CuratorJars, filepath.Join("testdata", "CuratorAtomic.java"))
	addr := zktest.RealConnectString(t)
	ctx := zktest.Context(t)
	p := zktest.UniquePath(t) + "/counter"
	const javaN, goWorkers, goN = 200, 2, 100

	java := zktest.StartJava(t, cp, "CuratorAtomic", addr, p, strconv.Itoa(javaN))
	java.FailOn("FAILED")
	java.Expect("READY")
	java.Send("go")
	var wg sync.WaitGroup
	for range goWorkers {
		l, err := atomic.NewLong(zktest.Connect(t, addr), p, retry.Forever(time.Millisecond))
		require.NoError(t, err)
		wg.Go(func() {
			for range goN {
				r, err := l.Increment(ctx)
				if err != nil || !r.Succeeded {
					t.Errorf("increment: %v %v", r.Succeeded, err)
					return
				}
			}
		})
	}
	wg.Wait()
	java.Expect("DONE")
	java.Wait()
	l, err := atomic.NewLong(zktest.Connect(t, addr), p, retry.OneTime(0))
	require.NoError(t, err)
	r, err := l.Get(context.Background())
	require.NoError(t, err)
	require.Equal(t, int64(javaN+goWorkers*goN), r.PreValue)
}
