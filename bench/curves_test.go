package bench

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/bench/internal/harness"
)

// The sizes of issue 15's curves as Go benchmarks. The defaults keep the CI
// smoke run (-benchtime 1x) fast; cmd/curvereport runs the full curves and
// writes the report, and these flags give the sizes here.
var (
	watchCountFlag = flag.Int("watch-count", 1000, "watches registered by BenchmarkWatchRestore (the issue's size: 100000)")
	sessionsFlag   = flag.Int("sessions", 20, "idle sessions of BenchmarkIdleSessions (the issue's size: 1000)")
	contendersFlag = flag.String("contenders", "1,8", "contender counts of BenchmarkLockContention (the issue's: 1,8,64)")
	idleWindowFlag = flag.Duration("idle-window", 500*time.Millisecond, "idle time over which BenchmarkIdleSessions measures ping CPU")
)

// BenchmarkWatchRestore registers -watch-count watches (a mix of data,
// child, persistent and recursive) on one session behind a proxy and cuts
// its connection b.N times (issue 15, target 2): restore-ms is from the new
// connection to the reply of a request queued behind the SetWatches2
// packets, bound-ms a raw connection sending the same packets, and
// bytes/watch the heap and stack per registered watch (servers in another
// process only).
func BenchmarkWatchRestore(b *testing.B) {
	n := *watchCountFlag
	for _, sk := range harness.Servers {
		b.Run("server="+string(sk), func(b *testing.B) {
			ctx := benchContext(b, 10*time.Minute)
			srv := server(b, ctx, sk)
			if err := harness.BuildWatchNodes(ctx, srv.Addr, n); err != nil {
				b.Fatal(err)
			}
			if sk.OutOfProcess() {
				m, err := harness.MeasureWatchMemory(ctx, srv.Addr, harness.WatchMix, n)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(m.PerWatch(), "bytes/watch")
			}
			b.ResetTimer()
			r, err := harness.MeasureRestore(ctx, srv.Addr, harness.WatchMix, n, b.N)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(median(r.Elapsed))/1e6, "restore-ms")
			b.ReportMetric(float64(median(r.Bound))/1e6, "bound-ms")
			b.ReportMetric(float64(r.Packets), "packets")
		})
	}
}

// BenchmarkIdleSessions opens -sessions idle sessions in this process
// against a server in another (issue 15, target 3) and reports the heap
// and stacks (KiB/session), goroutines per session and the CPU spent on
// pings (cpu-us/s, all sessions; 3 s session timeout: a ping a second).
// Each of b.N iterations opens and closes the whole set.
func BenchmarkIdleSessions(b *testing.B) {
	for _, sk := range harness.Servers {
		if !sk.OutOfProcess() {
			continue // the server's own memory would be counted
		}
		b.Run("server="+string(sk), func(b *testing.B) {
			for _, c := range harness.SessionClients {
				b.Run("client="+strings.ReplaceAll(string(c), ".", ""), func(b *testing.B) {
					ctx := benchContext(b, 10*time.Minute)
					srv := server(b, ctx, sk)
					var s harness.Sessions
					for range b.N {
						var err error
						if s, err = harness.MeasureSessions(ctx, srv.Addr, c, *sessionsFlag, 3*time.Second, *idleWindowFlag); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(s.HeapPerSession()/1024, "KiB/session")
					b.ReportMetric(s.GoroutinesPerSession(), "goroutines/session")
					b.ReportMetric(float64(s.CPUPerSecond())/1e3, "cpu-us/s")
				})
			}
		})
	}
}

// BenchmarkLockContention makes -contenders sessions contend for one lock
// (issue 15, target 4) until b.N hand-offs are recorded: grants/s, p50-ns
// and p99-ns of the hand-off latency. Curator's InterProcessMutex is in
// cmd/curvereport (it needs a JVM).
func BenchmarkLockContention(b *testing.B) {
	var counts []int
	for _, s := range strings.Split(*contendersFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			b.Fatalf("-contenders %q: want positive numbers", *contendersFlag)
		}
		counts = append(counts, n)
	}
	for _, sk := range harness.Servers {
		b.Run("server="+string(sk), func(b *testing.B) {
			for _, n := range counts {
				for _, c := range harness.HandoffClients {
					b.Run(fmt.Sprintf("n=%d/client=%s", n, c), func(b *testing.B) {
						ctx := benchContext(b, 10*time.Minute)
						srv := server(b, ctx, sk)
						path := harness.LockPath(fmt.Sprintf("contention-%d", n), c)
						if err := harness.PrepareLock(ctx, srv.Addr, path); err != nil {
							b.Fatal(err)
						}
						b.ResetTimer()
						r, err := harness.MeasureContention(ctx, srv.Addr, c, n, b.N, path, nil)
						b.StopTimer()
						if err != nil {
							b.Fatal(err)
						}
						b.ReportMetric(r.CyclesPerSec(), "grants/s")
						b.ReportMetric(float64(r.Quantile(0.5)), "p50-ns")
						b.ReportMetric(float64(r.Quantile(0.99)), "p99-ns")
					})
				}
			}
		})
	}
}

// BenchmarkCacheSteady primes a TreeCache on a -tree-nodes tree and has
// another session change b.N leaves (issue 15, target 5): events/s is the
// rate at which the cache applied and delivered the changes.
func BenchmarkCacheSteady(b *testing.B) {
	t := harness.Tree{Nodes: treeNodes(b)}
	for _, sk := range harness.Servers {
		b.Run("server="+string(sk), func(b *testing.B) {
			ctx := benchContext(b, 10*time.Minute)
			srv := server(b, ctx, sk)
			if err := harness.BuildTree(ctx, srv.Addr, t); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			s, err := harness.MeasureCacheSteady(ctx, srv.Addr, t, b.N)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(s.EventsPerSec(), "events/s")
		})
	}
}

func median(v []time.Duration) time.Duration {
	if len(v) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), v...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[len(s)/2]
}
