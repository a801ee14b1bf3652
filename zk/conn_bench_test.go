package zk_test

import (
	"context"
	"errors"
	"testing"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// BenchmarkConnGetParallel measures pipelined Gets from many goroutines on
// one Conn (run with ZKCURATOR_TEST_SERVER=real for a real server).
func BenchmarkConnGetParallel(b *testing.B) {
	ctx := context.Background()
	c, p := benchGetNode(b)
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

// benchGetNode dials a Conn to the test server (closed when b ends) and
// makes the ephemeral node the Get benchmarks read.
func benchGetNode(b *testing.B) (*zk.Conn, string) {
	b.Helper()
	srv := zktest.Server(b)
	ctx := context.Background()
	c, err := zk.Dial(ctx, srv.ConnectString())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	p := zktest.UniquePath(b)
	if _, err := c.Create(ctx, p, []byte("benchmark-data"), zk.ModeEphemeral, zk.OpenACLUnsafe); err != nil {
		b.Fatal(err)
	}
	return c, p
}

// BenchmarkRequestTooLarge compares the failure of a 1 MiB + 1 byte create
// (ErrRequestTooLarge, decided before the request is queued) with one
// round trip of a small Get on the same Conn: the oversized create must
// cost well under a round trip and never reach the server.
func BenchmarkRequestTooLarge(b *testing.B) {
	srv := zktest.Server(b)
	ctx := context.Background()
	c, err := zk.Dial(ctx, srv.ConnectString())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	big := make([]byte, 1<<20+1)
	b.Run("op=create-1MiB+1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Create(ctx, "/big", big, zk.ModePersistent, nil); !errors.Is(err, zk.ErrRequestTooLarge) {
				b.Fatal(err)
			}
		}
	})
	b.Run("op=get-round-trip", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := c.Get(ctx, "/"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
