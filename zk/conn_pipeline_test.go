package zk_test

import (
	"context"
	"path"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/zk"
)

func TestConnCreateAndList(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	_, err := c.Create(ctx, base, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	_, err = c.Create(ctx, base+"/other", nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)

	p, st, kids, cerr, lerr := c.CreateAndList(ctx, base+"/n-", []byte("x"), zk.ModeEphemeralSequential, zk.OpenACLUnsafe)
	require.NoError(t, cerr)
	require.NoError(t, lerr)
	require.Equal(t, c.SessionID(), st.EphemeralOwner)
	slices.Sort(kids)
	require.Equal(t, []string{path.Base(p), "other"}, kids, "the list is read after the create")

	// A failed create: its error, and no children.
	_, _, kids, cerr, _ = c.CreateAndList(ctx, base+"/other", nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.ErrorIs(t, cerr, zk.ErrNodeExists)
	require.Nil(t, kids)
	_, _, _, cerr, _ = c.CreateAndList(ctx, base+"/missing/n", nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.ErrorIs(t, cerr, zk.ErrNoNode)

	// Bad input is refused before anything is sent.
	_, _, _, cerr, lerr = c.CreateAndList(ctx, "bad", nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.ErrorIs(t, cerr, zk.ErrInvalidPath)
	require.ErrorIs(t, lerr, zk.ErrInvalidPath)
	_, _, _, cerr, _ = c.CreateAndList(ctx, base+"/t", nil, zk.ModePersistentTTL, zk.OpenACLUnsafe)
	require.ErrorIs(t, cerr, zk.ErrBadArguments)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, _, _, cerr, lerr = c.CreateAndList(cctx, base+"/c", nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.ErrorIs(t, cerr, context.Canceled)
	require.ErrorIs(t, lerr, context.Canceled)
}

func TestConnCreateAndListChroot(t *testing.T) {
	srv := zktest.Server(t)
	base := zktest.UniquePath(t)
	plain := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	_, err := plain.Create(ctx, base, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	c := dialConn(t, srv.ConnectString()+base)
	p, _, kids, cerr, lerr := c.CreateAndList(ctx, "/a", nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, cerr)
	require.NoError(t, lerr)
	require.Equal(t, "/a", p)
	require.Equal(t, []string{"a"}, kids)
}

func TestClientCreateAndList(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	root := zktest.UniquePath(t)
	c := zktest.Connect(t, srv.ConnectString())

	// Parents missing: made as with CreateWith, then listed.
	p, st, kids, err := c.CreateAndList(ctx, root+"/locks/lock-", nil, zk.CreateOptions{
		Mode: zk.ModeEphemeralSequential, Protected: true, CreateParents: true})
	require.NoError(t, err)
	require.Equal(t, c.SessionID(), st.EphemeralOwner)
	require.Equal(t, []string{path.Base(p)}, kids)
	require.Regexp(t, `^_c_[0-9a-f-]{36}-lock-\d{10}$`, kids[0])

	// Parents present: one pipelined round trip; the list has both nodes.
	p2, _, kids, err := c.CreateAndList(ctx, root+"/locks/lock-", nil, zk.CreateOptions{
		Mode: zk.ModeEphemeralSequential, Protected: true})
	require.NoError(t, err)
	slices.Sort(kids)
	want := []string{path.Base(p), path.Base(p2)}
	slices.Sort(want)
	require.Equal(t, want, kids)

	_, _, _, err = c.CreateAndList(ctx, root+"/locks", nil, zk.CreateOptions{Mode: zk.ModePersistent})
	require.ErrorIs(t, err, zk.ErrNodeExists)
}

func TestClientCreateAndListNamespace(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	ns := zktest.UniquePath(t)[1:] + "/app"
	c := zktest.Connect(t, srv.ConnectString(), zk.WithNamespace(ns))
	p, _, kids, err := c.CreateAndList(ctx, "/a/n", nil, zk.CreateOptions{Mode: zk.ModePersistent, CreateParents: true})
	require.NoError(t, err)
	require.Equal(t, "/a/n", p)
	require.Equal(t, []string{"n"}, kids)
	p, _, kids, err = c.CreateAndList(ctx, "/a/m", nil, zk.CreateOptions{Mode: zk.ModePersistent})
	require.NoError(t, err)
	require.Equal(t, "/a/m", p)
	slices.Sort(kids)
	require.Equal(t, []string{"m", "n"}, kids)
}

func TestClientCreateAndListAcrossLostReply(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	c := zktest.Connect(t, srv.ConnectString(), zk.WithRetryPolicy(retry.NTimes(5, 10*time.Millisecond)))
	require.NoError(t, c.EnsurePath(ctx, "/locks"))
	// The create is applied, then the connection drops before either reply.
	srv.DropAfterApply(jute.OpCreate2)
	p, st, kids, err := c.CreateAndList(ctx, "/locks/lock-", nil, zk.CreateOptions{
		Mode: zk.ModeEphemeralSequential, Protected: true})
	require.NoError(t, err)
	require.Equal(t, []string{path.Base(p)}, kids, "exactly one node, found again instead of leaked")
	require.Equal(t, c.SessionID(), st.EphemeralOwner)
}
