package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/bench/internal/harness"
)

// treeNodesEnv overrides the default tree size of BenchmarkTreePrime when
// -tree-nodes is not given.
const treeNodesEnv = "ZKCURATOR_BENCH_TREE_NODES"

// defaultTreeNodes keeps `go test -bench . -benchtime 1x` (the CI smoke
// run) fast; the size is 100,000 (cmd/recipereport's default).
const defaultTreeNodes = 1000

var treeNodesFlag = flag.Int("tree-nodes", 0, "nodes below the root of BenchmarkTreePrime's tree (default $"+treeNodesEnv+", else 1000)")

// handoffWaiters is how many sessions wait while one holds the lock in
// BenchmarkLockHandoff (issue 5: "8 waiters").
const handoffWaiters = 8

func treeNodes(b *testing.B) int {
	if *treeNodesFlag > 0 {
		return *treeNodesFlag
	}
	if s := os.Getenv(treeNodesEnv); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("$%s=%q: want a positive number", treeNodesEnv, s)
		}
		return n
	}
	return defaultTreeNodes
}

// server returns the running server of kind sk, skipping b when it cannot
// run here.
func server(b *testing.B, ctx context.Context, sk harness.ServerKind) *harness.Server {
	srv, err := servers[sk].Get(ctx)
	if errors.Is(err, harness.ErrUnavailable) {
		b.Skipf("%s server unavailable: %v", sk, err)
	}
	if err != nil {
		b.Fatalf("start %s server: %v", sk, err)
	}
	return srv
}

func benchContext(b *testing.B, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	b.Cleanup(cancel)
	return ctx
}

// BenchmarkLockCycle measures uncontended Lock+Unlock cycles of one
// session (issue 5): LockCycle/server=…/client={zkcurator,gozk,bound},
// where bound is the round-trip floor (create ephemeral-sequential,
// getChildren, delete, each waited for). ns/op is one cycle; requests/op
// counts the requests sent (on the wire); cpu-ns/op is this process's CPU
// per cycle (servers in another process only).
func BenchmarkLockCycle(b *testing.B) {
	for _, sk := range harness.Servers {
		b.Run("server="+string(sk), func(b *testing.B) {
			for _, c := range harness.LockClients {
				b.Run("client="+string(c), func(b *testing.B) {
					ctx := benchContext(b, 5*time.Minute)
					srv := server(b, ctx, sk)
					path := harness.LockPath("cycle", c)
					if err := harness.PrepareLock(ctx, srv.Addr, path); err != nil {
						b.Fatal(err)
					}
					counter := harness.NewOpCounter()
					l, err := harness.DialLocker(ctx, c, srv.Addr, path, counter)
					if err != nil {
						b.Fatal(err)
					}
					defer func() {
						if err := l.Close(); err != nil {
							b.Errorf("close: %v", err)
						}
					}()
					n0 := counter.Total()
					c0 := harness.ReadCounters()
					b.ReportAllocs()
					b.ResetTimer()
					err = harness.Cycles(ctx, l, b.N)
					b.StopTimer()
					cnt := harness.ReadCounters().Sub(c0)
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cycles/s")
					b.ReportMetric(float64(counter.Total()-n0)/float64(b.N), "requests/op")
					if sk.OutOfProcess() {
						b.ReportMetric(float64(cnt.CPU.Nanoseconds())/float64(b.N), "cpu-ns/op")
					}
				})
			}
		})
	}
}

// BenchmarkLockHandoff measures the contended hand-off latency with 8
// waiters (issue 5): 9 sessions lock and unlock in turn; each grant's
// latency is the time from the previous holder's Unlock call to the new
// holder's Lock return. ns/op is wall time per hand-off; p50-ns and p90-ns
// are the latency percentiles; cpu-ns/op is this process's CPU (all nine
// sessions) per hand-off (servers in another process only).
func BenchmarkLockHandoff(b *testing.B) {
	for _, sk := range harness.Servers {
		b.Run("server="+string(sk), func(b *testing.B) {
			for _, c := range harness.HandoffClients {
				b.Run("client="+string(c), func(b *testing.B) {
					ctx := benchContext(b, 5*time.Minute)
					srv := server(b, ctx, sk)
					path := harness.LockPath("handoff", c)
					if err := harness.PrepareLock(ctx, srv.Addr, path); err != nil {
						b.Fatal(err)
					}
					cs, err := harness.DialContenders(ctx, c, srv.Addr, path, handoffWaiters+1, nil)
					if err != nil {
						b.Fatal(err)
					}
					defer func() {
						if err := cs.Close(); err != nil {
							b.Errorf("close: %v", err)
						}
					}()
					c0 := harness.ReadCounters()
					b.ResetTimer()
					lat, err := cs.Handoffs(ctx, b.N)
					b.StopTimer()
					cnt := harness.ReadCounters().Sub(c0)
					if err != nil {
						b.Fatal(err)
					}
					slices.Sort(lat)
					b.ReportMetric(float64(harness.Percentile(lat, 50)), "p50-ns")
					b.ReportMetric(float64(harness.Percentile(lat, 90)), "p90-ns")
					if sk.OutOfProcess() {
						b.ReportMetric(float64(cnt.CPU.Nanoseconds())/float64(b.N), "cpu-ns/op")
					}
				})
			}
		})
	}
}

// trees remembers which trees are built on which server.
var trees struct {
	mu    sync.Mutex
	built map[string]error
}

func buildTree(ctx context.Context, srv *harness.Server, t harness.Tree) error {
	trees.mu.Lock()
	defer trees.mu.Unlock()
	key := fmt.Sprintf("%s %d", srv.Kind, t.Nodes)
	if err, ok := trees.built[key]; ok {
		return err
	}
	if trees.built == nil {
		trees.built = map[string]error{}
	}
	err := harness.BuildTree(ctx, srv.Addr, t)
	trees.built[key] = err
	return err
}

// BenchmarkTreePrime measures reading a whole tree (issue 7) of -tree-nodes
// nodes (default 1000; the 100,000 with -tree-nodes 100000) with
// 1 KiB data each: TreePrime/server=…/method={gozk-serial,pipelined,
// pipelined-lean,cache}. ns/op is one priming; for the cache,
// overhead-B/node is its live heap beyond the data, per node.
func BenchmarkTreePrime(b *testing.B) {
	tr := harness.Tree{Nodes: treeNodes(b)}
	for _, sk := range harness.Servers {
		b.Run("server="+string(sk), func(b *testing.B) {
			for _, m := range harness.PrimeMethods {
				b.Run("method="+string(m), func(b *testing.B) {
					ctx := benchContext(b, 30*time.Minute)
					srv := server(b, ctx, sk)
					if err := buildTree(ctx, srv, tr); err != nil {
						b.Fatal(err)
					}
					b.ResetTimer()
					var elapsed time.Duration
					var over float64
					for range b.N {
						p, err := harness.Prime(ctx, m, srv.Addr, tr)
						if err != nil {
							b.Fatal(err)
						}
						elapsed += p.Elapsed
						over += p.OverheadPerNode()
					}
					b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N), "prime-ns")
					if m == harness.PrimeCache {
						b.ReportMetric(over/float64(b.N), "overhead-B/node")
					}
				})
			}
		})
	}
}
