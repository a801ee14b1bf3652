package cache

import (
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
)

// The session keeps a one-shot watch until it fires: after Close, the
// cache's callback watches must not keep its tree reachable.
func TestOneShotCacheClosedIsCollectable(t *testing.T) {
	srv := zktest.Server(t)
	c := zktest.Connect(t, srv.ConnectString())
	ctx := zktest.Context(t)
	p := zktest.UniquePath(t)
	require.NoError(t, createTree(ctx, c, []string{p, p + "/a", p + "/b"}, nil, 1))
	t.Cleanup(func() { _ = deleteAll(ctx, c, []string{p, p + "/a", p + "/b"}) })

	var collected atomic.Bool
	func() {
		tc := mustTree(t, c, p, WithWatchMode(WatchOneShot))
		require.NoError(t, tc.Start(ctx))
		require.Equal(t, 3, tc.Len())
		runtime.AddCleanup(tc.e, func(b *atomic.Bool) { b.Store(true) }, &collected)
		require.NoError(t, tc.Close())
	}()
	zktest.Eventually(t, func() bool {
		runtime.GC()
		return collected.Load()
	}, "the closed cache's engine collected while its watches are still set")
}
