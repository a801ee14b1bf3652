package cache

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// A parent with more than 65,535 children (CURATOR-374, CURATOR-690).
// Short names keep the getChildren reply under the 1 MiB frame limit.
func TestChildrenCacheHugeParent(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 70,000 nodes")
	}
	const n = 70_000
	srv := zktest.Server(t)
	c := zktest.Connect(t, srv.ConnectString())
	// Creating, reading and deleting 70,000 nodes takes more than
	// Context's minute on a loaded machine under -race (the run on record
	// failed in Start after 79s); the bound is the binary's -timeout.
	ctx := zktest.BulkContext(t)
	p := zktest.UniquePath(t)
	paths := []string{p}
	for i := range n {
		paths = append(paths, fmt.Sprintf("%s/%x", p, i))
	}
	require.NoError(t, createTree(ctx, c, paths, []byte("v"), 512))
	t.Cleanup(func() {
		// Leave a shared real server clean; pipelined like the creates.
		_ = deleteAll(ctx, c, paths)
	})

	cc := mustChildren(t, c, p, WithConcurrency(256))
	rec := newRecorder(cc.Listen)
	require.NoError(t, cc.Start(ctx))
	defer cc.Close()
	require.Len(t, cc.Names(), n)
	require.Equal(t, n, rec.count(NodeCreated))

	gone := fmt.Sprintf("%s/%x", p, 7)
	require.NoError(t, c.Delete(ctx, gone, -1))
	_, err := c.Create(ctx, p+"/new", []byte("x"), zk.ModePersistent, nil)
	require.NoError(t, err)
	// A connection drop on a loaded machine (seen on a real server under
	// -race) makes the cache re-read all n nodes before it reports the
	// changes, which takes as long as Start did: wait for the cache within
	// the test's budget, polling two lookups rather than formatting n
	// recorded events every few milliseconds, then for the two events.
	zktest.EventuallyCtx(t, ctx, func() bool {
		_, old := cc.Get(gone)
		_, made := cc.Get(p + "/new")
		return !old && made
	}, "the cache to drop "+gone+" and add "+p+"/new")
	rec.waitAll(t, "NodeDeleted "+gone, "NodeCreated "+p+"/new")
	require.Len(t, cc.Names(), n)
}
