package zk_test

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

func seed(n int64) *int64 { return &n }

// A name is resolved again on every Next: a headless service's changing
// A records are followed.
func TestStaticHostProviderResolvesEveryAttempt(t *testing.T) {
	var mu sync.Mutex
	ips := []string{"10.0.0.1"}
	calls := 0
	res := func(_ context.Context, host string) ([]string, error) {
		mu.Lock()
		defer mu.Unlock()
		require.Equal(t, "zk.svc", host)
		calls++
		return append([]string(nil), ips...), nil
	}
	p, err := zk.NewStaticHostProvider([]string{"zk.svc:2181", "10.9.9.9"}, zk.StaticHostProviderOptions{Resolver: res, Seed: seed(1)})
	require.NoError(t, err)
	ctx := zktest.Context(t)
	seen := map[string][]string{}
	for range 2 {
		h, err := p.Next(ctx, 0)
		require.NoError(t, err)
		seen[h.Server] = h.Addrs
	}
	require.Equal(t, []string{"10.0.0.1:2181"}, seen["zk.svc:2181"])
	require.Equal(t, []string{"10.9.9.9:2181"}, seen["10.9.9.9:2181"], "IP literals are not resolved; the default port is added")

	mu.Lock()
	ips = []string{"10.0.0.2", "10.0.0.3"}
	mu.Unlock()
	for range 2 {
		h, err := p.Next(ctx, 0)
		require.NoError(t, err)
		seen[h.Server] = h.Addrs
	}
	require.ElementsMatch(t, []string{"10.0.0.2:2181", "10.0.0.3:2181"}, seen["zk.svc:2181"])
	mu.Lock()
	require.Equal(t, 2, calls)
	mu.Unlock()
}

// After a full cycle without a connection Next waits the spin delay;
// OnConnected restarts the cycle.
func TestStaticHostProviderSpinDelayAfterFullCycle(t *testing.T) {
	p, err := zk.NewStaticHostProvider([]string{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"}, zk.StaticHostProviderOptions{Seed: seed(2)})
	require.NoError(t, err)
	ctx := zktest.Context(t)
	got := map[string]bool{}
	for range 3 {
		h, err := p.Next(ctx, time.Hour)
		require.NoError(t, err)
		got[h.Server] = true
	}
	require.Len(t, got, 3, "every server once before any wait")
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = p.Next(short, time.Hour)
	require.ErrorIs(t, err, context.DeadlineExceeded, "the fourth Next waits the spin delay")

	p.OnConnected("127.0.0.1:2")
	for range 3 {
		short, cancel := context.WithTimeout(ctx, time.Minute)
		_, err := p.Next(short, time.Hour)
		cancel()
		require.NoError(t, err, "after a connection, a round of every server starts without a wait")
	}
	short, cancel = context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = p.Next(short, time.Hour)
	require.ErrorIs(t, err, context.DeadlineExceeded, "then the spin delay again")

	one, err := zk.NewStaticHostProvider([]string{"127.0.0.1:1"}, zk.StaticHostProviderOptions{})
	require.NoError(t, err)
	_, err = one.Next(ctx, time.Hour)
	require.NoError(t, err)
	one.OnConnected("127.0.0.1:1")
	_, err = one.Next(ctx, time.Hour)
	require.NoError(t, err, "a one-server client reconnects without the spin delay first")
}

func TestStaticHostProviderRejectsBadLists(t *testing.T) {
	_, err := zk.NewStaticHostProvider(nil, zk.StaticHostProviderOptions{})
	require.ErrorIs(t, err, zk.ErrNoServers)
	_, err = zk.NewStaticHostProvider([]string{"a:99999"}, zk.StaticHostProviderOptions{})
	require.ErrorIs(t, err, zk.ErrInvalidConnectString)
	p, err := zk.NewStaticHostProvider([]string{"a:1"}, zk.StaticHostProviderOptions{})
	require.NoError(t, err)
	_, err = p.UpdateServerList(nil, "a:1")
	require.ErrorIs(t, err, zk.ErrNoServers)
	require.Equal(t, []string{"a:1"}, p.Servers())
}

// A Conn asks its provider on every (re)connect, so the name is
// re-resolved after a drop.
func TestConnReResolvesOnReconnect(t *testing.T) {
	srv := zktest.Embedded(t)
	_, port, err := net.SplitHostPort(srv.Addr())
	require.NoError(t, err)
	var calls atomic.Int32
	res := func(_ context.Context, host string) ([]string, error) {
		calls.Add(1)
		return []string{"127.0.0.1"}, nil
	}
	p, err := zk.NewStaticHostProvider([]string{"zk.headless.test:" + port}, zk.StaticHostProviderOptions{Resolver: res})
	require.NoError(t, err)
	ctx := zktest.Context(t)
	conn, err := zk.Dial(ctx, "ignored:1", zk.WithHostProvider(p), zk.WithSessionTimeout(zktest.SessionTimeout))
	require.NoError(t, err)
	defer conn.Close()
	require.Equal(t, int32(1), calls.Load())
	require.Equal(t, "zk.headless.test:"+port, conn.Server())

	srv.DropConnections()
	zktest.Eventually(t, func() bool { return calls.Load() >= 2 && conn.State() == zk.StateSyncConnected }, "reconnect through a fresh lookup")
	_, _, err = conn.Get(ctx, "/")
	require.NoError(t, err)
}
