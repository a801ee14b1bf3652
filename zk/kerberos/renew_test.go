package kerberos_test

import (
	"context"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"
	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
	"github.com/zkcurator/zkcurator/zk/kerberos"
)

// ticketLife is the lifetime of the client's tickets in the renewal
// tests: short enough to see them renewed, long enough for a loaded
// machine to keep up.
const ticketLife = 15 * time.Second

// presentedTicketEnd verifies the AP-REQ an exchange sends with the
// service's keytab and returns the end time of the ticket in it.
func presentedTicketEnd(t *testing.T, ex zk.SASLExchange, serviceKeytab string) time.Time {
	t.Helper()
	first, _, err := ex.Step(context.Background(), nil)
	require.NoError(t, err)
	var tok spnego.KRB5Token
	require.NoError(t, tok.Unmarshal(first))
	kt, err := keytab.Load(serviceKeytab)
	require.NoError(t, err)
	ok, err := tok.APReq.Verify(kt, 5*time.Minute, types.HostAddress{}, nil)
	require.True(t, ok, "AP-REQ rejected: %v", err)
	return tok.APReq.Ticket.DecryptedEncPart.EndTime
}

// An idle Mechanism, holding tickets of a 15 s lifetime from a real MIT
// KDC, renews them in the background while the KDC is up (AS and TGS
// requests counted at the KDC proxy, no connection asking); with the KDC
// then unreachable, a connection made after the original tickets expired
// still authenticates, with the renewed ones. From a keytab (a new
// login) and from a kinit credentials cache (its renewable TGT renewed),
// in parallel.
func TestIdleMechanismRenewsTickets(t *testing.T) {
	kdc := zktest.StartKDC(t, realm)
	_, serviceKT := kdc.AddPrincipal("zookeeper/localhost")
	principal, kt := kdc.AddPrincipal("app")
	kdc.SetMaxLife(principal, ticketLife)

	// first: the AS and TGS requests of the first connection; renewed:
	// those of the background renewal.
	run := func(t *testing.T, cfg kerberos.Config, proxy *zktest.KDCProxy, first, renewed [2]int) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		m, err := kerberos.New(cfg)
		require.NoError(t, err)
		defer m.Close()
		start := func() zk.SASLExchange {
			t.Helper()
			ex, err := m.Start(ctx, "localhost:2181")
			require.NoError(t, err)
			return ex
		}
		counts := func() [2]int { return [2]int{proxy.AS(), proxy.TGS()} }
		firstEnd := presentedTicketEnd(t, start(), serviceKT)
		require.WithinDuration(t, time.Now().Add(ticketLife), firstEnd, 5*time.Second, "the KDC's short lifetime")
		require.Equal(t, first, counts(), "the first connection")

		// No connection from here until the KDC is gone: the renewal is
		// the Mechanism's own, at 80-85 % of 15 s.
		want := [2]int{first[0] + renewed[0], first[1] + renewed[1]}
		require.Eventually(t, func() bool {
			c := counts()
			return c[0] >= want[0] && c[1] >= want[1]
		}, 3*ticketLife, 20*time.Millisecond, "renewed in the background")
		require.Equal(t, want, counts(), "one renewal")
		require.True(t, time.Now().Before(firstEnd), "renewed before the first tickets expired")
		proxy.Down(true)

		// After the first tickets' end (the acceptor allows 5 minutes of
		// skew, but our own Mechanism would not use them: it would ask the
		// KDC, which is down).
		<-time.After(time.Until(firstEnd.Add(time.Second)))
		ex := start()
		end := presentedTicketEnd(t, ex, serviceKT)
		require.True(t, end.After(firstEnd), "the renewed service ticket (ends %v; the first %v)", end, firstEnd)
		require.True(t, time.Now().Before(end), "not expired")
		require.Equal(t, want, counts(), "the KDC was not reached")
	}

	t.Run("keytab", func(t *testing.T) {
		t.Parallel()
		proxy := kdc.Proxy()
		run(t, kerberos.Config{Principal: principal, KeytabPath: kt, KRB5ConfPath: proxy.KRB5Conf}, proxy,
			[2]int{1, 1}, [2]int{1, 1}) // renewed: a new login and service ticket
	})
	t.Run("ccache", func(t *testing.T) {
		t.Parallel()
		proxy := kdc.Proxy()
		cc := kdc.Kinit(principal, kt) // renewable for the realm's max_renewable_life, 1h
		run(t, kerberos.Config{CCachePath: cc, KRB5ConfPath: proxy.KRB5Conf, ServiceHost: "localhost"}, proxy,
			[2]int{0, 1}, [2]int{0, 2}) // renewed: the TGT renewed, a new service ticket
	})
}
