package cache

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

func TestTreeCacheFallback35(t *testing.T) {
	ctx, _, c, p := zktest.SetupEmbedded(t, testserver.WithVersion("3.5"))
	require.NoError(t, createTree(ctx, c, []string{p, p + "/a", p + "/a/b"}, []byte("x"), 4))

	tc := mustTree(t, c, p)
	rec := newRecorder(tc.Listen)
	require.NoError(t, tc.Start(ctx))
	defer tc.Close()
	require.Equal(t, WatchOneShot, tc.Mode())
	require.Equal(t, 3, tc.Len())

	_, err := c.Create(ctx, p+"/a/b/c", []byte("1"), zk.ModePersistent, nil)
	require.NoError(t, err)
	_, err = c.Set(ctx, p+"/a", []byte("2"), -1)
	require.NoError(t, err)
	rec.waitFor(t, "NodeCreated "+p+"/a/b/c")
	_, err = c.Set(ctx, p+"/a", []byte("3"), -1) // the watch was re-armed
	require.NoError(t, err)
	require.NoError(t, c.Delete(ctx, p+"/a/b/c", -1))
	rec.waitFor(t, "NodeCreated "+p+"/a/b/c", "NodeDeleted "+p+"/a/b/c")
	zktest.Eventually(t, func() bool { n, _ := tc.Get(p + "/a"); return string(n.Data) == "3" }, "data 3")

	requireMatchesServer(t, ctx, c, p, tc, rec)

	// A persistent watch cannot be forced on 3.5.
	tc2 := mustTree(t, c, p, WithWatchMode(WatchPersistent))
	defer tc2.Close()
	require.ErrorIs(t, tc2.Start(ctx), zk.ErrUnimplemented)
}

// While the cache's client is away (connection dropped, or session
// expired) another client deletes and re-creates a node, changes one,
// deletes one and creates one. The resync reports exactly that.
func TestTreeCacheResync(t *testing.T) {
	for _, version := range []string{"3.8", "3.5"} {
		for _, mode := range []WatchMode{WatchAuto, WatchOneShot} {
			if version == "3.5" && mode == WatchOneShot {
				continue
			}
			for _, fault := range []string{"drop", "expire"} {
				t.Run(fmt.Sprintf("%s/%s/%s", version, mode, fault), func(t *testing.T) {
					testResync(t, version, mode, fault)
				})
			}
		}
	}
}

func testResync(t *testing.T, version string, mode WatchMode, fault string) {
	srv := zktest.Embedded(t, testserver.WithVersion(version))
	c := zktest.Connect(t, srv.ConnectString())
	w := zktest.Connect(t, srv.ConnectString())
	ctx := zktest.Context(t)
	p := zktest.UniquePath(t)
	require.NoError(t, createTree(ctx, w, []string{p, p + "/a", p + "/b", p + "/b/x", p + "/keep"}, []byte("v1"), 4))

	tc := mustTree(t, c, p, WithWatchMode(mode))
	rec := newRecorder(tc.Listen)
	require.NoError(t, tc.Start(ctx))
	defer tc.Close()
	oldA, _ := tc.Get(p + "/a")

	suspended := rec.count(Suspended) // 3.5: addWatch made the server close the connection once
	srv.RejectConnections(time.Minute)
	sid := c.SessionID()
	if fault == "drop" {
		require.True(t, srv.DropSession(sid))
	} else {
		require.True(t, srv.ExpireSession(sid))
	}
	rec.waitType(t, Suspended, suspended+1)
	before := len(rec.events())

	require.NoError(t, w.Delete(ctx, p+"/a", -1))
	_, err := w.Create(ctx, p+"/a", []byte("v2"), zk.ModePersistent, nil)
	require.NoError(t, err)
	_, err = w.Set(ctx, p+"/b", []byte("v2"), -1)
	require.NoError(t, err)
	require.NoError(t, w.Delete(ctx, p+"/b/x", -1))
	_, err = w.Create(ctx, p+"/c", []byte("v2"), zk.ModePersistent, nil)
	require.NoError(t, err)

	synced := rec.count(Synced)
	srv.RejectConnections(0)
	rec.waitType(t, Synced, synced+1)
	if fault == "expire" {
		require.Equal(t, 1, rec.count(Lost))
		require.NotEqual(t, sid, c.SessionID())
	}

	var diff []string
	for _, ev := range rec.events()[before:] {
		if ev.Type.IsNode() {
			diff = append(diff, ev.Type.String()+" "+ev.Path)
		}
	}
	require.ElementsMatch(t, []string{
		"NodeDeleted " + p + "/a", "NodeCreated " + p + "/a",
		"NodeChanged " + p + "/b",
		"NodeDeleted " + p + "/b/x",
		"NodeCreated " + p + "/c",
	}, diff)
	require.True(t, containsInOrder(diff, []string{"NodeDeleted " + p + "/a", "NodeCreated " + p + "/a"}))
	newA, ok := tc.Get(p + "/a")
	require.True(t, ok)
	require.Greater(t, newA.Stat.Czxid, oldA.Stat.Czxid)
	require.Equal(t, "v2", string(newA.Data))

	requireMatchesServer(t, ctx, w, p, tc, rec)

	// The watches work again after the resync.
	_, err = w.Set(ctx, p+"/keep", []byte("v3"), -1)
	require.NoError(t, err)
	rec.waitFor(t, "NodeChanged "+p+"/keep")
}
