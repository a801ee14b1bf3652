package zk_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// guaranteedDeleteAcrossRecreate makes /gd with one client, starts a
// guaranteed delete of it while that client is cut off (so the first
// attempt fails and the delete is retried in the background), has a second
// client delete /gd and make it again before the retry can run, and waits
// for the guaranteed delete to finish. It returns the second node's Stat
// and whether a node is at /gd in the end, and its Stat.
func guaranteedDeleteAcrossRecreate(t *testing.T, opts func(st *zk.Stat) []zk.DeleteOption) (made, left *zk.Stat) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	c, rec := zktest.ConnectCuttable(t, srv.ConnectString())
	other, _ := zktest.ConnectRecorded(t, srv.ConnectString())
	_, st, err := c.CreateWith(ctx, "/gd", nil, zk.CreateOptions{Mode: zk.ModePersistent})
	require.NoError(t, err)

	// Cut c off until the node is made again: no retry can run before.
	zktest.CutOff(t, srv, c, rec, time.Minute)
	done, err := c.DeleteGuaranteed(ctx, "/gd", zk.AnyVersion, opts(st)...)
	require.Error(t, err, "the first attempt fails while no server answers")
	select {
	case <-done:
		t.Fatal("done before any delete happened")
	default:
	}

	// The node is deleted and made again at the same path meanwhile.
	require.NoError(t, other.Delete(ctx, "/gd", zk.AnyVersion))
	_, made, err = other.CreateWith(ctx, "/gd", nil, zk.CreateOptions{Mode: zk.ModePersistent})
	require.NoError(t, err)
	require.NotEqual(t, st.Czxid, made.Czxid)
	srv.RejectConnections(0)

	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("guaranteed delete never completed")
	}
	ok, left, err := other.Exists(ctx, "/gd")
	require.NoError(t, err)
	if !ok {
		left = nil
	}
	return made, left
}

// TestClientGuaranteedDeleteOnlyIncarnationSparesNodeMadeAgain: a retried
// guaranteed delete with OnlyIncarnation leaves alone the node made again
// at the path after the one it was for was deleted.
func TestClientGuaranteedDeleteOnlyIncarnationSparesNodeMadeAgain(t *testing.T) {
	made, left := guaranteedDeleteAcrossRecreate(t, func(st *zk.Stat) []zk.DeleteOption {
		return []zk.DeleteOption{zk.OnlyIncarnation(st.Czxid)}
	})
	require.NotNil(t, left, "the node made again must survive the retry")
	require.Equal(t, made.Czxid, left.Czxid)
}

// TestClientGuaranteedDeleteAnyIncarnationDeletesNodeMadeAgain: the
// contrast, and the behaviour kept without the option: the retry deletes
// whatever node is at the path by then.
func TestClientGuaranteedDeleteAnyIncarnationDeletesNodeMadeAgain(t *testing.T) {
	_, left := guaranteedDeleteAcrossRecreate(t, func(*zk.Stat) []zk.DeleteOption { return nil })
	require.Nil(t, left, "without OnlyIncarnation the retry deletes the new node")
}

// TestClientGuaranteedDeleteOnlyIncarnation: without faults (so it runs on
// a real server too, ZKCURATOR_TEST_SERVER=real), the option
// deletes the node it names, leaves another incarnation, treats a missing
// node as done, and keeps a given version's check.
func TestClientGuaranteedDeleteOnlyIncarnation(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	c, _ := zktest.ConnectRecorded(t, srv.ConnectString())
	n := zktest.UniquePath(t) + "/n"
	_, st, err := c.CreateWith(ctx, n, []byte("a"), zk.CreateOptions{Mode: zk.ModePersistent, CreateParents: true})
	require.NoError(t, err)
	_, err = c.Set(ctx, n, []byte("b"), zk.AnyVersion)
	require.NoError(t, err)

	_, err = c.DeleteGuaranteed(ctx, n, 0, zk.OnlyIncarnation(st.Czxid))
	require.ErrorIs(t, err, zk.ErrBadVersion, "a given version is still checked")
	_, err = c.DeleteGuaranteed(ctx, n, zk.AnyVersion, zk.OnlyIncarnation(st.Czxid+1000))
	require.NoError(t, err, "another incarnation: nothing to delete")
	ok, _, err := c.Exists(ctx, n)
	require.NoError(t, err)
	require.True(t, ok, "another incarnation is left alone")

	done, err := c.DeleteGuaranteed(ctx, n, 1, zk.OnlyIncarnation(st.Czxid))
	require.NoError(t, err)
	zktest.Recv(t, done)
	ok, _, err = c.Exists(ctx, n)
	require.NoError(t, err)
	require.False(t, ok, "the named incarnation is deleted")
	_, err = c.DeleteGuaranteed(ctx, n, zk.AnyVersion, zk.OnlyIncarnation(st.Czxid))
	require.NoError(t, err, "a missing node is done")
	done, err = c.DeleteGuaranteed(ctx, n, zk.AnyVersion, nil)
	require.ErrorIs(t, err, zk.ErrInvalidArgument, "a nil option fails the call")
	zktest.Recv(t, done)
}
