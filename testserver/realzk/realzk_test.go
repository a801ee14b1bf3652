package realzk_test

import (
	"context"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver/realzk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// rawConn is a minimal ZooKeeper client over jute, enough to check what the
// launcher configures (TTL nodes, data kept across restarts) without
// depending on the project's client.
type rawConn struct {
	c   net.Conn
	xid int32
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, c.SetDeadline(time.Now().Add(20*time.Second)))
	b, s := jute.BeginFrame(nil)
	b = (&jute.ConnectRequest{TimeOut: 10000}).Encode(b)
	_, err = c.Write(jute.EndFrame(b, s))
	require.NoError(t, err)
	frame, err := jute.ReadFrame(c, nil, 0)
	require.NoError(t, err)
	var resp jute.ConnectResponse
	require.NoError(t, jute.Unmarshal(frame, &resp))
	require.Positive(t, resp.TimeOut, "handshake refused")
	return &rawConn{c: c}
}

// call sends one request and returns the reply's error code.
func (r *rawConn) call(t *testing.T, op int32, req jute.Record) int32 {
	t.Helper()
	r.xid++
	b, s := jute.BeginFrame(nil)
	b = (&jute.RequestHeader{Xid: r.xid, Type: op}).Encode(b)
	b = req.Encode(b)
	_, err := r.c.Write(jute.EndFrame(b, s))
	require.NoError(t, err)
	for {
		frame, err := jute.ReadFrame(r.c, nil, 0)
		require.NoError(t, err)
		var h jute.ReplyHeader
		h.Decode(jute.NewDecoder(frame))
		if h.Xid == r.xid {
			return h.Err
		}
	}
}

var openACL = []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "world", ID: "anyone"}}}

func TestStandalone(t *testing.T) {
	e := zktest.RealEnsemble(t, 1)
	ctx := ctxT(t)
	require.Equal(t, 1, e.Size())
	require.Equal(t, e.Addr(0), e.ConnectString())
	require.True(t, strings.HasPrefix(e.Addr(0), "127.0.0.1:"))
	require.Empty(t, e.Addr(1))

	out, err := e.FourLetter(ctx, 0, "ruok")
	require.NoError(t, err)
	require.Equal(t, "imok", out)
	out, err = e.FourLetter(ctx, 0, "srvr")
	require.NoError(t, err)
	require.Contains(t, out, "Mode: standalone")
	l, err := e.Leader(ctx)
	require.ErrorIs(t, err, realzk.ErrNoLeader)
	require.Equal(t, -1, l)

	// TTL nodes need zookeeper.extendedTypesEnabled, which the launcher sets.
	path := zktest.UniquePath(t)
	c := dialRaw(t, e.Addr(0))
	require.Equal(t, jute.ErrOK, c.call(t, jute.OpCreateTTL, &jute.CreateTTLRequest{
		Path: path, ACL: openACL, Flags: jute.FlagPersistentWithTTL, TTL: 60000,
	}))

	// Stop and Restart keep the port and the data.
	require.NoError(t, e.Stop(0))
	require.False(t, e.Running(0))
	require.ErrorIs(t, e.Stop(0), realzk.ErrNotRunning)
	require.ErrorIs(t, e.Kill(0), realzk.ErrNotRunning)
	_, err = e.FourLetter(ctx, 0, "ruok")
	require.ErrorIs(t, err, realzk.ErrNotRunning)
	require.NoError(t, e.Restart(ctx, 0))
	require.True(t, e.Running(0))
	require.ErrorIs(t, e.Restart(ctx, 0), realzk.ErrRunning)
	c = dialRaw(t, e.Addr(0))
	require.Equal(t, jute.ErrOK, c.call(t, jute.OpExists, &jute.ExistsRequest{Path: path}))

	require.NoError(t, e.Close())
	require.NoError(t, e.Close())
	require.False(t, e.Running(0))
	require.ErrorIs(t, e.Kill(0), realzk.ErrClosed)
	require.ErrorIs(t, e.Restart(ctx, 0), realzk.ErrClosed)
}

func TestEnsembleLeaderFailover(t *testing.T) {
	e := zktest.RealEnsemble(t, 3)
	ctx := ctxT(t)
	require.Equal(t, 3, e.Size())
	require.Equal(t, strings.Join([]string{e.Addr(0), e.Addr(1), e.Addr(2)}, ","), e.ConnectString())

	old, err := e.Leader(ctx)
	require.NoError(t, err)
	modes := map[string]int{}
	for i := range 3 {
		out, err := e.FourLetter(ctx, i, "srvr")
		require.NoError(t, err)
		for _, m := range []string{"leader", "follower"} {
			if strings.Contains(out, "Mode: "+m) {
				modes[m]++
			}
		}
	}
	require.Equal(t, map[string]int{"leader": 1, "follower": 2}, modes)

	require.NoError(t, e.Kill(old))
	require.False(t, e.Running(old))
	next := -1
	zktest.Eventually(t, func() bool {
		next, err = e.Leader(ctx)
		return err == nil
	}, "a new leader after killing the old one")
	require.NotEqual(t, old, next)

	require.NoError(t, e.Restart(ctx, old))
	out, err := e.FourLetter(ctx, old, "srvr")
	require.NoError(t, err)
	require.Contains(t, out, "Mode: follower")
	l, err := e.Leader(ctx)
	require.NoError(t, err)
	require.Equal(t, next, l)
}

func TestStartRejectsBadOptions(t *testing.T) {
	_, err := realzk.Start(context.Background(), realzk.Options{Members: -1})
	require.Error(t, err)
	_, err = realzk.Start(context.Background(), realzk.Options{TickTime: time.Microsecond})
	require.Error(t, err)

	ca := zktest.NewTestCA(t, "test CA")
	cert, key := ca.Issue(t, "127.0.0.1")
	for _, bad := range []*realzk.TLS{
		{KeyPEM: key},
		{CertPEM: cert},
		{CertPEM: cert, KeyPEM: []byte("-----BEGIN EC PRIVATE KEY-----")},
		{CertPEM: cert, KeyPEM: key, ClientAuth: "need"},
		{CertPEM: cert, KeyPEM: key, CAPEM: ca.PEM, ClientAuth: "always"},
	} {
		_, err = realzk.Start(context.Background(), realzk.Options{TLS: bad})
		require.ErrorContains(t, err, "TLS")
	}
}

// A server started with TLS serves TLS on its secure client port with
// the given certificate, and plain ZooKeeper on its client port.
func TestStandaloneTLS(t *testing.T) {
	zktest.RequireReal(t)
	ca := zktest.NewTestCA(t, "test CA")
	cert, key := ca.Issue(t, "127.0.0.1")
	e, err := realzk.Start(ctxT(t), realzk.Options{Logf: t.Logf, TLS: &realzk.TLS{CertPEM: cert, KeyPEM: key}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	require.NotEqual(t, e.Addr(0), e.SecureAddr(0))
	require.Equal(t, e.SecureAddr(0), e.SecureConnectString())
	require.Empty(t, e.SecureAddr(1))

	d := &net.Dialer{Timeout: 10 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", e.SecureAddr(0), &tls.Config{RootCAs: ca.Pool()})
	require.NoError(t, err, "verified against the test CA")
	require.NoError(t, c.Close())

	out, err := e.FourLetter(ctxT(t), 0, "ruok")
	require.NoError(t, err)
	require.Equal(t, "imok", out)
}

func TestStartFailureShowsLogTail(t *testing.T) {
	zktest.RequireReal(t)
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, "lib"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(home, "lib", "zookeeper-3.8.0.jar"), nil, 0o644))
	t.Setenv("ZOOKEEPER_HOME", home) // a jar without the server classes

	parent := t.TempDir()
	_, err := realzk.Start(ctxT(t), realzk.Options{Dir: parent})
	require.Error(t, err)
	require.Contains(t, err.Error(), "QuorumPeerMain") // the JVM's own message, from the log tail
	ents, err := os.ReadDir(parent)
	require.NoError(t, err)
	require.Empty(t, ents, "temp dirs must be removed after a failed start")
}
