package zk_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// dial connects to the test server and closes the Conn when the test ends.
func dialConn(t *testing.T, connect string, opts ...zk.Option) *zk.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := zk.Dial(ctx, connect, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func opCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestConnBasicOps(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)

	require.NotZero(t, c.SessionID())
	require.Len(t, c.Password(), 16)
	require.Positive(t, c.SessionTimeout())
	require.Equal(t, zk.StateSyncConnected, c.State())
	require.NotEmpty(t, c.Server())

	p, err := c.Create(ctx, base, []byte("root"), zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	require.Equal(t, base, p)
	require.Positive(t, c.LastZxid())

	_, err = c.Create(ctx, base, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.ErrorIs(t, err, zk.ErrNodeExists)
	var opErr *zk.OpError
	require.ErrorAs(t, err, &opErr)
	require.Equal(t, "create", opErr.Op)
	require.Equal(t, base, opErr.Path)

	data, st, err := c.Get(ctx, base)
	require.NoError(t, err)
	require.Equal(t, "root", string(data))
	require.Equal(t, int32(0), st.Version)

	st, err = c.Set(ctx, base, []byte("v1"), 0)
	require.NoError(t, err)
	require.Equal(t, int32(1), st.Version)
	_, err = c.Set(ctx, base, []byte("v2"), 0)
	require.ErrorIs(t, err, zk.ErrBadVersion)

	ok, st, err := c.Exists(ctx, base)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, int32(2), st.DataLength)
	ok, st, err = c.Exists(ctx, base+"/missing")
	require.NoError(t, err)
	require.False(t, ok)
	require.Nil(t, st)

	_, _, err = c.Get(ctx, base+"/missing")
	require.ErrorIs(t, err, zk.ErrNoNode)

	// Create2, sequential, ephemeral, container.
	p2, st2, err := c.Create2(ctx, base+"/a", []byte("x"), zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	require.Equal(t, base+"/a", p2)
	require.Equal(t, int32(1), st2.DataLength)
	seq, err := c.Create(ctx, base+"/s-", nil, zk.ModePersistentSequential, zk.OpenACLUnsafe)
	require.NoError(t, err)
	require.Equal(t, base+"/s-0000000001", seq)
	eph, err := c.Create(ctx, base+"/e", nil, zk.ModeEphemeral, zk.OpenACLUnsafe)
	require.NoError(t, err)
	_, st, err = c.Get(ctx, eph)
	require.NoError(t, err)
	require.Equal(t, c.SessionID(), st.EphemeralOwner)
	cont, err := c.Create(ctx, base+"/c", nil, zk.ModeContainer, zk.OpenACLUnsafe)
	require.NoError(t, err)
	require.Equal(t, base+"/c", cont)
	_, err = c.Create(ctx, base+"/ttl", nil, zk.ModePersistentTTL, zk.OpenACLUnsafe)
	require.ErrorIs(t, err, zk.ErrBadArguments)

	kids, st, err := c.Children(ctx, base)
	require.NoError(t, err)
	slices.Sort(kids)
	require.Equal(t, []string{"a", "c", "e", "s-0000000001"}, kids)
	require.Equal(t, int32(4), st.NumChildren)

	n, err := c.AllChildrenNumber(ctx, base)
	require.NoError(t, err)
	require.Equal(t, int32(4), n)

	ephs, err := c.GetEphemerals(ctx, base)
	require.NoError(t, err)
	require.Equal(t, []string{eph}, ephs)

	acl, st, err := c.GetACL(ctx, base+"/a")
	require.NoError(t, err)
	require.Equal(t, zk.OpenACLUnsafe, acl)
	_, err = c.SetACL(ctx, base+"/a", zk.ReadACLUnsafe, st.Aversion)
	require.NoError(t, err)
	acl, _, err = c.GetACL(ctx, base+"/a")
	require.NoError(t, err)
	require.Equal(t, zk.ReadACLUnsafe, acl)
	_, err = c.Set(ctx, base+"/a", []byte("no"), -1)
	require.ErrorIs(t, err, zk.ErrNoAuth)

	sp, err := c.Sync(ctx, base)
	require.NoError(t, err)
	require.Equal(t, base, sp)

	require.ErrorIs(t, c.Delete(ctx, base, -1), zk.ErrNotEmpty)
	require.ErrorIs(t, c.Delete(ctx, base+"/a", 5), zk.ErrBadVersion)
	for _, k := range []string{"a", "c", "e", "s-0000000001"} {
		require.NoError(t, c.Delete(ctx, base+"/"+k, -1))
	}
	require.NoError(t, c.Delete(ctx, base, -1))
	require.ErrorIs(t, c.Delete(ctx, base, -1), zk.ErrNoNode)
}

func TestConnCreateTTL(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	p, st, err := c.CreateTTL(ctx, base, []byte("t"), zk.ModePersistentTTL, zk.OpenACLUnsafe, time.Hour)
	if errors.Is(err, zk.ErrUnimplemented) {
		t.Skip("server has TTL nodes disabled")
	}
	require.NoError(t, err)
	require.Equal(t, base, p)
	require.NotNil(t, st)
	_, _, err = c.CreateTTL(ctx, base+"/x", nil, zk.ModePersistent, zk.OpenACLUnsafe, time.Hour)
	require.ErrorIs(t, err, zk.ErrBadArguments)
	_, _, err = c.CreateTTL(ctx, base+"/x", nil, zk.ModePersistentTTL, zk.OpenACLUnsafe, 0)
	require.ErrorIs(t, err, zk.ErrBadArguments)
	require.NoError(t, c.Delete(ctx, base, -1))
}

func TestConnInvalidPaths(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	for _, p := range []string{"", "a", "/a/", "/a//b", "/a/./b", "/a/../b"} {
		_, err := c.Create(ctx, p, nil, zk.ModePersistent, zk.OpenACLUnsafe)
		require.ErrorIs(t, err, zk.ErrInvalidPath, p)
		_, _, err = c.Get(ctx, p)
		require.ErrorIs(t, err, zk.ErrInvalidPath, p)
		require.ErrorIs(t, c.Delete(ctx, p, -1), zk.ErrInvalidPath, p)
	}
	_, err := c.Create(ctx, "/x", nil, zk.ModePersistent, []zk.ACL{})
	require.ErrorIs(t, err, zk.ErrInvalidACL, "an empty ACL (nil means the default)")
}

func TestConnMultiAtomic(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	_, err := c.Create(ctx, base, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)

	res, err := c.Multi(ctx,
		zk.CreateOp(base+"/a", []byte("a"), zk.ModePersistent, zk.OpenACLUnsafe),
		zk.CreateOp(base+"/b", nil, zk.ModePersistent, zk.OpenACLUnsafe),
		zk.CheckOp(base, 0),
		zk.SetOp(base+"/a", []byte("a2"), 0),
	)
	require.NoError(t, err)
	require.Len(t, res, 4)
	require.Equal(t, base+"/a", res[0].Path)
	// ZooKeeper 3.8 answers a create2 inside a multi as a plain create (type 1,
	// no Stat), so the Stat is not checked here.
	require.Equal(t, int32(1), res[3].Stat.Version)

	// A failing check: nothing is applied.
	res, err = c.Multi(ctx,
		zk.CreateOp(base+"/c", nil, zk.ModePersistent, zk.OpenACLUnsafe),
		zk.DeleteOp(base+"/b", -1),
		zk.CheckOp(base+"/a", 99),
		zk.SetOp(base+"/a", []byte("never"), -1),
	)
	require.ErrorIs(t, err, zk.ErrBadVersion)
	require.Len(t, res, 4)
	require.ErrorIs(t, res[2].Err, zk.ErrBadVersion)
	require.ErrorIs(t, res[3].Err, zk.ErrRuntimeInconsistency)
	ok, _, err := c.Exists(ctx, base+"/c")
	require.NoError(t, err)
	require.False(t, ok, "create of a failed multi must not be applied")
	ok, _, err = c.Exists(ctx, base+"/b")
	require.NoError(t, err)
	require.True(t, ok, "delete of a failed multi must not be applied")
	data, _, err := c.Get(ctx, base+"/a")
	require.NoError(t, err)
	require.Equal(t, "a2", string(data))

	_, err = c.Multi(ctx, zk.DeleteOp(base+"/a", -1), zk.DeleteOp(base+"/b", -1), zk.DeleteOp(base, -1))
	require.NoError(t, err)
}

func TestConnChroot(t *testing.T) {
	srv := zktest.Server(t)
	root := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	_, err := root.Create(ctx, base, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)

	c := dialConn(t, srv.ConnectString()+base)
	p, err := c.Create(ctx, "/n", []byte("in"), zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	require.Equal(t, "/n", p)
	data, _, err := root.Get(ctx, base+"/n")
	require.NoError(t, err)
	require.Equal(t, "in", string(data))

	seq, err := c.Create(ctx, "/n/s-", nil, zk.ModeEphemeralSequential, zk.OpenACLUnsafe)
	require.NoError(t, err)
	require.Equal(t, "/n/s-0000000000", seq)
	ephs, err := c.GetEphemerals(ctx, "/")
	require.NoError(t, err)
	require.Equal(t, []string{seq}, ephs)
	kids, _, err := c.Children(ctx, "/")
	require.NoError(t, err)
	require.Equal(t, []string{"n"}, kids)
	sp, err := c.Sync(ctx, "/n")
	require.NoError(t, err)
	require.Equal(t, "/n", sp)
	res, err := c.Multi(ctx, zk.CreateOp("/m", nil, zk.ModePersistent, zk.OpenACLUnsafe))
	require.NoError(t, err)
	require.Equal(t, "/m", res[0].Path)

	// Watch events carry chroot-relative paths.
	_, _, ch, err := c.GetW(ctx, "/n")
	require.NoError(t, err)
	w, err := c.AddWatch(ctx, "/", zk.AddWatchPersistentRecursive)
	require.NoError(t, err)
	_, err = root.Set(ctx, base+"/n", []byte("x"), -1)
	require.NoError(t, err)
	ev := <-ch
	require.Equal(t, zk.Event{Type: zk.EventNodeDataChanged, State: zk.StateSyncConnected, Path: "/n"}, ev)
	ev = <-w.Events()
	require.Equal(t, zk.EventNodeDataChanged, ev.Type)
	require.Equal(t, "/n", ev.Path)
	require.NoError(t, w.Remove(ctx))
}
