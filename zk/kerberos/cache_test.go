package kerberos_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
	"github.com/zkcurator/zkcurator/zk/kerberos"
)

// TestTicketsReusedAcrossConnections counts the requests that reach a real
// MIT KDC: one login (AS) and one service ticket (TGS) serve any number
// of connections while they are valid, concurrent first connections
// included; with the KDC down the tickets in hand still serve, even near
// expiry; near expiry with the KDC up they are renewed; expired and with
// no KDC, a connection fails.
func TestTicketsReusedAcrossConnections(t *testing.T) {
	kdc := zktest.StartKDC(t, realm)
	_, serviceKT := kdc.AddPrincipal("zookeeper/localhost")
	principal, kt := kdc.AddPrincipal("app")
	proxy := kdc.Proxy()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	m, err := kerberos.New(kerberos.Config{Principal: principal, KeytabPath: kt, KRB5ConfPath: proxy.KRB5Conf})
	require.NoError(t, err)
	defer m.Close()
	var skew atomic.Int64 // how far the mechanism's clock is ahead
	kerberos.SetClock(m, func() time.Time { return time.Now().Add(time.Duration(skew.Load())) })
	connect := func() {
		t.Helper()
		ex, err := m.Start(ctx, "localhost:2181")
		require.NoError(t, err)
		who, _ := accept(t, ex, serviceKT)
		require.Equal(t, principal, who)
	}
	counts := func(as, tgs int, msg string) {
		t.Helper()
		require.Equal(t, [2]int{as, tgs}, [2]int{proxy.AS(), proxy.TGS()}, "AS and TGS requests: %s", msg)
	}

	var wg sync.WaitGroup
	exs := make([]zk.SASLExchange, 8)
	errs := make([]error, len(exs))
	for i := range exs {
		wg.Go(func() { exs[i], errs[i] = m.Start(ctx, "localhost:2181") })
	}
	wg.Wait()
	for i := range exs {
		require.NoError(t, errs[i])
		who, _ := accept(t, exs[i], serviceKT)
		require.Equal(t, principal, who)
	}
	counts(1, 1, "8 concurrent first connections")
	for range 20 {
		connect()
	}
	counts(1, 1, "20 reconnects")

	proxy.Down(true)
	connect()
	skew.Store(int64(50 * time.Minute)) // of 60: due for renewal, still valid
	connect()
	counts(1, 1, "KDC down: the tickets in hand")

	proxy.Down(false)
	connect()
	counts(2, 2, "due for renewal with the KDC up: a new login and service ticket")
	connect()
	counts(2, 2, "then reused")

	proxy.Down(true)
	skew.Store(int64(111 * time.Minute)) // past the end of the tickets renewed at 50 minutes
	_, err = m.Start(ctx, "localhost:2181")
	require.ErrorIs(t, err, kerberos.ErrKDCUnreachable, "expired tickets and no KDC")

	require.NoError(t, m.Close())
	require.NoError(t, m.Close(), "idempotent")
	_, err = m.Start(ctx, "localhost:2181")
	require.ErrorIs(t, err, zk.ErrClosed)
}

// A credentials cache's TGT serves without a login; its service ticket
// is fetched once.
func TestCCacheTicketsReused(t *testing.T) {
	kdc := zktest.StartKDC(t, realm)
	_, serviceKT := kdc.AddPrincipal("zookeeper/localhost")
	principal, kt := kdc.AddPrincipal("app")
	proxy := kdc.Proxy()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, err := kerberos.New(kerberos.Config{CCachePath: kdc.Kinit(principal, kt), KRB5ConfPath: proxy.KRB5Conf, ServiceHost: "localhost"})
	require.NoError(t, err)
	defer m.Close()
	for range 5 {
		ex, err := m.Start(ctx, "127.0.0.1:2181")
		require.NoError(t, err)
		who, _ := accept(t, ex, serviceKT)
		require.Equal(t, principal, who)
	}
	require.Equal(t, [2]int{0, 1}, [2]int{proxy.AS(), proxy.TGS()})
}

// Close without a KDC: idempotent, and Start fails with zk.ErrClosed.
func TestClose(t *testing.T) {
	krb5Conf, kt := writeConfig(t)
	m, err := kerberos.New(kerberos.Config{Principal: "app", KeytabPath: kt, KRB5ConfPath: krb5Conf})
	require.NoError(t, err)
	require.NoError(t, m.Close())
	require.NoError(t, m.Close())
	_, err = m.Start(context.Background(), "localhost:2181")
	require.ErrorIs(t, err, zk.ErrClosed)
}
