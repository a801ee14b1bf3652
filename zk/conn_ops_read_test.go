package zk_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// WhoAmI lists the ip identity, then every accepted AddAuth credential.
func TestConnWhoAmI(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)

	ids, err := c.WhoAmI(ctx)
	require.NoError(t, err)
	require.Equal(t, []zk.ClientInfo{{AuthScheme: "ip", User: "127.0.0.1"}}, ids)

	require.NoError(t, c.AddAuth(ctx, "digest", []byte("alice:secret")))
	ids, err = c.WhoAmI(ctx)
	require.NoError(t, err)
	require.ElementsMatch(t, []zk.ClientInfo{{AuthScheme: "ip", User: "127.0.0.1"}, {AuthScheme: "digest", User: "alice"}}, ids)
}

// MultiRead answers every read, each with its own error, with the chroot
// applied to the requests and the results reported by the op's path.
func TestConnMultiRead(t *testing.T) {
	srv := zktest.Server(t)
	ctx := opCtx(t)
	root := zktest.UniquePath(t)
	setup := dialConn(t, srv.ConnectString())
	_, err := setup.Create(ctx, root, nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	_, err = setup.Create(ctx, root+"/a", []byte("data-a"), zk.ModePersistent, nil)
	require.NoError(t, err)
	_, err = setup.Create(ctx, root+"/b", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	_, stA, err := setup.Get(ctx, root+"/a")
	require.NoError(t, err)

	c := dialConn(t, srv.ConnectString()+root) // chroot
	res, err := c.MultiRead(ctx,
		zk.GetDataOp("/a"), zk.GetChildrenOp("/"), zk.GetDataOp("/missing"), zk.GetChildrenOp("/missing"), zk.GetChildrenOp("/b"))
	require.NoError(t, err)
	require.Len(t, res, 5)

	require.Equal(t, zk.OpGetData, res[0].Type)
	require.Equal(t, "/a", res[0].Path)
	require.Equal(t, "data-a", string(res[0].Data))
	require.Equal(t, *stA, *res[0].Stat)
	require.NoError(t, res[0].Err)

	require.Equal(t, zk.OpGetChildren, res[1].Type)
	require.ElementsMatch(t, []string{"a", "b"}, res[1].Children)
	require.NoError(t, res[1].Err)

	for _, r := range res[2:4] {
		require.ErrorIs(t, r.Err, zk.ErrNoNode)
		var oe *zk.OpError
		require.ErrorAs(t, r.Err, &oe)
		require.Equal(t, "/missing", oe.Path)
		require.Nil(t, r.Stat)
	}
	require.Empty(t, res[4].Children)
	require.NoError(t, res[4].Err)

	// No ops: no request; a bad op or path fails before sending.
	res, err = c.MultiRead(ctx)
	require.NoError(t, err)
	require.Empty(t, res)
	_, err = c.MultiRead(ctx, zk.ReadOp{Type: zk.OpCreate, Path: "/a"})
	require.ErrorIs(t, err, zk.ErrBadArguments)
	_, err = c.MultiRead(ctx, zk.GetDataOp("no-slash"))
	require.ErrorIs(t, err, zk.ErrInvalidPath)
}

// A read the caller may not do fails alone with NoAuth.
func TestConnMultiReadNoAuth(t *testing.T) {
	srv := zktest.Server(t)
	ctx := opCtx(t)
	root := zktest.UniquePath(t)
	owner := dialConn(t, srv.ConnectString())
	require.NoError(t, owner.AddAuth(ctx, "digest", []byte("bob:pw")))
	_, err := owner.Create(ctx, root, []byte("open"), zk.ModePersistent, nil)
	require.NoError(t, err)
	_, err = owner.Create(ctx, root+"/secret", []byte("x"), zk.ModePersistent, zk.CreatorAllACL)
	require.NoError(t, err)

	c := dialConn(t, srv.ConnectString())
	res, err := c.MultiRead(ctx, zk.GetDataOp(root+"/secret"), zk.GetDataOp(root))
	require.NoError(t, err)
	require.ErrorIs(t, res[0].Err, zk.ErrNoAuth)
	require.Equal(t, "open", string(res[1].Data))
}

// The Client's WhoAmI and MultiRead go through the namespace.
func TestClientWhoAmIAndMultiRead(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	ns := zktest.UniquePath(t)[1:]
	c := zktest.Connect(t, srv.ConnectString(), zk.WithNamespace(ns), zk.WithAuth("digest", []byte("carol:pw")))
	_, err := c.Create(ctx, "/n", []byte("v"), zk.ModePersistent, nil)
	require.NoError(t, err)

	ids, err := c.WhoAmI(ctx)
	require.NoError(t, err)
	require.Contains(t, ids, zk.ClientInfo{AuthScheme: "digest", User: "carol"})

	res, err := c.MultiRead(ctx, zk.GetDataOp("/n"), zk.GetChildrenOp("/"))
	require.NoError(t, err)
	require.Equal(t, "v", string(res[0].Data))
	require.Equal(t, []string{"n"}, res[1].Children)
}
