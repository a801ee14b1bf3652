package zk_test

import (
	"context"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
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

// BenchmarkCreateAndList compares Client.CreateAndList with a create and
// then a Children call, on a server that delays each reply by 1ms; each
// step also deletes its node (one more delay). Pipelined, a step costs
// about 2 delays ("delays/op"); sequential, about 3.
func BenchmarkCreateAndList(b *testing.B) {
	const delay = time.Millisecond
	srv := zktest.Embedded(b)
	c := zktest.Connect(b, srv.ConnectString())
	ctx := context.Background()
	root := zktest.UniquePath(b)
	if _, err := c.Create(ctx, root, nil, zk.ModePersistent, nil); err != nil {
		b.Fatal(err)
	}
	opts := zk.CreateOptions{Mode: zk.ModeEphemeralSequential, Protected: true}
	run := func(b *testing.B, step func() error) {
		srv.SetLatency(delay)
		defer srv.SetLatency(0)
		b.ReportAllocs()
		t0 := time.Now()
		for b.Loop() {
			if err := step(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(time.Since(t0))/float64(b.N)/float64(delay), "delays/op")
	}
	b.Run("pipelined", func(b *testing.B) {
		run(b, func() error {
			p, _, _, err := c.CreateAndList(ctx, root+"/n-", nil, opts)
			if err == nil {
				err = c.Conn().Delete(ctx, p, -1)
			}
			return err
		})
	})
	b.Run("sequential", func(b *testing.B) {
		run(b, func() error {
			p, _, err := c.CreateWith(ctx, root+"/n-", nil, opts)
			if err == nil {
				_, _, err = c.Children(ctx, root)
			}
			if err == nil {
				err = c.Conn().Delete(ctx, p, -1)
			}
			return err
		})
	})
}
