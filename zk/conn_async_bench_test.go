package zk_test

import (
	"context"
	"testing"

	"github.com/zkcurator/zkcurator/zk"
)

// BenchmarkConnGetAsync measures pipelined Gets from one goroutine that
// keeps 64 futures in flight on one Conn and reads their results in
// order (compare BenchmarkConnGetParallel: blocking calls from many
// goroutines; run with ZKCURATOR_TEST_SERVER=real for a real server).
func BenchmarkConnGetAsync(b *testing.B) {
	ctx := context.Background()
	c, p := benchGetNode(b)
	const window = 64
	ring := make([]*zk.GetFuture, window)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		slot := i % window
		if f := ring[slot]; f != nil {
			if _, _, err := f.Result(); err != nil {
				b.Fatal(err)
			}
		}
		ring[slot] = c.GetAsync(ctx, p)
	}
	for _, f := range ring {
		if f != nil {
			if _, _, err := f.Result(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
