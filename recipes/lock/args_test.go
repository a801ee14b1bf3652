package lock

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/zk"
)

// TestConstructorsRejectBadArguments: misuse fails in the constructor,
// not later in a goroutine or at the first Acquire.
func TestConstructorsRejectBadArguments(t *testing.T) {
	_, c, path := zktest.Setup(t)
	count := newCountT(t, c, path+"/count", 1)
	for _, tc := range []struct {
		name string
		make func() error
		want error
	}{
		{"mutex nil client", func() error { _, err := NewMutex(nil, path); return err }, seqnode.ErrInvalidArgument},
		{"mutex bad path", func() error { _, err := NewMutex(c, "no-slash"); return err }, zk.ErrInvalidPath},
		{"mutex nil option", func() error { _, err := NewMutex(c, path, nil); return err }, seqnode.ErrInvalidArgument},
		{"mutex nil listener", func() error { _, err := NewMutex(c, path, WithRevocationListener(nil)); return err }, seqnode.ErrInvalidArgument},
		{"rwmutex nil client", func() error { _, err := NewRWMutex(nil, path); return err }, seqnode.ErrInvalidArgument},
		{"rwmutex bad path", func() error { _, err := NewRWMutex(c, "/a/"); return err }, zk.ErrInvalidPath},
		{"semaphore zero leases", func() error { _, err := NewSemaphore(c, path, 0); return err }, seqnode.ErrInvalidArgument},
		{"semaphore negative leases", func() error { _, err := NewSemaphore(c, path, -3); return err }, seqnode.ErrInvalidArgument},
		{"semaphore nil client", func() error { _, err := NewSemaphore(nil, path, 2); return err }, seqnode.ErrInvalidArgument},
		{"semaphore count nil count", func() error { _, err := NewSemaphoreCount(c, path, nil); return err }, seqnode.ErrInvalidArgument},
		{"semaphore count bad path", func() error { _, err := NewSemaphoreCount(c, "", count); return err }, zk.ErrInvalidPath},
		{"semaphore mutex nil client", func() error { _, err := NewSemaphoreMutex(nil, path); return err }, seqnode.ErrInvalidArgument},
		{"multilock no locks", func() error { _, err := NewMultiLock(); return err }, seqnode.ErrInvalidArgument},
		{"multilock nil lock", func() error { _, err := NewMultiLock(newMutexT(t, c, path), nil); return err }, seqnode.ErrInvalidArgument},
		{"multilock typed nil lock", func() error { _, err := NewMultiLock((*Mutex)(nil)); return err }, seqnode.ErrInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.make(), tc.want)
		})
	}
}

// TestZeroValuesFail: lock values not made by their constructors return
// an error from every method instead of hanging or panicking.
func TestZeroValuesFail(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var m Mutex
	_, err := m.Acquire(ctx)
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)
	_, _, err = m.TryAcquire(ctx, 0)
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)
	require.ErrorIs(t, m.Release(ctx), seqnode.ErrInvalidArgument)
	_, err = m.Participants(ctx)
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)
	require.False(t, m.IsHeld())
	require.Zero(t, m.FencingToken())
	require.Empty(t, m.Node())

	var rw RWMutex
	_, err = rw.WriteLock().Acquire(ctx)
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)
	_, err = rw.ReadLock().Acquire(ctx)
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)
	_, err = rw.Participants(ctx)
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)

	var s Semaphore
	_, err = s.Acquire(ctx)
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)
	_, err = s.ParticipantNodes(ctx)
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)

	var sm SemaphoreMutex
	_, err = sm.Acquire(ctx)
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)
	require.ErrorIs(t, sm.Release(ctx), seqnode.ErrInvalidArgument)
	require.False(t, sm.IsHeld())

	var ml MultiLock
	_, err = ml.Acquire(ctx)
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)
}

// TestLocksOnClosedClientFailAtOnce: acquiring on a closed client returns
// zk.ErrClosed without waiting for the (deadline-free) context.
func TestLocksOnClosedClientFailAtOnce(t *testing.T) {
	_, c, path := zktest.Setup(t)
	m := newMutexT(t, c, path)
	s := newSemaphoreT(t, c, path+"/sem", 2)
	rw := newRWMutexT(t, c, path+"/rw")
	require.NoError(t, c.Close())
	ctx := context.Background()
	_, err := m.Acquire(ctx)
	require.ErrorIs(t, err, zk.ErrClosed)
	_, err = s.Acquire(ctx)
	require.ErrorIs(t, err, zk.ErrClosed)
	_, err = rw.ReadLock().Acquire(ctx)
	require.ErrorIs(t, err, zk.ErrClosed)
}
