package zk_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/zk"
)

func TestParseConfig(t *testing.T) {
	cfg, err := zk.ParseConfig([]byte("server.1=10.0.0.1:2888:3888:participant;0.0.0.0:2181\n" +
		"server.2=zk2.example.com:2888:3888;2182\n" +
		"server.3=[::1]:2888:3888:observer;[::1]:2183\n" +
		"server.4=10.0.0.4:2888:3888\n" +
		"version=10000000a\n"))
	require.NoError(t, err)
	require.Equal(t, int64(0x10000000a), cfg.Version)
	require.Len(t, cfg.Servers, 4)
	require.Equal(t, zk.ServerSpec{ID: 1, Host: "10.0.0.1", QuorumPort: 2888, ElectionPort: 3888, Role: "participant", ClientHost: "0.0.0.0", ClientPort: 2181}, cfg.Servers[0])
	require.Equal(t, "observer", cfg.Servers[2].Role)
	require.Equal(t, []string{"10.0.0.1:2181", "zk2.example.com:2182", "[::1]:2183"}, cfg.ClientServers(),
		"a wildcard or missing client host is the quorum host; a line without a client port has no client address")
	require.Equal(t, "10.0.0.1:2888:3888:participant;0.0.0.0:2181", cfg.Servers[0].String())
	require.Equal(t, "[::1]:2888:3888:observer;[::1]:2183", cfg.Servers[2].String())

	empty, err := zk.ParseConfig(nil)
	require.NoError(t, err)
	require.Empty(t, empty.Servers)

	for _, bad := range []string{"server.x=a:1:2", "server.1=a:1", "server.1=a:1:2;x", "version=zz"} {
		_, err := zk.ParseConfig([]byte(bad))
		require.ErrorIs(t, err, zk.ErrBadArguments, bad)
	}
}

// ConfigNode is read outside the namespace (and chroot); a standalone
// server refuses Reconfig with ErrReconfigDisabled, which is not retried.
func TestGetConfigOutsideNamespaceAndReconfigDisabled(t *testing.T) {
	srv := zktest.Server(t)
	c := zktest.Connect(t, srv.ConnectString(), zk.WithNamespace("ns-getconfig"))
	ctx := zktest.Context(t)
	cfg, st, ch, err := c.GetConfigW(ctx)
	require.NoError(t, err)
	require.NotNil(t, st)
	require.NotNil(t, ch)
	require.NotNil(t, cfg)
	_, _, err = c.GetConfig(ctx)
	require.NoError(t, err)

	_, _, err = c.Reconfig(ctx, []string{"server.9=127.0.0.1:2888:3888;2181"}, nil, nil, -1)
	require.Error(t, err)
	if srv.Kind() == zktest.KindEmbedded {
		require.ErrorIs(t, err, zk.ErrReconfigDisabled)
	}
	_, _, err = c.Reconfig(ctx, []string{"server.9=x:1:2"}, nil, []string{"server.9=x:1:2"}, -1)
	require.ErrorIs(t, err, zk.ErrBadArguments)
}

// The config node's watch event reaches a chrooted client (it lies outside
// the chroot; every other event from outside is dropped).
func TestGetConfigWatchUnderChroot(t *testing.T) {
	data := []byte("server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181\nversion=100000000\n")
	fs := newFakeServer(t, &fakeServer{timeout: 10000, hostile: func(xid int32) []byte {
		b := replyFrame(xid, 1, 0, (&jute.GetDataResponse{Data: data}).Encode(nil))
		return append(b, notification(jute.EventNodeDataChanged, zk.ConfigNode)...)
	}})
	c := dialConn(t, fs.addr()+"/app")
	cfg, _, ch, err := c.GetConfigW(context.Background())
	require.NoError(t, err)
	require.Equal(t, []string{"127.0.0.1:2181"}, cfg.ClientServers())
	require.Equal(t, int64(0x100000000), cfg.Version)
	ev := zktest.Recv(t, ch)
	require.Equal(t, zk.EventNodeDataChanged, ev.Type)
	require.Equal(t, zk.ConfigNode, ev.Path)
}

// After Close, the server-list and config calls fail with ErrClosed.
func TestReconfigCallsAfterClose(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	c := zktest.Connect(t, srv.Addr(), zk.WithEnsembleTracker(true))
	conn := c.Conn()
	require.NoError(t, c.Close())
	require.NoError(t, c.Close())
	require.ErrorIs(t, c.UpdateServerList([]string{"127.0.0.1:1"}), zk.ErrClosed)
	require.ErrorIs(t, conn.UpdateServerList([]string{"127.0.0.1:1"}), zk.ErrClosed)
	_, _, err := c.GetConfig(ctx)
	require.ErrorIs(t, err, zk.ErrClosed)
	_, _, err = conn.GetConfig(ctx)
	require.ErrorIs(t, err, zk.ErrClosed)
	_, _, err = c.Reconfig(ctx, nil, []string{"1"}, nil, -1)
	require.ErrorIs(t, err, zk.ErrClosed)
}
