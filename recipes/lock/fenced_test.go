package lock

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

func TestFencedWrites(t *testing.T) {
	ctx, srv, observer, base := zktest.SetupEmbedded(t)
	_, err := observer.Create(ctx, base, nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	resource := func(name string) string {
		p := base + "/" + name
		_, err := observer.Create(ctx, p, nil, zk.ModePersistent, nil)
		require.NoError(t, err)
		return p
	}
	deleteNode := func(path func() string) func() {
		return func() { require.NoError(t, observer.Delete(ctx, path(), -1)) }
	}

	t.Run("mutex node deleted", func(t *testing.T) {
		c := zktest.Connect(t, srv.ConnectString())
		m := newMutexT(t, c, base+"/m1")
		_, err := m.Fenced(ctx, zk.SetOp(base, nil, -1))
		require.ErrorIs(t, err, ErrNotHeld, "not held yet")
		_, err = m.Acquire(ctx)
		require.NoError(t, err)
		// An op of the caller's that fails is not a lost hold.
		_, err = m.Fenced(ctx, zk.SetOp(base+"/no-such", nil, -1))
		require.ErrorIs(t, err, zk.ErrNoNode)
		require.NotErrorIs(t, err, ErrNotHeld)
		zktest.RequireFenced(t, observer, m, resource("r1"), deleteNode(m.Node), ErrNotHeld)
	})
	t.Run("mutex session expired", func(t *testing.T) {
		c := zktest.Connect(t, srv.ConnectString())
		m := newMutexT(t, c, base+"/m2")
		_, err := m.Acquire(ctx)
		require.NoError(t, err)
		zktest.RequireFenced(t, observer, m, resource("r2"), func() {
			node := m.Node()
			require.True(t, srv.ExpireSession(c.SessionID()))
			zktest.Eventually(t, func() bool { return !zktest.Exists(t, observer, node) }, "the node to go with its session")
		}, ErrNotHeld)
	})
	t.Run("rwmutex sides", func(t *testing.T) {
		c := zktest.Connect(t, srv.ConnectString())
		rw := newRWMutexT(t, c, base+"/rw")
		_, err := rw.WriteLock().Acquire(ctx)
		require.NoError(t, err)
		zktest.RequireFenced(t, observer, rw.WriteLock(), resource("r3"), deleteNode(rw.WriteLock().Node), ErrNotHeld)
		_, err = rw.ReadLock().Acquire(ctx)
		require.NoError(t, err)
		zktest.RequireFenced(t, observer, rw.ReadLock(), resource("r4"), deleteNode(rw.ReadLock().Node), ErrNotHeld)
	})
	t.Run("lease", func(t *testing.T) {
		c := zktest.Connect(t, srv.ConnectString())
		l, err := newSemaphoreT(t, c, base+"/sem", 2).Acquire(ctx)
		require.NoError(t, err)
		zktest.RequireFenced(t, observer, l, resource("r5"), func() { require.NoError(t, l.Release(ctx)) }, ErrNotHeld)
	})
	t.Run("semaphore mutex", func(t *testing.T) {
		c := zktest.Connect(t, srv.ConnectString())
		m := newSemaphoreMutexT(t, c, base+"/sm")
		_, err := m.Fenced(ctx)
		require.ErrorIs(t, err, ErrNotHeld, "not held yet")
		_, err = m.Acquire(ctx)
		require.NoError(t, err)
		leases := func() string {
			kids := zktest.Children(t, observer, base+"/sm/leases")
			require.Len(t, kids, 1)
			return base + "/sm/leases/" + kids[0]
		}
		zktest.RequireFenced(t, observer, m, resource("r6"), deleteNode(leases), ErrNotHeld)
	})
}
