package bench

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/bench/internal/harness"
)

// goroutineCounts are the G values every benchmark runs with.
var goroutineCounts = []int{1, 64}

// BenchmarkGet measures pipelined getData of a 1 KiB node:
// Get/server={real,embedded}/client={zkcurator,gozk,raw}/g={1,64}.
func BenchmarkGet(b *testing.B) { benchOp(b, harness.OpGet) }

// BenchmarkSet measures pipelined setData of a 1 KiB node, with the same
// sub-benchmarks as BenchmarkGet.
func BenchmarkSet(b *testing.B) { benchOp(b, harness.OpSet) }

// benchOp runs op for every server, client and goroutine count. b.N
// operations are split across g goroutines sharing one session (for the raw
// loop: at most g requests in flight on its one connection).
//
// Servers: real (Apache ZooKeeper, a JVM), embedded (the Go server in this
// process) and embedded-proc (the Go server in a child process).
//
// Metrics: ops/s; cpu-ns/op, this process's user+sys CPU per operation, and
// syscalls/op, its read-like plus write-like system calls per operation,
// both only for servers in another process (for the in-process embedded
// server they would count the server's work as the client's); allocs/op
// and B/op are process wide, so with the in-process embedded server they
// include the server's allocations.
func benchOp(b *testing.B, op harness.Op) {
	for _, sk := range harness.Servers {
		b.Run("server="+string(sk), func(b *testing.B) {
			for _, c := range harness.Clients {
				b.Run("client="+string(c), func(b *testing.B) {
					for _, g := range goroutineCounts {
						b.Run(fmt.Sprintf("g=%d", g), func(b *testing.B) {
							runOne(b, sk, c, op, g)
						})
					}
				})
			}
		})
	}
}

func runOne(b *testing.B, sk harness.ServerKind, c harness.Client, op harness.Op, g int) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := servers[sk].Get(ctx)
	if errors.Is(err, harness.ErrUnavailable) {
		b.Skipf("%s server unavailable: %v", sk, err)
	}
	if err != nil {
		b.Fatalf("start %s server: %v", sk, err)
	}
	d, err := harness.Dial(ctx, c, srv.Addr)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := d.Close(); err != nil {
			b.Errorf("close %s: %v", c, err)
		}
	}()

	b.ReportAllocs()
	c0 := harness.ReadCounters()
	b.ResetTimer()
	err = d.Run(ctx, op, g, b.N)
	b.StopTimer()
	cnt := harness.ReadCounters().Sub(c0)
	if err != nil {
		b.Fatal(err)
	}
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "ops/s")
	}
	if sk.OutOfProcess() {
		n := float64(b.N)
		b.ReportMetric(float64(cnt.CPU.Nanoseconds())/n, "cpu-ns/op")
		b.ReportMetric(float64(cnt.Reads+cnt.Writes)/n, "syscalls/op")
	}
}
