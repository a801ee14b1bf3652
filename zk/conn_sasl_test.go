package zk_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// saslACL is an ACL giving every permission to sasl:<user> only.
func saslACL(user string) []zk.ACL {
	return []zk.ACL{{Perms: zk.PermAll, ID: zk.ID{Scheme: "sasl", ID: user}}}
}

// sessionStates records the session-state events of a Conn.
func sessionStates(rec *zktest.Recorder[zk.State]) zk.Option {
	return zk.WithEventHandler(func(ev zk.Event) {
		if ev.Type == zk.EventNone {
			rec.Add(ev.State)
		}
	})
}

func TestSASLDigestEmbeddedACL(t *testing.T) {
	srv := zktest.Embedded(t, testserver.WithSASLUsers(map[string]string{"alice": "secret"}))
	ctx := zktest.Context(t)
	var rec zktest.Recorder[zk.State]
	c, err := zk.Dial(ctx, srv.Addr(), zk.WithSASL(zk.DigestMD5("alice", "secret")), sessionStates(&rec))
	require.NoError(t, err)
	defer c.Close()
	rec.WaitFor(t, zk.StateSyncConnected, zk.StateSaslAuthenticated)
	require.Equal(t, zk.StateSyncConnected, c.State())

	_, err = c.Create(ctx, "/secret", []byte("x"), zk.ModePersistent, saslACL("alice"))
	require.NoError(t, err)
	data, _, err := c.Get(ctx, "/secret")
	require.NoError(t, err)
	require.Equal(t, "x", string(data))

	// "auth" expands to the SASL identity.
	_, err = c.Create(ctx, "/mine", nil, zk.ModePersistent, zk.CreatorAllACL)
	require.NoError(t, err)
	acl, _, err := c.GetACL(ctx, "/mine")
	require.NoError(t, err)
	require.Equal(t, saslACL("alice"), acl)

	anon, err := zk.Dial(ctx, srv.Addr())
	require.NoError(t, err)
	defer anon.Close()
	_, _, err = anon.Get(ctx, "/secret")
	require.ErrorIs(t, err, zk.ErrNoAuth)
}

func TestSASLWrongPasswordFailsDialOnce(t *testing.T) {
	srv := zktest.Embedded(t, testserver.WithSASLUsers(map[string]string{"alice": "secret"}))
	p := zktest.NewProxy(t, srv.Addr())
	ctx := zktest.Context(t)
	c, err := zk.Dial(ctx, p.Addr(), zk.WithSASL(zk.DigestMD5("alice", "wrong")))
	require.Nil(t, c)
	require.ErrorIs(t, err, zk.ErrAuthFailed)
	require.ErrorIs(t, err, zk.ErrSASLFailed)
	require.Equal(t, 1, p.Accepted(), "a rejected exchange is not retried")
	require.Equal(t, "zk: dial "+p.Addr()+": SASL DIGEST-MD5 rejected by "+p.Addr()+": authentication failed", err.Error())

	_, err = zk.Connect(ctx, p.Addr(), zk.WithSASL(zk.DigestMD5("bob", "secret")))
	require.ErrorIs(t, err, zk.ErrAuthFailed)
	require.Equal(t, 2, p.Accepted())
}

func TestSASLAgainstServerWithoutSASLGivesUp(t *testing.T) {
	srv := zktest.Embedded(t) // answers SASL packets with no token
	p := zktest.NewProxy(t, srv.Addr())
	ctx := zktest.Context(t)
	_, err := zk.Dial(ctx, p.Addr(), zk.WithSASL(zk.DigestMD5("alice", "secret")))
	require.ErrorIs(t, err, zk.ErrSASLFailed)
	require.ErrorIs(t, err, zk.ErrAuthFailed)
	require.ErrorContains(t, err, "no challenge")
	require.Equal(t, 3, p.Accepted(), "three failed exchanges, then the session is given up")
}

func TestSASLReconnectReauthenticatesBeforeQueuedRequests(t *testing.T) {
	// WithSASLRequired closes a connection whose first request is not
	// SASL: anything sent before the exchange (SetWatches, auth, a queued
	// read) would end the connection with SessionClosedRequireSaslAuth.
	srv := zktest.Embedded(t, testserver.WithSASLUsers(map[string]string{"alice": "secret"}),
		testserver.WithSASLRequired(true))
	ctx := zktest.Context(t)
	var rec zktest.Recorder[zk.State]
	c, err := zk.Dial(ctx, srv.Addr(), zk.WithSASL(zk.DigestMD5("alice", "secret")),
		zk.WithAuth("digest", []byte("u:p")), sessionStates(&rec))
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Create(ctx, "/n", []byte("v"), zk.ModePersistent, saslACL("alice"))
	require.NoError(t, err)
	_, _, watch, err := c.GetW(ctx, "/n")
	require.NoError(t, err)
	rec.WaitFor(t, zk.StateSyncConnected, zk.StateSaslAuthenticated)

	require.Positive(t, srv.DropConnections())
	rec.WaitFor(t, zk.StateSyncConnected, zk.StateSaslAuthenticated, zk.StateDisconnected,
		zk.StateSyncConnected, zk.StateSaslAuthenticated)
	data, _, err := c.Get(ctx, "/n")
	require.NoError(t, err)
	require.Equal(t, "v", string(data))

	// The watch was re-registered after the exchange and still fires.
	_, err = c.Set(ctx, "/n", []byte("w"), -1)
	require.NoError(t, err)
	ev := zktest.Recv(t, watch)
	require.Equal(t, zk.EventNodeDataChanged, ev.Type)

	anon, err := zk.Dial(ctx, srv.Addr())
	require.NoError(t, err) // the handshake is not a request
	defer anon.Close()
	_, _, err = anon.Get(ctx, "/n")
	require.Error(t, err) // the server closes the connection
}

// flakyMechanism is DigestMD5 with a password a test can change.
type flakyMechanism struct{ pass atomic.Value }

func (m *flakyMechanism) Name() string { return "DIGEST-MD5" }
func (m *flakyMechanism) Start(ctx context.Context, server string) (zk.SASLExchange, error) {
	return zk.DigestMD5("alice", m.pass.Load().(string)).Start(ctx, server)
}

// flakySASLClient is a Client authenticated as alice with a flakyMechanism,
// connected through a proxy to an embedded server with SASL users.
type flakySASLClient struct {
	srv    *testserver.Server
	proxy  *zktest.Proxy
	mech   *flakyMechanism
	c      *zk.Client
	states *zktest.Recorder[zk.ConnectionState]
}

// newFlakySASLClient connects a flakySASLClient (closed when t ends) and
// waits until it is Connected.
func newFlakySASLClient(t *testing.T) *flakySASLClient {
	t.Helper()
	f := &flakySASLClient{mech: &flakyMechanism{}, states: &zktest.Recorder[zk.ConnectionState]{}}
	f.srv = zktest.Embedded(t, testserver.WithSASLUsers(map[string]string{"alice": "secret"}))
	f.proxy = zktest.NewProxy(t, f.srv.Addr())
	f.mech.pass.Store("secret")
	c, err := zk.Connect(zktest.Context(t), f.proxy.Addr(), zk.WithSASL(f.mech), zk.WithStateListener(f.states.Add))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	f.c = c
	f.states.WaitFor(t, zk.Connected)
	return f
}

func TestSASLClientAuthFailedStopsNewSessions(t *testing.T) {
	f := newFlakySASLClient(t)
	p, m, c, states := f.proxy, f.mech, f.c, f.states
	ctx := zktest.Context(t)

	m.pass.Store("changed") // the next connection is rejected
	p.Cut()
	states.WaitFor(t, zk.Connected, zk.Suspended, zk.AuthFailed)
	require.Equal(t, zk.AuthFailed, c.State())
	_, _, err := c.Get(ctx, "/")
	require.ErrorIs(t, err, zk.ErrAuthFailed)
	require.ErrorIs(t, err, zk.ErrSASLFailed)
	require.Equal(t, 2, p.Accepted(), "no new session after a rejected exchange")
	require.True(t, zk.StandardErrorPolicy.IsError(zk.AuthFailed))
	require.True(t, zk.SessionErrorPolicy.IsError(zk.AuthFailed))
}

func TestWithSASLRejectsBadArguments(t *testing.T) {
	ctx := zktest.Context(t)
	for _, m := range []zk.SASLMechanism{nil, zk.DigestMD5("", "pw"), zk.DigestMD5("a\xff", "pw")} {
		_, err := zk.Dial(ctx, "127.0.0.1:1", zk.WithSASL(m))
		require.ErrorIs(t, err, zk.ErrInvalidOption)
		require.ErrorContains(t, err, "WithSASL")
	}
}

// stuckMechanism never finishes a step until its context ends.
type stuckMechanism struct{ started chan struct{} }

func (m *stuckMechanism) Name() string { return "STUCK" }
func (m *stuckMechanism) Start(context.Context, string) (zk.SASLExchange, error) {
	return m, nil
}
func (m *stuckMechanism) Step(ctx context.Context, _ []byte) ([]byte, bool, error) {
	select {
	case m.started <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return nil, false, ctx.Err()
}

// A mechanism that hangs cannot hold Dial past its context, nor leak.
func TestSASLStuckMechanismBoundedByDial(t *testing.T) {
	srv := zktest.Embedded(t, testserver.WithSASLUsers(map[string]string{"alice": "secret"}))
	m := &stuckMechanism{started: make(chan struct{}, 1)}
	ctx, cancel := context.WithTimeout(zktest.Context(t), 500*time.Millisecond)
	defer cancel()
	c, err := zk.Dial(ctx, srv.Addr(), zk.WithSASL(m))
	require.Nil(t, c)
	require.Error(t, err)
	require.Len(t, m.started, 1, "the exchange had started")
}

// After a lost session, a new session rejected by SASL ends the Client's
// attempts too (no endless new-session loop).
func TestSASLClientNewSessionRejectedStops(t *testing.T) {
	f := newFlakySASLClient(t)
	srv, p, m, c, states := f.srv, f.proxy, f.mech, f.c, f.states
	ctx := zktest.Context(t)

	m.pass.Store("changed")
	require.True(t, srv.ExpireSession(c.SessionID()))
	zktest.Eventually(t, func() bool { return c.State() == zk.AuthFailed }, "AuthFailed")
	got := states.Items()
	require.Equal(t, zk.AuthFailed, got[len(got)-1], "%v", got)
	require.Contains(t, got, zk.Lost)
	n := p.Accepted()
	_, _, err := c.Get(ctx, "/")
	require.ErrorIs(t, err, zk.ErrAuthFailed)
	require.ErrorIs(t, err, zk.ErrSASLFailed)
	require.ErrorIs(t, c.BlockUntilConnected(ctx), zk.ErrAuthFailed, "no connection will come")
	require.Equal(t, n, p.Accepted())
}
