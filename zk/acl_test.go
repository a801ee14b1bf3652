package zk_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// nil ACL means one thing everywhere: the default ACL (open unless
// WithDefaultACL says otherwise) — in Create, CreateWith, CreateOp inside a
// Multi, on a Client and on a Conn (#17 bug 3).
func TestNilACLMeansDefaultEverywhere(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	root := zktest.UniquePath(t)
	c := zktest.Connect(t, srv.ConnectString())
	require.NoError(t, c.EnsurePath(ctx, root))
	conn, err := zk.Dial(ctx, srv.ConnectString())
	require.NoError(t, err)
	defer conn.Close()

	requireACL := func(path string, want []zk.ACL) {
		t.Helper()
		acl, _, err := c.GetACL(ctx, path)
		require.NoError(t, err)
		require.Equal(t, want, acl, path)
	}

	_, err = c.Multi(ctx, zk.CreateOp(root+"/client-multi", nil, zk.ModePersistent, nil))
	require.NoError(t, err, "CreateOp with a nil ACL in a Client Multi")
	requireACL(root+"/client-multi", zk.OpenACLUnsafe)
	_, err = conn.Multi(ctx, zk.CreateOp(root+"/conn-multi", nil, zk.ModePersistent, nil))
	require.NoError(t, err, "CreateOp with a nil ACL in a Conn Multi")
	requireACL(root+"/conn-multi", zk.OpenACLUnsafe)
	_, err = conn.Create(ctx, root+"/conn-create", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	requireACL(root+"/conn-create", zk.OpenACLUnsafe)
	_, _, err = conn.Create2(ctx, root+"/conn-container", nil, zk.ModeContainer, nil)
	require.NoError(t, err)
	_, err = c.Create(ctx, root+"/client-create", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	requireACL(root+"/client-create", zk.OpenACLUnsafe)

	_, err = conn.Create(ctx, root+"/empty", nil, zk.ModePersistent, []zk.ACL{})
	require.ErrorIs(t, err, zk.ErrInvalidACL, "an empty, non-nil ACL is still invalid")

	// WithDefaultACL changes what nil means, on both layers.
	noAdmin := zk.WorldACL(zk.PermAll &^ zk.PermAdmin)
	cd := zktest.Connect(t, srv.ConnectString(), zk.WithDefaultACL(noAdmin))
	_, err = cd.Create(ctx, root+"/d-create", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	requireACL(root+"/d-create", noAdmin)
	_, err = cd.Multi(ctx, zk.CreateOp(root+"/d-multi", nil, zk.ModePersistent, nil))
	require.NoError(t, err)
	requireACL(root+"/d-multi", noAdmin)
	require.NoError(t, cd.EnsurePath(ctx, root+"/d-parent/x"))
	requireACL(root+"/d-parent", noAdmin)
	_, err = cd.Create(ctx, root+"/explicit", nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	requireACL(root+"/explicit", zk.OpenACLUnsafe)

	connD, err := zk.Dial(ctx, srv.ConnectString(), zk.WithDefaultACL(noAdmin))
	require.NoError(t, err)
	defer connD.Close()
	_, err = connD.Create(ctx, root+"/connd", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	requireACL(root+"/connd", noAdmin)
}
