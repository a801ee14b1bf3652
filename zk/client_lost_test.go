package zk_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// A holder cut off from the server (connection open, nothing gets through)
// must see Lost before the server expires its session, or a holder under
// SessionErrorPolicy (whose hold ends only at Lost) would still believe
// it holds after a waiter could take over. Suspended comes ~2/3 of the
// session timeout after the last reply, so a Lost timer counting the
// whole timeout from Suspended fires long after the expiry.
func TestClientLostBeforeServerExpiresPartitionedSession(t *testing.T) {
	srv := zktest.Embedded(t)
	lostBeforeExpiry(t, srv.ConnectString(), srv.ConnectString(), func(holder *zk.Client) {
		require.True(t, srv.Blackhole(holder.SessionID()))
	})
}

// The same against a real ZooKeeper (its session tracker, its tick
// rounding), the holder behind a proxy that turns into a black hole.
func TestClientLostBeforeRealServerExpiresPartitionedSession(t *testing.T) {
	addr := zktest.RealEnsemble(t, 1).Addr(0)
	proxy := zktest.NewProxy(t, addr)
	lostBeforeExpiry(t, proxy.Addr(), addr, func(*zk.Client) { proxy.Blackhole(true) })
}

// lostBeforeExpiry connects a holder (SessionErrorPolicy, 3s session) to
// holderAddr and a waiter to waiterAddr, cuts the holder off with
// partition, and requires the holder's Lost before the waiter sees the
// holder's ephemeral node deleted by the session's expiry.
func lostBeforeExpiry(t *testing.T, holderAddr, waiterAddr string, partition func(holder *zk.Client)) {
	ctx := zktest.Context(t)
	order := &zktest.Recorder[string]{}
	start := time.Now()
	var mu sync.Mutex
	at := func(what string) {
		mu.Lock()
		defer mu.Unlock()
		t.Logf("%v: %s", time.Since(start).Round(time.Millisecond), what)
	}
	holder := zktest.Connect(t, holderAddr,
		zk.WithSessionTimeout(3*time.Second),
		zk.WithErrorPolicy(zk.SessionErrorPolicy),
		zk.WithStateListener(func(s zk.ConnectionState) {
			if s == zk.Suspended || s == zk.Lost {
				at("holder " + s.String())
				order.Add("holder " + s.String())
			}
		}))
	waiter := zktest.Connect(t, waiterAddr)

	base := zktest.UniquePath(t)
	require.NoError(t, holder.EnsurePath(ctx, base))
	held := base + "/lock"
	_, err := holder.Create(ctx, held, nil, zk.ModeEphemeral, nil)
	require.NoError(t, err)
	ok, _, ch, err := waiter.ExistsW(ctx, held)
	require.NoError(t, err)
	require.True(t, ok)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if ev := <-ch; ev.Type == zk.EventNodeDeleted {
			at("server expired the holder's session")
			order.Add("expired")
		}
	}()

	mu.Lock()
	start = time.Now()
	mu.Unlock()
	partition(holder)
	order.WaitFor(t, "holder SUSPENDED", "holder LOST", "expired")
	<-done
}

// After Lost the Client starts its new session at once: ending the lost
// session's Conn must not wait for a closeSession reply (up to the close
// timeout) on a connection that is not coming back. With a 6s session the
// close wait would be 4s; the new session is asked to come within half that.
func TestClientNewSessionAfterLostDoesNotWaitForCloseTimeout(t *testing.T) {
	srv := zktest.Embedded(t)
	var mu sync.Mutex
	var lostAt, reconnectedAt time.Time
	reconnected := make(chan struct{})
	c := zktest.Connect(t, srv.ConnectString(),
		zk.WithSessionTimeout(6*time.Second),
		zk.WithCloseTimeout(time.Hour),
		zk.WithStateListener(func(s zk.ConnectionState) {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case s == zk.Lost:
				lostAt = time.Now()
			case s == zk.Reconnected && !lostAt.IsZero() && reconnectedAt.IsZero():
				reconnectedAt = time.Now()
				close(reconnected)
			}
		}))
	require.True(t, srv.Blackhole(c.SessionID()))
	select {
	case <-reconnected:
	case <-zktest.Context(t).Done():
		t.Fatal("no new session after Lost")
	}
	mu.Lock()
	gap := reconnectedAt.Sub(lostAt)
	mu.Unlock()
	t.Logf("Lost to Reconnected: %v", gap)
	require.Less(t, gap, 2*time.Second, "the new session waited for the lost one's closeSession")
}
