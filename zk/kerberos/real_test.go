package kerberos_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
	"github.com/zkcurator/zkcurator/zk/kerberos"
)

// realm is the test realm of the real-server tests.
const realm = "ZKCURATOR.TEST"

// saslACL gives every permission to the sasl identity id only.
func saslACL(id string) []zk.ACL {
	return []zk.ACL{{Perms: zk.PermAll, ID: zk.ID{Scheme: "sasl", ID: id}}}
}

// sessionStates records the session-state events of a Conn.
func sessionStates(rec *zktest.Recorder[zk.State]) zk.Option {
	return zk.WithEventHandler(func(ev zk.Event) {
		if ev.Type == zk.EventNone {
			rec.Add(ev.State)
		}
	})
}

// dialProxied dials addr with sasl through a proxy the test can cut and
// records the session's states in rec; the Conn is closed when t ends.
func dialProxied(t *testing.T, ctx context.Context, addr string, sasl zk.Option, rec *zktest.Recorder[zk.State]) (*zk.Conn, *zktest.Proxy) {
	t.Helper()
	p := zktest.NewProxy(t, addr)
	c, err := zk.Dial(ctx, p.Addr(), sasl, sessionStates(rec))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c, p
}

// TestKerberosRealZooKeeper authenticates to a real ZooKeeper 3.8 with
// GSSAPI against a real MIT KDC, from a keytab and from a kinit
// credentials cache, and checks the sasl: ACLs that gives: the same as a
// Java Curator client authenticated as the same principal. One KDC, one
// ZooKeeper and one Curator JVM for every subtest.
func TestKerberosRealZooKeeper(t *testing.T) {
	kdc := zktest.StartKDC(t, realm)
	addr := kdc.RealKerberosZK(nil).ConnectString()
	principal, keytab := kdc.AddPrincipal("app")
	saslID := "app@" + realm // ZooKeeper 3.8: the short name, then the realm appended back
	ctx := zktest.Context(t)
	mech, err := kerberos.New(kerberos.Config{Principal: principal, KeytabPath: keytab, KRB5ConfPath: kdc.KRB5Conf, CanonicalizeHostname: true})
	require.NoError(t, err)
	app := zk.WithSASL(mech)

	cp := zktest.CompileJava(t, zktest.CuratorJars, filepath.Join("testdata", "KrbCurator.java"))
	java := zktest.StartJava(t, cp, "KrbCurator", addr,
		zktest.WriteJAAS(t, zktest.KerberosSection("Client", principal, keytab)), kdc.KRB5Conf)
	java.Expect("CONNECTED")
	java.Send("whoami")
	require.Contains(t, java.Expect("END"), "WHO sasl:"+saslID, "the id ZooKeeper gives Curator's principal")

	java.Send("create /java-made from-java " + saslID) // every subtest reads it
	require.Equal(t, "OK", java.ExpectPrefix(""))

	t.Run("keytab", func(t *testing.T) {
		var rec zktest.Recorder[zk.State]
		c, err := zk.Dial(ctx, addr, app, sessionStates(&rec))
		require.NoError(t, err)
		defer c.Close()
		rec.WaitFor(t, zk.StateSyncConnected, zk.StateSaslAuthenticated)
		data, _, err := c.Get(ctx, "/java-made")
		require.NoError(t, err, "ours reads the node Curator made for its principal")
		require.Equal(t, "from-java", string(data))

		_, err = c.Create(ctx, "/go-made", []byte("from-go"), zk.ModePersistent, saslACL(saslID))
		require.NoError(t, err)
		java.Send("get /go-made")
		require.Equal(t, "DATA from-go", java.ExpectPrefix(""), "Curator reads the node ours made")

		_, err = c.Create(ctx, "/go-auth", nil, zk.ModePersistent, zk.CreatorAllACL)
		require.NoError(t, err)
		acl, _, err := c.GetACL(ctx, "/go-auth")
		require.NoError(t, err)
		require.Equal(t, saslACL(saslID), acl, "the server names ours as it names Curator")
	})

	t.Run("ccache", func(t *testing.T) {
		t.Setenv("KRB5CCNAME", "FILE:"+kdc.Kinit(principal, keytab)) // kinit -k -t
		m, err := kerberos.New(kerberos.Config{KRB5ConfPath: kdc.KRB5Conf, ServiceHost: "localhost"})
		require.NoError(t, err)
		c := zktest.Connect(t, addr, zk.WithSASL(m)) // a Client this time
		data, _, err := c.Get(ctx, "/java-made")
		require.NoError(t, err)
		require.Equal(t, "from-java", string(data))
	})

	t.Run("other principals", func(t *testing.T) {
		anon, err := zk.Dial(ctx, addr)
		require.NoError(t, err)
		defer anon.Close()
		_, _, err = anon.Get(ctx, "/java-made")
		require.ErrorIs(t, err, zk.ErrNoAuth)

		other, kt := kdc.AddPrincipal("other")
		m, err := kerberos.New(kerberos.Config{Principal: other, KeytabPath: kt, KRB5ConfPath: kdc.KRB5Conf, ServiceHost: "localhost"})
		require.NoError(t, err)
		c, err := zk.Dial(ctx, addr, zk.WithSASL(m))
		require.NoError(t, err)
		defer c.Close()
		_, _, err = c.Get(ctx, "/java-made")
		require.ErrorIs(t, err, zk.ErrNoAuth, "the ACL names app, not other")

		// A host-based principal keeps its host: sasl:svc/localhost@REALM.
		svc, kt := kdc.AddPrincipal("svc/localhost")
		m, err = kerberos.New(kerberos.Config{Principal: svc, KeytabPath: kt, KRB5ConfPath: kdc.KRB5Conf, ServiceHost: "localhost"})
		require.NoError(t, err)
		s, err := zk.Dial(ctx, addr, zk.WithSASL(m))
		require.NoError(t, err)
		defer s.Close()
		_, err = s.Create(ctx, "/svc-auth", nil, zk.ModePersistent, zk.CreatorAllACL)
		require.NoError(t, err)
		acl, _, err := s.GetACL(ctx, "/svc-auth")
		require.NoError(t, err)
		require.Equal(t, saslACL("svc/localhost@"+realm), acl)
	})

	t.Run("reconnect", func(t *testing.T) {
		var rec zktest.Recorder[zk.State]
		c, p := dialProxied(t, ctx, addr, app, &rec)
		_, _, watch, err := c.GetW(ctx, "/java-made")
		require.NoError(t, err)
		sid := c.SessionID()

		p.Cut()
		rec.WaitFor(t, zk.StateSyncConnected, zk.StateSaslAuthenticated, zk.StateDisconnected,
			zk.StateSyncConnected, zk.StateSaslAuthenticated)
		require.Equal(t, sid, c.SessionID())
		require.Equal(t, 2, p.Accepted())
		data, _, err := c.Get(ctx, "/java-made")
		require.NoError(t, err, "the new connection is authenticated again (auth is per connection)")
		require.Equal(t, "from-java", string(data))
		_, err = c.Set(ctx, "/java-made", []byte("changed"), -1)
		require.NoError(t, err)
		require.Equal(t, zk.EventNodeDataChanged, zktest.Recv(t, watch).Type, "the watch was set again after SASL")
	})

	// A reconnect storm does not reach the KDC, and a KDC that is down
	// does not stop reconnects while the tickets are valid.
	t.Run("reconnects reuse tickets", func(t *testing.T) {
		kp := kdc.Proxy()
		m, err := kerberos.New(kerberos.Config{Principal: principal, KeytabPath: keytab, KRB5ConfPath: kp.KRB5Conf, CanonicalizeHostname: true})
		require.NoError(t, err)
		defer m.Close()
		var rec zktest.Recorder[zk.State]
		c, p := dialProxied(t, ctx, addr, zk.WithSASL(m), &rec)
		want := []zk.State{zk.StateSyncConnected, zk.StateSaslAuthenticated}
		rec.WaitFor(t, want...)
		reconnect := func() {
			t.Helper()
			p.Cut()
			want = append(want, zk.StateDisconnected, zk.StateSyncConnected, zk.StateSaslAuthenticated)
			rec.WaitFor(t, want...)
			data, _, err := c.Get(ctx, "/java-made")
			require.NoError(t, err, "authenticated as app again")
			require.NotEmpty(t, data)
		}
		for range 5 {
			reconnect()
		}
		require.Equal(t, [2]int{1, 1}, [2]int{kp.AS(), kp.TGS()}, "AS and TGS requests for 6 connections")
		kp.Down(true)
		reconnect()
		reconnect()
		require.Equal(t, 8, p.Accepted())
	})

	// An idle session whose connection drops after its first tickets
	// expired, with the KDC down at that moment, authenticates again: the
	// Mechanism renewed the tickets in the background (15 s lifetime here).
	t.Run("idle session outlives its first tickets", func(t *testing.T) {
		idle, idleKT := kdc.AddPrincipal("idle")
		kdc.SetMaxLife(idle, ticketLife)
		kp := kdc.Proxy()
		m, err := kerberos.New(kerberos.Config{Principal: idle, KeytabPath: idleKT, KRB5ConfPath: kp.KRB5Conf, ServiceHost: "localhost"})
		require.NoError(t, err)
		defer m.Close()
		var rec zktest.Recorder[zk.State]
		c, p := dialProxied(t, ctx, addr, zk.WithSASL(m), &rec)
		want := []zk.State{zk.StateSyncConnected, zk.StateSaslAuthenticated}
		rec.WaitFor(t, want...)
		expired := time.Now().Add(ticketLife + time.Second) // the first tickets' end has passed
		_, err = c.Create(ctx, "/idle-only", []byte("x"), zk.ModePersistent, zk.CreatorAllACL)
		require.NoError(t, err)

		require.Eventually(t, func() bool { return kp.AS() >= 2 && kp.TGS() >= 2 }, 3*ticketLife, 20*time.Millisecond,
			"the tickets renewed with no connection asking")
		require.Equal(t, [2]int{2, 2}, [2]int{kp.AS(), kp.TGS()})
		kp.Down(true)
		<-time.After(time.Until(expired))

		session := c.SessionID()
		p.Cut()
		want = append(want, zk.StateDisconnected, zk.StateSyncConnected, zk.StateSaslAuthenticated)
		rec.WaitFor(t, want...)
		data, _, err := c.Get(ctx, "/idle-only")
		require.NoError(t, err, "authenticated as idle again")
		require.Equal(t, "x", string(data))
		require.Equal(t, session, c.SessionID(), "the same session")
		require.Equal(t, [2]int{2, 2}, [2]int{kp.AS(), kp.TGS()}, "the KDC was not reached")
	})

	t.Run("KDC unreachable", func(t *testing.T) {
		krb5Conf := filepath.Join(t.TempDir(), "krb5.conf") // the realm's KDC is not listening
		require.NoError(t, os.WriteFile(krb5Conf, []byte("[realms]\n"+realm+" = {\n kdc = 127.0.0.1:1\n}\n"), 0o600))
		m, err := kerberos.New(kerberos.Config{Principal: principal, KeytabPath: keytab, KRB5ConfPath: krb5Conf})
		require.NoError(t, err)
		_, err = zk.Dial(ctx, addr, zk.WithSASL(m))
		require.ErrorIs(t, err, kerberos.ErrKDCUnreachable)
		require.ErrorIs(t, err, zk.ErrSASLFailed)
	})

	java.Send("quit")
	java.Wait()
}
