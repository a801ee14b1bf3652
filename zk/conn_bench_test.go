package zk_test

import (
	"context"
	"testing"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// BenchmarkConnGetParallel measures pipelined Gets from many goroutines on
// one Conn (run with ZKCURATOR_TEST_SERVER=real for a real server).
func BenchmarkConnGetParallel(b *testing.B) {
	srv := zktest.Server(b)
	ctx := context.Background()
	c, err := zk.Dial(ctx, srv.ConnectString())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	p := zktest.UniquePath(b)
	if _, err := c.Create(ctx, p, []byte("benchmark-data"), zk.ModeEphemeral, zk.OpenACLUnsafe); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := c.Get(ctx, p); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
