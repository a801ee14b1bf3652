package zk_test

import (
	"context"
	"testing"

	"github.com/zkcurator/zkcurator/internal/zktest"
)

// BenchmarkClientVsConnExists measures what the Client layer (retry loop,
// span, metrics, connection wait) adds to one sequential round trip.
func BenchmarkClientVsConnExists(b *testing.B) {
	srv := zktest.Embedded(b)
	c := zktest.Connect(b, srv.ConnectString())
	ctx := context.Background()
	b.Run("conn", func(b *testing.B) {
		conn := c.Conn()
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := conn.Exists(ctx, "/"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("client", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := c.Exists(ctx, "/"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
