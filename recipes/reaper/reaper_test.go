package reaper

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/election"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

const threshold = 150 * time.Millisecond

func mkdirs(t *testing.T, c *zk.Client, paths ...string) {
	t.Helper()
	for _, p := range paths {
		require.NoError(t, c.EnsurePath(zktest.Context(t), p))
	}
}

// An empty path is deleted after it stayed empty; one with children is
// not; ReapUntilDelete stops watching after its delete, ReapIndefinitely
// deletes the path again when it comes back.
func TestReaperDeletesEmptyPaths(t *testing.T) {
	_, c, base := zktest.Setup(t)
	empty, full, once := base+"/empty", base+"/full", base+"/once"
	mkdirs(t, c, empty, full+"/child", once)

	r, err := New(c, WithThreshold(threshold))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, r.Close()) })
	require.NoError(t, r.AddPath(empty, ReapIndefinitely))
	require.NoError(t, r.AddPath(full, ReapIndefinitely))
	require.NoError(t, r.AddPath(once, ReapUntilDelete))
	require.ErrorIs(t, r.AddPath("bad", ReapIndefinitely), zk.ErrInvalidPath)
	require.NoError(t, r.Start(zktest.Context(t)))
	require.ErrorIs(t, r.Start(zktest.Context(t)), ErrStarted)

	zktest.Eventually(t, func() bool { return !zktest.Exists(t, c, empty) && !zktest.Exists(t, c, once) }, "empty paths reaped")
	require.True(t, zktest.Exists(t, c, full), "a path with children was reaped")
	require.Equal(t, 2, r.Paths(), "ReapUntilDelete still watched")

	mkdirs(t, c, empty)
	zktest.Eventually(t, func() bool { return !zktest.Exists(t, c, empty) }, "re-created path reaped again")

	require.NoError(t, r.Close())
	require.NoError(t, r.Close())
	require.ErrorIs(t, r.AddPath(empty, ReapIndefinitely), zk.ErrClosed)
}

// A path that gets a child before its third empty check stays.
func TestReaperLeavesReusedPath(t *testing.T) {
	ctx, c, base := zktest.Setup(t)
	p := base + "/lock"
	mkdirs(t, c, p)
	r, err := New(c, WithThreshold(time.Hour)) // never on its own
	require.NoError(t, err)
	require.NoError(t, r.AddPath(p, ReapUntilGone))
	r.check(ctx, p)
	r.check(ctx, p)
	mkdirs(t, c, p+"/holder")
	r.check(ctx, p)
	r.check(ctx, p)
	require.True(t, zktest.Exists(t, c, p))
	require.NoError(t, c.Delete(ctx, p+"/holder", zk.AnyVersion))
	for range emptyChecks {
		r.check(ctx, p)
	}
	require.False(t, zktest.Exists(t, c, p))
	r.check(ctx, p)
	require.Zero(t, r.Paths(), "ReapUntilGone stops once gone")
	require.NoError(t, r.Close())
}

// With a leader path only the leader reaps.
func TestReaperLeaderOnly(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	c := zktest.Connect(t, srv.ConnectString())
	base := zktest.UniquePath(t)
	leaderPath := base + "/leader"
	mkdirs(t, c, base+"/x")

	other, err := election.NewLatch(zktest.Connect(t, srv.ConnectString()), leaderPath, "other")
	require.NoError(t, err)
	require.NoError(t, other.Start(ctx))
	_, err = other.Await(ctx)
	require.NoError(t, err)

	r, err := New(c, WithThreshold(threshold), WithLeaderPath(leaderPath))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, r.Close()) })
	require.NoError(t, r.AddPath(base+"/x", ReapUntilGone))
	require.NoError(t, r.Start(ctx))
	// Several thresholds pass without a delete while another leads.
	deadline := time.Now().Add(4 * threshold)
	for time.Now().Before(deadline) {
		require.True(t, zktest.Exists(t, c, base+"/x"), "a non-leader reaped")
		time.Sleep(threshold / 5) // sampling the absence of an effect
	}
	require.NoError(t, other.Close())
	zktest.Eventually(t, func() bool { return !zktest.Exists(t, c, base+"/x") }, "the new leader reaps")
}

// ChildReaper removes the empty parents under a lock root (and their
// empty lock-schema sub-nodes) but keeps those in use.
func TestChildReaperEmptyLockParents(t *testing.T) {
	ctx, c, base := zktest.Setup(t)
	root := base + "/locks"
	mkdirs(t, c, root+"/a", root+"/b/leases", root+"/busy/_c_1-lock-0000000001", root+"/c/leases/x")

	cr, err := NewChildReaper(c, root, ReapUntilDelete, WithThreshold(threshold), WithLockSchema("leases"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, cr.Close()) })
	require.NoError(t, cr.Start(ctx))
	zktest.Eventually(t, func() bool {
		return !zktest.Exists(t, c, root+"/a") && !zktest.Exists(t, c, root+"/b/leases")
	}, "empty children and schema sub-nodes reaped")
	zktest.Eventually(t, func() bool { return !zktest.Exists(t, c, root+"/b") }, "b reaped once its sub-node went")
	require.True(t, zktest.Exists(t, c, root+"/busy/_c_1-lock-0000000001"))
	require.True(t, zktest.Exists(t, c, root+"/c/leases/x"))
	require.True(t, zktest.Exists(t, c, root), "the root itself is not reaped")

	require.NoError(t, cr.Close())
	require.ErrorIs(t, cr.AddPath(root), zk.ErrClosed)
	_, err = NewChildReaper(nil, root, ReapUntilDelete)
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
	_, err = NewChildReaper(c, root, ReapUntilDelete, WithLockSchema("a//b"))
	require.ErrorIs(t, err, zk.ErrInvalidPath)
}
