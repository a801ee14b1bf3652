package zk_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// requireContainer checks that path is a container: once its child is
// deleted the server deletes it too. Persistent nodes in persist stay.
func requireContainer(t *testing.T, c *zk.Client, path string, persist ...string) {
	t.Helper()
	ctx := zktest.Context(t)
	var kids []string
	for _, p := range append([]string{path}, persist...) {
		_, err := c.Create(ctx, p+"/child", nil, zk.ModePersistent, nil)
		require.NoError(t, err)
		kids = append(kids, p+"/child")
	}
	for _, k := range kids {
		require.NoError(t, c.Delete(ctx, k, zk.AnyVersion))
	}
	zktest.Eventually(t, func() bool { return !zktest.Exists(t, c, path) }, path+" reaped as an empty container")
	for _, p := range persist {
		require.True(t, zktest.Exists(t, c, p), "%s is persistent", p)
	}
}

// EnsurePath and CreateParents make persistent parents (a container would be
// deleted by the server under the user); EnsureContainers and
// CreateParentContainers make containers.
func TestClientParentsPersistentOrContainers(t *testing.T) {
	ctx, c, root := zktest.Setup(t)
	require.NoError(t, c.EnsurePath(ctx, root))

	require.NoError(t, c.EnsurePath(ctx, root+"/p/q"))
	require.NoError(t, c.EnsureContainers(ctx, root+"/c/d"))
	require.NoError(t, c.EnsureContainers(ctx, root+"/c/d"), "idempotent")
	require.NoError(t, c.EnsurePath(ctx, root+"/p/q"), "idempotent")
	requireContainer(t, c, root+"/c/d", root+"/p/q")

	_, _, err := c.CreateWith(ctx, root+"/x/y/n", nil, zk.CreateOptions{CreateParents: true})
	require.NoError(t, err)
	_, _, err = c.CreateWith(ctx, root+"/k/l/n", nil, zk.CreateOptions{CreateParentContainers: true})
	require.NoError(t, err)
	require.NoError(t, c.Delete(ctx, root+"/x/y/n", zk.AnyVersion))
	require.NoError(t, c.Delete(ctx, root+"/k/l/n", zk.AnyVersion))
	requireContainer(t, c, root+"/k/l", root+"/x/y")

	_, _, err = c.CreateWith(ctx, root+"/z", nil, zk.CreateOptions{CreateParents: true, CreateParentContainers: true})
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
}

// The namespace node is made as Curator 5 makes it: a container.
func TestClientNamespaceNodesAreContainers(t *testing.T) {
	srv := zktest.Server(t)
	root := zktest.UniquePath(t)
	c := zktest.Connect(t, srv.ConnectString(), zk.WithNamespace(root[1:]+"/ns"))
	plain := zktest.Connect(t, srv.ConnectString())
	_, err := c.Create(zktest.Context(t), "/n", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	require.NoError(t, c.Delete(zktest.Context(t), "/n", zk.AnyVersion))
	zktest.Eventually(t, func() bool { return !zktest.Exists(t, plain, root+"/ns") }, "namespace container reaped")
}

func TestClientCreateOrSet(t *testing.T) {
	ctx, c, root := zktest.Setup(t)
	p := root + "/a/cfg"

	st, err := c.CreateOrSet(ctx, p, []byte("v1"), zk.CreateOptions{CreateParents: true})
	require.NoError(t, err)
	require.Equal(t, int32(0), st.Version, "created")
	st, err = c.CreateOrSet(ctx, p, []byte("v2"), zk.CreateOptions{})
	require.NoError(t, err)
	require.Equal(t, int32(1), st.Version, "set with AnyVersion")
	data, _, err := c.Get(ctx, p)
	require.NoError(t, err)
	require.Equal(t, "v2", string(data))

	_, err = c.CreateOrSet(ctx, p+"-", nil, zk.CreateOptions{Mode: zk.ModePersistentSequential})
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
	_, err = c.CreateOrSet(ctx, zktest.UniquePath(t)+"/missing/x", nil, zk.CreateOptions{})
	require.ErrorIs(t, err, zk.ErrNoNode, "no parents unless asked")
	require.Equal(t, int32(-1), zk.AnyVersion)
}

// makeTree creates root with children and grandchildren.
func makeTree(t *testing.T, c *zk.Client, root string, width int) {
	t.Helper()
	ctx := zktest.Context(t)
	require.NoError(t, c.EnsurePath(ctx, root))
	for i := range width {
		p := root + "/" + strings.Repeat("c", i+1)
		_, err := c.Create(ctx, p, nil, zk.ModePersistent, nil)
		require.NoError(t, err)
		for j := range 3 {
			_, err := c.Create(ctx, p+"/"+strings.Repeat("g", j+1), nil, zk.ModePersistent, nil)
			require.NoError(t, err)
		}
	}
}

func TestClientDeleteAll(t *testing.T) {
	ctx, c, root := zktest.Setup(t)
	makeTree(t, c, root+"/tree", 5)
	require.NoError(t, c.DeleteAll(ctx, root+"/tree"))
	require.False(t, zktest.Exists(t, c, root+"/tree"))
	require.True(t, zktest.Exists(t, c, root), "the parent stays")
	require.NoError(t, c.DeleteAll(ctx, root+"/tree"), "a missing path is not an error")
	require.ErrorIs(t, c.DeleteAll(ctx, "/"), zk.ErrInvalidArgument)
	require.ErrorIs(t, c.DeleteAll(ctx, "rel"), zk.ErrInvalidPath)
}

// Names long enough that one multi of all the deletes would be larger
// than the server's packet limit: DeleteAll must split them. (Each parent's
// list of children must fit in one packet too, so they are spread.)
func TestClientDeleteAllBatchesUnderPacketLimit(t *testing.T) {
	ctx, c, root := zktest.Setup(t)
	long := strings.Repeat("n", 8000)
	for _, dir := range []string{"/a", "/b", "/c", "/d"} {
		require.NoError(t, c.EnsurePath(ctx, root+dir))
		for i := range 40 { // 4 * 40 * 8 KB = 1.3 MB of paths
			_, err := c.Create(ctx, root+dir+"/"+long+strconv.Itoa(i), nil, zk.ModePersistent, nil)
			require.NoError(t, err)
		}
	}
	require.NoError(t, c.DeleteAll(ctx, root))
	require.False(t, zktest.Exists(t, c, root))
}

// Two DeleteAlls of one tree at once: nodes vanish under each of them.
func TestClientDeleteAllConcurrent(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	a := zktest.Connect(t, srv.ConnectString())
	b := zktest.Connect(t, srv.ConnectString())
	root := zktest.UniquePath(t)
	makeTree(t, a, root, 30)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, c := range []*zk.Client{a, b} {
		wg.Go(func() { errs[i] = c.DeleteAll(ctx, root) })
	}
	wg.Wait()
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	require.False(t, zktest.Exists(t, a, root))
}
