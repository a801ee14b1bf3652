package nodes_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/nodes"
	"github.com/zkcurator/zkcurator/zk"
)

func TestGroupMembers(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	group := zktest.UniquePath(t) + "/group"
	a, err := nodes.NewGroupMember(zktest.Connect(t, srv.ConnectString()), group, "a", []byte("pa"))
	require.NoError(t, err)
	defer a.Close()
	b, err := nodes.NewGroupMember(zktest.Connect(t, srv.ConnectString()), group, "b", []byte("pb"))
	require.NoError(t, err)
	require.NoError(t, a.Start(ctx))
	require.NoError(t, b.Start(ctx))
	require.NoError(t, a.WaitForJoin(ctx))
	require.NoError(t, b.WaitForJoin(ctx))

	want := map[string][]byte{"a": []byte("pa"), "b": []byte("pb")}
	zktest.Eventually(t, func() bool { return equalMembers(a.Members(), want) && equalMembers(b.Members(), want) }, "both see both")

	require.NoError(t, b.SetPayload(ctx, []byte("pb2")))
	zktest.Eventually(t, func() bool { return string(a.Members()["b"]) == "pb2" }, "a sees b's new payload")

	require.NoError(t, b.Close())
	require.NoError(t, b.Close())
	zktest.Eventually(t, func() bool { return equalMembers(a.Members(), map[string][]byte{"a": []byte("pa")}) }, "b left")
	require.ErrorIs(t, b.SetPayload(ctx, nil), zk.ErrClosed)
	require.ErrorIs(t, b.Start(ctx), zk.ErrClosed)
	require.Nil(t, b.Members(), "a closed member no longer follows the group")
}

func equalMembers(got, want map[string][]byte) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if string(got[k]) != string(v) {
			return false
		}
	}
	return true
}

func TestGroupMemberValidation(t *testing.T) {
	c := zktest.Connect(t, zktest.Server(t).ConnectString())
	// "." and ".." were joined with path.Join: ".." made the member's
	// node the root's parent's ("/"), "." the group node itself.
	for _, id := range []string{"", "a/b", ".", ".."} {
		_, err := nodes.NewGroupMember(c, "/g", id, nil)
		require.ErrorIs(t, err, zk.ErrInvalidArgument, "id %q", id)
	}
	_, err := nodes.NewGroupMember(c, "g", "a", nil)
	require.ErrorIs(t, err, zk.ErrInvalidPath)
	_, err = nodes.NewGroupMember(nil, "/g", "a", nil)
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
}

// A TTLNode keeps its TTL node alive through its touched child; after Close
// the server deletes both by itself.
func TestTTLNode(t *testing.T) {
	ctx, c, root := zktest.Setup(t)
	p := root + "/ttl"
	// The child is touched every ttl/2 and the server deletes it once a
	// check finds it older than ttl, so a touch late by ttl/2 loses the
	// node. With 300ms that is 150ms, about the longest timer delay a -race
	// binary on a loaded two-core machine showed (137ms within a minute);
	// 1s leaves 500ms.
	const ttl = time.Second

	n, err := nodes.NewTTLNode(c, p, ttl, []byte("d"))
	require.NoError(t, err)
	require.NoError(t, n.Start())
	require.NoError(t, n.WaitForInitialCreate(ctx))
	zktest.Eventually(t, func() bool { return zktest.Exists(t, c, p+"/"+nodes.DefaultTouchName) }, "touch child created")
	_, st, err := c.Exists(ctx, p)
	require.NoError(t, err)
	czxid := st.Czxid
	// Well past the TTL the node is still the same one: the touch kept it.
	deadline := time.Now().Add(4 * ttl)
	for time.Now().Before(deadline) {
		_, st, err := c.Exists(ctx, p)
		require.NoError(t, err)
		require.NotNil(t, st)
		require.Equal(t, czxid, st.Czxid, "TTL node kept alive")
		_, _, ch, err := c.GetW(ctx, p+"/"+nodes.DefaultTouchName)
		if err == nil {
			select {
			case <-ch:
			case <-time.After(ttl):
			}
		}
	}
	require.NoError(t, n.Close())
	require.NoError(t, n.Close())
	require.True(t, zktest.Exists(t, c, p), "Close deletes nothing")
	zktest.Eventually(t, func() bool { return !zktest.Exists(t, c, p) }, "server deletes the TTL node after Close")

	_, err = nodes.NewTTLNode(c, p, 0, nil)
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
	_, err = nodes.NewTTLNode(c, p, time.Second, nil, nodes.WithProtection(true))
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
}
