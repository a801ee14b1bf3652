package lock

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/shared"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

// waitParticipants waits until path has n children.
func waitParticipants(t testing.TB, c *zk.Client, path string, n int) {
	t.Helper()
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, c, path)) == n }, "participants")
}

// The constructors, failing the test on error.

func newMutexT(t testing.TB, c *zk.Client, path string, opts ...Option) *Mutex {
	t.Helper()
	m, err := NewMutex(c, path, opts...)
	require.NoError(t, err)
	return m
}

func newRWMutexT(t testing.TB, c *zk.Client, path string, opts ...Option) *RWMutex {
	t.Helper()
	rw, err := NewRWMutex(c, path, opts...)
	require.NoError(t, err)
	return rw
}

func newSemaphoreT(t testing.TB, c *zk.Client, path string, maxLeases int, opts ...Option) *Semaphore {
	t.Helper()
	s, err := NewSemaphore(c, path, maxLeases, opts...)
	require.NoError(t, err)
	return s
}

func newSemaphoreCountT(t testing.TB, c *zk.Client, path string, count *shared.Count, opts ...Option) *Semaphore {
	t.Helper()
	s, err := NewSemaphoreCount(c, path, count, opts...)
	require.NoError(t, err)
	return s
}

func newSemaphoreMutexT(t testing.TB, c *zk.Client, path string, opts ...Option) *SemaphoreMutex {
	t.Helper()
	m, err := NewSemaphoreMutex(c, path, opts...)
	require.NoError(t, err)
	return m
}

func newMultiLockT(t testing.TB, locks ...Locker) *MultiLock {
	t.Helper()
	m, err := NewMultiLock(locks...)
	require.NoError(t, err)
	return m
}

func newCountT(t testing.TB, c *zk.Client, path string, seed int32) *shared.Count {
	t.Helper()
	cnt, err := shared.NewCount(c, path, seed)
	require.NoError(t, err)
	return cnt
}
