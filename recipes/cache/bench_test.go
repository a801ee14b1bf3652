package cache

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// Size of the tree BenchmarkTreePrime primes: the root, nodes/fanout
// parents, and fanout children under each (nodes in all, roughly).
//
//	go test -run '^$' -bench TreePrime -benchtime 3x ./recipes/cache/ -cache.nodes 100000 -cache.data 1024
var (
	benchNodes   = flag.Int("cache.nodes", 10_000, "BenchmarkTreePrime: number of nodes")
	benchData    = flag.Int("cache.data", 1024, "BenchmarkTreePrime: bytes of data per node")
	benchFanout  = flag.Int("cache.fanout", 1000, "BenchmarkTreePrime: children per parent")
	benchOneShot = flag.Bool("cache.oneshot", false, "BenchmarkTreePrime: one-shot watches (the mode for servers before 3.6) instead of a persistent one")
)

// benchTree creates the benchmark's tree and returns its root and paths.
func benchTree(b *testing.B, c *zk.Client) (string, []string) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	root := zktest.UniquePath(b)
	paths := []string{root}
	fan := max(*benchFanout, 1)
	for i := 0; len(paths) < *benchNodes; i++ {
		parent := fmt.Sprintf("%s/p%d", root, i)
		paths = append(paths, parent)
		for j := 0; j < fan && len(paths) < *benchNodes; j++ {
			paths = append(paths, fmt.Sprintf("%s/c%d", parent, j))
		}
	}
	if err := createTree(ctx, c, paths, make([]byte, *benchData), 512); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = deleteAll(context.Background(), c, paths) })
	return root, paths
}

// BenchmarkTreePrime measures priming a TreeCache of the whole tree (one
// op = Start until Initialized) and reports the heap a primed cache holds
// per node beyond the node's data (overhead-B/node).
func BenchmarkTreePrime(b *testing.B) {
	srv := zktest.Server(b)
	c := zktest.Connect(b, srv.ConnectString())
	root, paths := benchTree(b, c)
	ctx := context.Background()

	var before, after runtime.MemStats
	var overhead float64
	b.ResetTimer()
	for i := range b.N {
		measure := i == 0
		if measure {
			b.StopTimer()
			runtime.GC()
			runtime.ReadMemStats(&before)
			b.StartTimer()
		}
		var opts []Option
		if *benchOneShot {
			opts = append(opts, WithWatchMode(WatchOneShot))
		}
		tc := mustTree(b, c, root, opts...)
		if err := tc.Start(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if tc.Len() != len(paths) {
			b.Fatalf("cached %d nodes, want %d", tc.Len(), len(paths))
		}
		if measure {
			runtime.GC()
			runtime.ReadMemStats(&after)
			overhead = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(len(paths)) - float64(*benchData)
			runtime.KeepAlive(tc)
		}
		if err := tc.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(overhead, "overhead-B/node")
	b.ReportMetric(float64(len(paths)), "nodes")
}

// BenchmarkTreeReadPipelined is the baseline of BenchmarkTreePrime: the
// same reads (getData of every node, getChildren of every node with
// children), DefaultConcurrency in flight, level by level, with no cache.
func BenchmarkTreeReadPipelined(b *testing.B) {
	srv := zktest.Server(b)
	c := zktest.Connect(b, srv.ConnectString())
	root, paths := benchTree(b, c)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		level := []string{root}
		for len(level) > 0 {
			var mu sync.Mutex
			var next []string
			g, gctx := errgroup.WithContext(ctx)
			g.SetLimit(DefaultConcurrency)
			for _, p := range level {
				g.Go(func() error {
					_, st, err := c.Get(gctx, p)
					if err != nil || st.NumChildren == 0 {
						return err
					}
					kids, _, err := c.Children(gctx, p)
					mu.Lock()
					for _, k := range kids {
						next = append(next, zk.JoinPath(p, k))
					}
					mu.Unlock()
					return err
				})
			}
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
			level = next
		}
	}
	b.ReportMetric(float64(len(paths)), "nodes")
}
