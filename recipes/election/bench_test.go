package election

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// BenchmarkFailover measures how long leadership takes to move from one
// Latch to the next, on the embedded server:
//
//   - graceful: the leader's Close starts -> the next latch's Await returns
//     (it may act). Reported with the client's round-trip time ("rtt-ns")
//     and the failover in round trips ("rtts"): the delete, then the
//     watch event, getChildren and getData of the successor.
//   - killed: the leader's process dies (its connection is cut and it never
//     reconnects, its session is left to expire on the server) -> the next
//     latch leads. Bounded by the session timeout ("session-ms") plus one
//     server tick.
func BenchmarkFailover(b *testing.B) {
	b.Run("graceful", func(b *testing.B) {
		srv := zktest.Embedded(b)
		path := zktest.UniquePath(b)
		c1, c2 := zktest.Connect(b, srv.ConnectString()), zktest.Connect(b, srv.ConnectString())
		ctx := context.Background()
		rtt := measureRTT(b, c2)
		leader := startLatch(b, c1, path, "a")
		await(b, leader)
		clients := []*zk.Client{c1, c2}
		var total time.Duration
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			next := startLatch(b, clients[(i+1)%2], path, fmt.Sprint(i))
			b.StartTimer()
			t0 := time.Now()
			require.NoError(b, leader.Close())
			_, err := next.Await(ctx)
			total += time.Since(t0)
			require.NoError(b, err)
			leader = next
		}
		b.StopTimer()
		per := total / time.Duration(b.N)
		b.ReportMetric(float64(rtt.Nanoseconds()), "rtt-ns")
		b.ReportMetric(float64(per)/float64(rtt), "rtts")
	})
	b.Run("graceful-latency", func(b *testing.B) {
		// The same with every server reply delayed by a fixed latency
		// that dwarfs the client's own work, so the failover time divided
		// by it counts the round trips on the critical path ("rtts"):
		// the successor's notification and its getChildren (the leader's
		// delete reply is not waited for by anyone but the leader).
		const latency = 5 * time.Millisecond
		srv := zktest.Embedded(b)
		path := zktest.UniquePath(b)
		c1, c2 := zktest.Connect(b, srv.ConnectString()), zktest.Connect(b, srv.ConnectString())
		ctx := context.Background()
		leader := startLatch(b, c1, path, "a")
		await(b, leader)
		clients := []*zk.Client{c1, c2}
		var total time.Duration
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			srv.SetLatency(0)
			next := startLatch(b, clients[(i+1)%2], path, fmt.Sprint(i))
			// Let the successor set its watch on the leader's node before
			// replies slow down (set-up, not timed; nothing observable says
			// when the watch is in place).
			time.Sleep(20 * time.Millisecond)
			srv.SetLatency(latency)
			b.StartTimer()
			t0 := time.Now()
			require.NoError(b, leader.Close())
			_, err := next.Await(ctx)
			total += time.Since(t0)
			require.NoError(b, err)
			leader = next
		}
		b.StopTimer()
		srv.SetLatency(0)
		b.ReportMetric(float64(total/time.Duration(b.N))/float64(latency), "rtts")
	})
	b.Run("killed", func(b *testing.B) {
		const sessionTimeout = time.Second
		const tick = 50 * time.Millisecond
		srv := zktest.Embedded(b, testserver.WithTickTime(tick))
		path := zktest.UniquePath(b)
		ctx := context.Background()
		dial := func() *zk.Client {
			return zktest.Connect(b, srv.ConnectString(), zk.WithSessionTimeout(sessionTimeout))
		}
		leader := startLatch(b, dial(), path, "first")
		await(b, leader)
		var total time.Duration
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			nc := dial()
			next := startLatch(b, nc, path, fmt.Sprint(i))
			dead := leader.client
			b.StartTimer()
			t0 := time.Now()
			// The process dies: no more packets from it, no reconnects.
			srv.RejectConnections(time.Minute)
			srv.DropSession(dead.SessionID())
			_, err := next.Await(ctx)
			total += time.Since(t0)
			b.StopTimer()
			require.NoError(b, err)
			srv.RejectConnections(0)
			_ = leader.Close()
			_ = dead.Close()
			leader = next
		}
		per := total / time.Duration(b.N)
		b.ReportMetric(float64(sessionTimeout.Milliseconds()), "session-ms")
		b.ReportMetric(float64(per.Milliseconds()), "failover-ms")
	})
}

// measureRTT returns the mean time of an exists round trip.
func measureRTT(b *testing.B, c *zk.Client) time.Duration {
	const n = 200
	t0 := time.Now()
	for range n {
		_, _, err := c.Exists(context.Background(), "/")
		require.NoError(b, err)
	}
	return time.Since(t0) / n
}
