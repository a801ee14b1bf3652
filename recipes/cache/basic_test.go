package cache

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

func TestNodeCache(t *testing.T) {
	ctx, c, p := zktest.Setup(t)

	nc := mustNode(t, c, p)
	rec := newRecorder(nc.Listen)
	require.NoError(t, nc.Start(ctx))
	defer nc.Close()
	_, ok := nc.Get()
	require.False(t, ok)
	require.Equal(t, []string{"Initialized"}, rec.eventStrings())

	_, err := c.Create(ctx, p, []byte("a"), zk.ModePersistent, nil)
	require.NoError(t, err)
	rec.waitFor(t, "NodeCreated "+p)
	n, ok := nc.Get()
	require.True(t, ok)
	require.Equal(t, "a", string(n.Data))

	_, err = c.Set(ctx, p, []byte("b"), -1)
	require.NoError(t, err)
	rec.waitFor(t, "NodeCreated "+p, "NodeChanged "+p)
	n, _ = nc.Get()
	require.Equal(t, "b", string(n.Data))
	require.EqualValues(t, 1, n.Stat.Version)

	// A child does not concern a node cache.
	_, err = c.Create(ctx, p+"/kid", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	require.NoError(t, c.Delete(ctx, p+"/kid", -1))
	require.NoError(t, c.Delete(ctx, p, -1))
	rec.waitFor(t, "NodeCreated "+p, "NodeChanged "+p, "NodeDeleted "+p)
	_, ok = nc.Get()
	require.False(t, ok)

	_, err = c.Create(ctx, p, []byte("c"), zk.ModePersistent, nil)
	require.NoError(t, err)
	rec.waitFor(t, "NodeDeleted "+p, "NodeCreated "+p)
	require.Equal(t, []string{"NodeCreated " + p, "NodeChanged " + p, "NodeDeleted " + p, "NodeCreated " + p}, rec.nodeEvents())
	require.NoError(t, nc.Close())
	require.NoError(t, nc.Close())
	require.ErrorIs(t, nc.Start(ctx), ErrClosed)
}

func TestChildrenCache(t *testing.T) {
	ctx, c, p := zktest.Setup(t)
	require.NoError(t, createTree(ctx, c, []string{p, p + "/a", p + "/b", p + "/a/deep"}, []byte("x"), 8))

	cc := mustChildren(t, c, p)
	rec := newRecorder(cc.Listen)
	require.NoError(t, cc.Start(ctx))
	defer cc.Close()
	require.Equal(t, []string{"a", "b"}, cc.Names())
	require.ElementsMatch(t, []string{"NodeCreated " + p + "/a", "NodeCreated " + p + "/b"}, rec.nodeEvents())
	_, ok := cc.Get(p)
	require.False(t, ok, "the parent is not part of a children cache")
	_, ok = cc.Get(p + "/a/deep")
	require.False(t, ok)

	_, err := c.Create(ctx, p+"/c", []byte("1"), zk.ModePersistent, nil)
	require.NoError(t, err)
	_, err = c.Set(ctx, p+"/a", []byte("2"), -1)
	require.NoError(t, err)
	_, err = c.Set(ctx, p+"/a/deep", []byte("ignored"), -1)
	require.NoError(t, err)
	require.NoError(t, c.Delete(ctx, p+"/b", -1))
	rec.waitAll(t, "NodeCreated "+p+"/c", "NodeChanged "+p+"/a", "NodeDeleted "+p+"/b")
	require.Equal(t, []string{"a", "c"}, cc.Names())
	n, _ := cc.Get(p + "/a")
	require.Equal(t, "2", string(n.Data))
	for _, s := range rec.nodeEvents() {
		require.NotContains(t, s, "deep")
		require.NotEqual(t, "NodeChanged "+p, s)
	}
	got := map[string]string{}
	for path, n := range cc.All() {
		got[path] = string(n.Data)
	}
	require.Equal(t, map[string]string{p + "/a": "2", p + "/c": "1"}, got)
}

func TestTreeCacheBasics(t *testing.T) {
	ctx, c, p := zktest.Setup(t)
	require.NoError(t, createTree(ctx, c, []string{p, p + "/a", p + "/a/b", p + "/a/b/c", p + "/d"}, []byte("x"), 8))

	tc := mustTree(t, c, p)
	rec := newRecorder(tc.Listen)
	require.NoError(t, tc.Start(ctx))
	defer tc.Close()
	evs := rec.eventStrings()
	require.Equal(t, "Initialized", evs[len(evs)-1])
	require.Len(t, evs, 6)
	require.Equal(t, 5, tc.Len())
	require.Equal(t, []string{"a", "d"}, tc.Children(p))

	// Parents come before children in All.
	seen := map[string]bool{}
	for path := range tc.All() {
		if path != p {
			require.True(t, seen[zk.ParentPath(path)], "%s before its parent", path)
		}
		seen[path] = true
	}

	_, err := c.Create(ctx, p+"/a/b/c/e", []byte("new"), zk.ModePersistent, nil)
	require.NoError(t, err)
	_, err = c.Set(ctx, p+"/a/b", []byte("changed"), -1)
	require.NoError(t, err)
	rec.waitAll(t, "NodeCreated "+p+"/a/b/c/e", "NodeChanged "+p+"/a/b")
	n, ok := tc.Get(p + "/a/b/c/e")
	require.True(t, ok)
	require.Equal(t, "new", string(n.Data))

	// Delete the subtree bottom-up; the parent goes last.
	for _, q := range []string{p + "/a/b/c/e", p + "/a/b/c", p + "/a/b", p + "/a"} {
		require.NoError(t, c.Delete(ctx, q, -1))
	}
	rec.waitFor(t, "NodeDeleted "+p+"/a/b/c/e", "NodeDeleted "+p+"/a/b/c", "NodeDeleted "+p+"/a/b", "NodeDeleted "+p+"/a")
	require.Equal(t, []string{"d"}, tc.Children(p))

	want, err := readTree(ctx, c, p, -1)
	require.NoError(t, err)
	zktest.Eventually(t, func() bool { return len(cacheTree(tc.All())) == len(want) }, "cache == server")
	requireMatchesServer(t, ctx, c, p, tc, rec)
	require.ErrorIs(t, tc.Start(ctx), ErrStarted)
}

func TestTreeCacheDepthFilterNoData(t *testing.T) {
	ctx, c, p := zktest.Setup(t)
	require.NoError(t, createTree(ctx, c, []string{p, p + "/a", p + "/a/b", p + "/a/b/c", p + "/skip", p + "/skip/x"}, []byte("data"), 8))

	tc := mustTree(t, c, p, WithMaxDepth(2), WithData(false),
		WithFilter(func(path string) bool { return path != p+"/skip" }))
	rec := newRecorder(tc.Listen)
	require.NoError(t, tc.Start(ctx))
	defer tc.Close()
	var paths []string
	for path, n := range tc.All() {
		paths = append(paths, path)
		require.Nil(t, n.Data)
		require.EqualValues(t, 4, n.Stat.DataLength)
	}
	require.ElementsMatch(t, []string{p, p + "/a", p + "/a/b"}, paths)

	_, err := c.Create(ctx, p+"/a/b/c/too-deep", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	_, err = c.Create(ctx, p+"/skip/y", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	_, err = c.Create(ctx, p+"/a/ok", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	rec.waitFor(t, "NodeCreated "+p+"/a/ok")
	for _, s := range rec.nodeEvents() {
		require.NotContains(t, s, "skip")
		require.NotContains(t, s, "deep")
	}
}

// The root may be missing at Start, and be deleted and re-created.
func TestTreeCacheMissingRoot(t *testing.T) {
	for _, mode := range []WatchMode{WatchAuto, WatchOneShot} {
		t.Run(mode.String(), func(t *testing.T) {
			srv := zktest.Server(t)
			c := zktest.Connect(t, srv.ConnectString())
			ctx := zktest.Context(t)
			p := zktest.UniquePath(t)
			tc := mustTree(t, c, p, WithWatchMode(mode))
			rec := newRecorder(tc.Listen)
			require.NoError(t, tc.Start(ctx))
			defer tc.Close()
			require.Equal(t, 0, tc.Len())
			require.NoError(t, createTree(ctx, c, []string{p, p + "/a"}, nil, 1))
			rec.waitFor(t, "NodeCreated "+p, "NodeCreated "+p+"/a")
			require.NoError(t, c.Delete(ctx, p+"/a", -1))
			require.NoError(t, c.Delete(ctx, p, -1))
			rec.waitFor(t, "NodeDeleted "+p+"/a", "NodeDeleted "+p)
			require.NoError(t, createTree(ctx, c, []string{p, p + "/b"}, nil, 1))
			rec.waitFor(t, "NodeDeleted "+p, "NodeCreated "+p, "NodeCreated "+p+"/b")
			got, err := replay(rec.events())
			require.NoError(t, err)
			want, err := readTree(ctx, c, p, -1)
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
}
