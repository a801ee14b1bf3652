package lock

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
)

func TestRWMutexNodeNames(t *testing.T) {
	ctx, c, path := zktest.Setup(t)
	rw := newRWMutexT(t, c, path)
	_, err := rw.ReadLock().Acquire(ctx)
	require.NoError(t, err)
	require.Regexp(t, `/_c_[0-9a-f-]{36}-__READ__\d{10}$`, rw.ReadLock().Node())
	require.NoError(t, rw.ReadLock().Release(ctx))
	_, err = rw.WriteLock().Acquire(ctx)
	require.NoError(t, err)
	require.Regexp(t, `/_c_[0-9a-f-]{36}-__WRIT__\d{10}$`, rw.WriteLock().Node())
	require.NoError(t, rw.WriteLock().Release(ctx))
}

func TestRWMutexReadersShareWritersExclude(t *testing.T) {
	ctx, c1, c2, path := zktest.Setup2(t)

	r1, r2 := newRWMutexT(t, c1, path), newRWMutexT(t, c2, path)
	_, err := r1.ReadLock().Acquire(ctx)
	require.NoError(t, err)
	_, ok, err := r2.ReadLock().TryAcquire(ctx, 0)
	require.NoError(t, err)
	require.True(t, ok, "readers share")

	w := newRWMutexT(t, c2, path)
	wrote := make(chan error, 1)
	go func() {
		_, err := w.WriteLock().Acquire(ctx)
		wrote <- err
	}()
	waitParticipants(t, c1, path, 3)

	// A reader queued after a waiting writer waits for it (fairness).
	r3 := newRWMutexT(t, c1, path)
	_, ok, err = r3.ReadLock().TryAcquire(ctx, 0)
	require.NoError(t, err)
	require.False(t, ok)

	require.NoError(t, r1.ReadLock().Release(ctx))
	select {
	case err := <-wrote:
		t.Fatalf("writer got the lock while a reader holds it: %v", err)
	default:
	}
	require.NoError(t, r2.ReadLock().Release(ctx))
	require.NoError(t, zktest.Recv(t, wrote))
	_, ok, err = r3.ReadLock().TryAcquire(ctx, 0)
	require.NoError(t, err)
	require.False(t, ok, "no reader while a writer holds")
	require.NoError(t, w.WriteLock().Release(ctx))
	_, ok, err = r3.ReadLock().TryAcquire(ctx, 0)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, r3.ReadLock().Release(ctx))
	require.Empty(t, zktest.Children(t, c1, path))
}

func TestRWMutexDowngrade(t *testing.T) {
	ctx, c, path := zktest.Setup(t)
	rw := newRWMutexT(t, c, path)
	_, err := rw.WriteLock().Acquire(ctx)
	require.NoError(t, err)
	_, ok, err := rw.ReadLock().TryAcquire(ctx, 0)
	require.NoError(t, err)
	require.True(t, ok, "the writer may take the read lock")
	require.NoError(t, rw.WriteLock().Release(ctx))
	require.True(t, rw.ReadLock().IsHeld())

	other := newRWMutexT(t, c, path)
	_, ok, err = other.ReadLock().TryAcquire(ctx, 0)
	require.NoError(t, err)
	require.True(t, ok, "after the downgrade other readers may join")
	_, ok, err = other.WriteLock().TryAcquire(ctx, 0)
	require.NoError(t, err)
	require.False(t, ok)
	require.NoError(t, other.ReadLock().Release(ctx))
	require.NoError(t, rw.ReadLock().Release(ctx))

	names := zktest.Children(t, c, path)
	require.Empty(t, names)
}

func TestRWMutexExclusion(t *testing.T) {
	clients := zktest.ConnectN(t, zktest.Server(t).ConnectString(), 2)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t)
	var readers, writers, bad atomic.Int32
	zktest.Workers(t, 4, func(w int) error {
		rw := newRWMutexT(t, clients[w%2], path)
		for i := range 12 {
			write := (i+w)%3 == 0
			l := rw.ReadLock()
			if write {
				l = rw.WriteLock()
			}
			if _, err := l.Acquire(ctx); err != nil {
				return err
			}
			if write {
				if writers.Add(1) != 1 || readers.Load() != 0 {
					bad.Add(1)
				}
				writers.Add(-1)
			} else {
				readers.Add(1)
				if writers.Load() != 0 {
					bad.Add(1)
				}
				readers.Add(-1)
			}
			if err := l.Release(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	require.Zero(t, bad.Load())
	require.Empty(t, zktest.Children(t, clients[0], path))
}
