package cache

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// NodeCache and ChildrenCache on a 3.5 server (no addWatch) fall back to
// one-shot watches, re-armed after each event, as TreeCache does
// (TestTreeCacheFallback35).
func TestNodeAndChildrenCacheFallback35(t *testing.T) {
	ctx, _, c, p := zktest.SetupEmbedded(t, testserver.WithVersion("3.5"))
	require.NoError(t, createTree(ctx, c, []string{p, p + "/a"}, []byte("x"), 4))

	nc := mustNode(t, c, p+"/a")
	nrec := newRecorder(nc.Listen)
	require.NoError(t, nc.Start(ctx))
	defer nc.Close()
	require.Equal(t, WatchOneShot, WatchMode(nc.e.modeSeen.Load()))

	cc := mustChildren(t, c, p)
	crec := newRecorder(cc.Listen)
	require.NoError(t, cc.Start(ctx))
	defer cc.Close()
	require.Equal(t, WatchOneShot, WatchMode(cc.e.modeSeen.Load()))

	for _, v := range []string{"1", "2"} { // the second needs the re-armed watch
		_, err := c.Set(ctx, p+"/a", []byte(v), zk.AnyVersion)
		require.NoError(t, err)
		zktest.Eventually(t, func() bool { n, ok := nc.Get(); return ok && string(n.Data) == v }, "node data "+v)
	}
	_, err := c.Create(ctx, p+"/b", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	crec.waitFor(t, "NodeCreated "+p+"/b")
	require.NoError(t, c.Delete(ctx, p+"/b", zk.AnyVersion))
	crec.waitFor(t, "NodeCreated "+p+"/b", "NodeDeleted "+p+"/b")
	nrec.waitFor(t, "NodeChanged "+p+"/a", "NodeChanged "+p+"/a")
}

// Only the first cache of a Client on a 3.5 server costs a dropped
// connection (the server closes it after refusing addWatch): the Conn
// remembers the refusal and later caches' addWatch fail at once.
func TestSecondCacheOn35DropsNoConnection(t *testing.T) {
	srv := zktest.Embedded(t, testserver.WithVersion("3.5"))
	c, states := zktest.ConnectRecorded(t, srv.ConnectString())
	ctx := zktest.Context(t)
	p := zktest.UniquePath(t)
	require.NoError(t, createTree(ctx, c, []string{p, p + "/a"}, []byte("x"), 4))

	first := mustTree(t, c, p)
	require.NoError(t, first.Start(ctx))
	defer first.Close()
	states.WaitFor(t, zk.Connected, zk.Suspended, zk.Reconnected)
	for _, path := range []string{p, p + "/a"} {
		tc := mustTree(t, c, path)
		require.NoError(t, tc.Start(ctx))
		require.Equal(t, WatchOneShot, tc.Mode())
		require.NoError(t, tc.Close())
	}
	_, _, err := c.Get(ctx, p)
	require.NoError(t, err)
	require.Equal(t, []zk.ConnectionState{zk.Connected, zk.Suspended, zk.Reconnected}, states.Items())
}
