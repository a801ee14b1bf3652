package lock

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
)

func TestSemaphoreLayoutAndLimit(t *testing.T) {
	ctx, c, path := zktest.Setup(t)
	s := newSemaphoreT(t, c, path, 2, WithData([]byte("me")))
	l1, err := s.Acquire(ctx)
	require.NoError(t, err)
	require.Regexp(t, `^`+path+`/leases/_c_[0-9a-f-]{36}-lease-\d{10}$`, l1.Node())
	require.NotZero(t, l1.FencingToken())
	l2, ok, err := s.TryAcquire(ctx, 0)
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, err = s.TryAcquire(ctx, 50*time.Millisecond)
	require.NoError(t, err)
	require.False(t, ok, "two leases at most")
	require.Len(t, zktest.Children(t, c, path+"/leases"), 2, "a timed-out acquire leaves no lease")
	require.Empty(t, zktest.Children(t, c, path+"/locks"), "the internal mutex is released")
	ids, err := s.Participants(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"me", "me"}, ids)
	nodes, err := s.ParticipantNodes(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{l1.Node(), l2.Node()}, nodes)

	got := make(chan error, 1)
	var l3 *Lease
	go func() {
		var err error
		l3, err = s.Acquire(ctx)
		got <- err
	}()
	require.NoError(t, l1.Release(ctx))
	require.ErrorIs(t, l1.Release(ctx), ErrNotHeld)
	require.True(t, l1.Deleted())
	require.ErrorIs(t, context.Cause(l1.Context()), ErrReleased)
	require.NoError(t, zktest.Recv(t, got))
	require.NoError(t, l3.Context().Err())
	require.NoError(t, l2.Release(ctx))
	require.NoError(t, l3.Release(ctx))
	require.Empty(t, zktest.Children(t, c, path+"/leases"))
}

func TestSemaphoreConcurrency(t *testing.T) {
	clients := zktest.ConnectN(t, zktest.Server(t).ConnectString(), 2)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t)
	const maxLeases = 2
	var inside, peak, over atomic.Int32
	zktest.Workers(t, 5, func(w int) error {
		s := newSemaphoreT(t, clients[w%2], path, maxLeases)
		for range 8 {
			l, err := s.Acquire(ctx)
			if err != nil {
				return err
			}
			n := inside.Add(1)
			if n > maxLeases {
				over.Add(1)
			}
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			inside.Add(-1)
			if err := l.Release(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	require.Zero(t, over.Load())
	require.Empty(t, zktest.Children(t, clients[0], path+"/leases"))
}

func TestSemaphoreLeaseEndsOnLost(t *testing.T) {
	ctx, srv, c1, c2, path := zktest.SetupEmbedded2(t)
	l, err := newSemaphoreT(t, c1, path, 1).Acquire(ctx)
	require.NoError(t, err)
	srv.ExpireSession(c1.SessionID())
	zktest.WaitDone(t, l.Context(), "lease context after Lost")
	require.ErrorIs(t, context.Cause(l.Context()), ErrLost)
	// The lease died with its session: another client gets it (CURATOR-315).
	l2, ok, err := newSemaphoreT(t, c2, path, 1).TryAcquire(ctx, 10*time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, l2.Release(ctx))
	require.NoError(t, l.Release(ctx))
}

func TestSemaphoreMutex(t *testing.T) {
	ctx, c, path := zktest.Setup(t)
	m := newSemaphoreMutexT(t, c, path)
	held, err := m.Acquire(ctx)
	require.NoError(t, err)
	require.True(t, m.IsHeld())
	require.NotZero(t, m.FencingToken())

	// Not re-entrant: a second Acquire waits, like any contender.
	_, ok, err := m.TryAcquire(ctx, 50*time.Millisecond)
	require.NoError(t, err)
	require.False(t, ok)

	// Released from another goroutine.
	done := make(chan error, 1)
	go func() { done <- m.Release(ctx) }()
	require.NoError(t, zktest.Recv(t, done))
	require.ErrorIs(t, context.Cause(held), ErrReleased)
	require.False(t, m.IsHeld())
	require.Zero(t, m.FencingToken())
	require.ErrorIs(t, m.Release(ctx), ErrNotHeld)

	other := newSemaphoreMutexT(t, c, path, WithData([]byte("other")))
	_, ok, err = other.TryAcquire(ctx, time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	ids, err := other.Participants(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"other"}, ids)
	require.NoError(t, other.Release(ctx))
}

func TestMultiLock(t *testing.T) {
	ctx, c, base := zktest.Setup(t)
	a, b := newMutexT(t, c, base+"/a"), newSemaphoreMutexT(t, c, base+"/b")
	ml := newMultiLockT(t, a, b)
	held, err := ml.Acquire(ctx)
	require.NoError(t, err)
	require.True(t, a.IsHeld())
	require.True(t, b.IsHeld())
	require.NoError(t, ml.Release(ctx))
	require.ErrorIs(t, context.Cause(held), ErrReleased)
	require.False(t, a.IsHeld())
	require.False(t, b.IsHeld())
	require.ErrorIs(t, ml.Release(ctx), ErrNotHeld)

	// All or nothing: when b is taken elsewhere, a is released again.
	other := newMutexT(t, c, base+"/b2")
	_, err = other.Acquire(ctx)
	require.NoError(t, err)
	ml2 := newMultiLockT(t, newMutexT(t, c, base+"/a"), newMutexT(t, c, base+"/b2"))
	_, ok, err := ml2.TryAcquire(ctx, 100*time.Millisecond)
	require.NoError(t, err)
	require.False(t, ok)
	require.Empty(t, zktest.Children(t, c, base+"/a"), "the lock taken first is released")
	require.NoError(t, other.Release(ctx))

	// The held context ends when one lock's hold ends.
	x := newMutexT(t, c, base+"/x")
	ml3 := newMultiLockT(t, x, newMutexT(t, c, base+"/y"))
	held, ok, err = ml3.TryAcquire(ctx, time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, c.Delete(ctx, x.Node(), -1))
	zktest.WaitDone(t, held, "multi-lock held context")
	require.ErrorIs(t, context.Cause(held), ErrLost)
	require.NoError(t, ml3.Release(ctx))
}

func TestSemaphoreSharedCount(t *testing.T) {
	srv := zktest.Server(t)
	c := zktest.Connect(t, srv.ConnectString())
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t)
	count := newCountT(t, c, path+"/count", 1)
	s := newSemaphoreCountT(t, c, path+"/sem", count)
	other := newSemaphoreCountT(t, zktest.Connect(t, srv.ConnectString()), path+"/sem", newCountT(t, c, path+"/count", 99))

	l1, err := s.Acquire(ctx)
	require.NoError(t, err)
	_, ok, err := other.TryAcquire(ctx, 50*time.Millisecond)
	require.NoError(t, err)
	require.False(t, ok, "the shared count (1) is the limit, not the other process's seed")

	got := make(chan error, 1)
	var l2 *Lease
	go func() {
		var err error
		l2, err = other.Acquire(ctx)
		got <- err
	}()
	// Raising the count lets the waiter in without any release.
	require.NoError(t, count.Set(ctx, 2))
	require.NoError(t, zktest.Recv(t, got))
	require.NoError(t, l1.Context().Err(), "the first lease is still held")
	require.NoError(t, l2.Release(ctx))
	require.NoError(t, l1.Release(ctx))
}
