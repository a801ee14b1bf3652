package zk_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// SASL DIGEST-MD5 against a real ZooKeeper 3.8 started with a JAAS
// Server section (user alice) and the SASL authentication provider. One
// server for every subtest: JVMs are slow to start here.
func TestSASLRealDigest(t *testing.T) {
	jaas := zktest.WriteJAAS(t,
		zktest.DigestServerSection(map[string]string{"alice": "secret"}),
		zktest.DigestClientSection("alice", "secret"))
	e := zktest.RealSASL(t, jaas, nil)
	addr := e.ConnectString()
	ctx := zktest.Context(t)
	alice := zk.WithSASL(zk.DigestMD5("alice", "secret"))

	t.Run("ACL", func(t *testing.T) {
		var rec zktest.Recorder[zk.State]
		c, err := zk.Dial(ctx, addr, alice, sessionStates(&rec))
		require.NoError(t, err)
		defer c.Close()
		rec.WaitFor(t, zk.StateSyncConnected, zk.StateSaslAuthenticated)
		_, err = c.Create(ctx, "/acl", []byte("x"), zk.ModePersistent, saslACL("alice"))
		require.NoError(t, err)
		data, _, err := c.Get(ctx, "/acl")
		require.NoError(t, err)
		require.Equal(t, "x", string(data))

		anon, err := zk.Dial(ctx, addr)
		require.NoError(t, err)
		defer anon.Close()
		_, _, err = anon.Get(ctx, "/acl")
		require.ErrorIs(t, err, zk.ErrNoAuth)
	})

	t.Run("WrongPassword", func(t *testing.T) {
		p := zktest.NewProxy(t, addr)
		c, err := zk.Dial(ctx, p.Addr(), zk.WithSASL(zk.DigestMD5("alice", "wrong")))
		require.Nil(t, c)
		require.ErrorIs(t, err, zk.ErrAuthFailed)
		require.ErrorIs(t, err, zk.ErrSASLFailed)
		require.Equal(t, 1, p.Accepted(), "a rejected exchange is not retried")

		// Not an unknown user with alice's password: a real 3.8 server
		// shares one SaslServerCallbackHandler between connections, and an
		// unknown name is then checked against the password of the last
		// known user that authenticated (its userName field is stale).
		_, err = zk.Connect(ctx, p.Addr(), zk.WithSASL(zk.DigestMD5("alice", "also-wrong")))
		require.ErrorIs(t, err, zk.ErrAuthFailed)
		require.Equal(t, 2, p.Accepted())
	})

	t.Run("Reconnect", func(t *testing.T) {
		p := zktest.NewProxy(t, addr)
		var rec zktest.Recorder[zk.State]
		c, err := zk.Dial(ctx, p.Addr(), alice, sessionStates(&rec))
		require.NoError(t, err)
		defer c.Close()
		_, err = c.Create(ctx, "/reconnect", []byte("r"), zk.ModePersistent, saslACL("alice"))
		require.NoError(t, err)
		_, _, watch, err := c.GetW(ctx, "/reconnect")
		require.NoError(t, err)
		sid := c.SessionID()

		p.Cut()
		rec.WaitFor(t, zk.StateSyncConnected, zk.StateSaslAuthenticated, zk.StateDisconnected,
			zk.StateSyncConnected, zk.StateSaslAuthenticated)
		require.Equal(t, sid, c.SessionID())
		data, _, err := c.Get(ctx, "/reconnect")
		require.NoError(t, err, "the new connection is authenticated again")
		require.Equal(t, "r", string(data))
		_, err = c.Set(ctx, "/reconnect", []byte("s"), -1)
		require.NoError(t, err)
		require.Equal(t, zk.EventNodeDataChanged, zktest.Recv(t, watch).Type)
	})

	t.Run("Curator", func(t *testing.T) {
		cp := zktest.CompileJava(t, zktest.CuratorJars, filepath.Join("testdata", "CuratorSASL.java"))
		java := zktest.StartJava(t, cp, "CuratorSASL", addr, jaas)
		java.Expect("CONNECTED")

		c, err := zk.Dial(ctx, addr, alice)
		require.NoError(t, err)
		defer c.Close()
		_, err = c.Create(ctx, "/from-go", []byte("go"), zk.ModePersistent, saslACL("alice"))
		require.NoError(t, err)
		java.Send("read /from-go")
		java.Expect("DATA go")

		java.Send("create /from-java java alice")
		java.Expect("CREATED")
		data, _, err := c.Get(ctx, "/from-java")
		require.NoError(t, err)
		require.Equal(t, "java", string(data))
		acl, _, err := c.GetACL(ctx, "/from-java")
		require.NoError(t, err)
		require.Equal(t, saslACL("alice"), acl)

		java.Send("quit")
		java.Wait()
	})
}

// With zookeeper.sessionRequireClientSASLAuth=true a real server closes a
// connection whose first request is not SASL: ours authenticates before
// anything else, on every connection.
func TestSASLRealRequireClientAuth(t *testing.T) {
	jaas := zktest.WriteJAAS(t, zktest.DigestServerSection(map[string]string{"alice": "secret"}))
	e := zktest.RealSASL(t, jaas, map[string]string{"zookeeper.sessionRequireClientSASLAuth": "true"})
	p := zktest.NewProxy(t, e.ConnectString())
	ctx := zktest.Context(t)

	var rec zktest.Recorder[zk.State]
	c, err := zk.Dial(ctx, p.Addr(), zk.WithSASL(zk.DigestMD5("alice", "secret")),
		zk.WithAuth("digest", []byte("u:p")), sessionStates(&rec))
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Create(ctx, "/req", []byte("v"), zk.ModePersistent, saslACL("alice"))
	require.NoError(t, err)
	_, _, _, err = c.GetW(ctx, "/req")
	require.NoError(t, err)
	p.Cut()
	rec.WaitFor(t, zk.StateSyncConnected, zk.StateSaslAuthenticated, zk.StateDisconnected,
		zk.StateSyncConnected, zk.StateSaslAuthenticated)
	_, _, err = c.Get(ctx, "/req")
	require.NoError(t, err)

	anon, err := zk.Dial(ctx, e.ConnectString())
	require.NoError(t, err) // the handshake is not checked
	defer anon.Close()
	_, _, err = anon.Get(ctx, "/req")
	require.ErrorIs(t, err, zk.ErrSessionClosedRequireSaslAuth)

	before := p.Accepted()
	_, err = zk.Dial(ctx, p.Addr(), zk.WithSASL(zk.DigestMD5("alice", "wrong")))
	require.ErrorIs(t, err, zk.ErrAuthFailed)
	require.ErrorIs(t, err, zk.ErrSessionClosedRequireSaslAuth)
	require.Equal(t, before+1, p.Accepted())
}
