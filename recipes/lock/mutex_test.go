package lock

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMutexNodeLayoutAndParticipants(t *testing.T) {
	srv := zktest.Server(t)
	c1, c2 := zktest.Connect(t, srv.ConnectString()), zktest.Connect(t, srv.ConnectString(), zk.WithDefaultData([]byte("default-2")))
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/orders"

	a := newMutexT(t, c1, path, WithData([]byte("worker-a")))
	b := newMutexT(t, c2, path) // client default data
	require.Equal(t, path, a.Path())
	held, err := a.Acquire(ctx)
	require.NoError(t, err)
	require.NoError(t, held.Err())
	require.True(t, a.IsHeld())
	require.Regexp(t, `^`+path+`/_c_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-lock-\d{10}$`, a.Node())
	_, st, err := c1.Exists(ctx, a.Node())
	require.NoError(t, err)
	require.Equal(t, st.Czxid, a.FencingToken())
	require.Equal(t, c1.SessionID(), st.EphemeralOwner)

	got := make(chan error, 1)
	go func() {
		_, err := b.Acquire(ctx)
		got <- err
	}()
	waitParticipants(t, c1, path, 2)
	ids, err := a.Participants(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"worker-a", "default-2"}, ids)
	nodes, err := b.ParticipantNodes(ctx)
	require.NoError(t, err)
	require.Len(t, nodes, 2)
	require.Equal(t, a.Node(), nodes[0])

	first := a.FencingToken()
	require.NoError(t, a.Release(ctx))
	require.False(t, a.IsHeld())
	require.Zero(t, a.FencingToken())
	require.ErrorIs(t, context.Cause(held), ErrReleased)
	require.NoError(t, zktest.Recv(t, got))
	require.Greater(t, b.FencingToken(), first, "fencing tokens grow with each grant")
	require.NoError(t, b.Release(ctx))
	require.ErrorIs(t, b.Release(ctx), ErrNotHeld)
	require.Empty(t, zktest.Children(t, c1, path))
}

func TestMutexExclusion(t *testing.T) {
	clients := zktest.ConnectN(t, zktest.Server(t).ConnectString(), 2)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t)
	const workers, rounds = 4, 15
	var inside, overlaps, total atomic.Int32
	zktest.Workers(t, workers, func(w int) error {
		m := newMutexT(t, clients[w%2], path)
		for range rounds {
			if _, err := m.Acquire(ctx); err != nil {
				return err
			}
			if inside.Add(1) != 1 {
				overlaps.Add(1)
			}
			total.Add(1)
			inside.Add(-1)
			if err := m.Release(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	require.Zero(t, overlaps.Load())
	require.EqualValues(t, workers*rounds, total.Load())
	require.Empty(t, zktest.Children(t, clients[0], path))
}

func TestMutexReentrant(t *testing.T) {
	ctx, c, path := zktest.Setup(t)
	m := newMutexT(t, c, path)
	h1, err := m.Acquire(ctx)
	require.NoError(t, err)
	node := m.Node()
	h2, err := m.Acquire(ctx)
	require.NoError(t, err)
	h3, ok, err := m.TryAcquire(ctx, 0)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, h1, h2)
	require.Equal(t, h1, h3)
	require.Len(t, zktest.Children(t, c, path), 1, "re-entry makes no new node")

	other := newMutexT(t, c, path) // another owner on the same client is excluded
	_, ok, err = other.TryAcquire(ctx, 0)
	require.NoError(t, err)
	require.False(t, ok)

	require.NoError(t, m.Release(ctx))
	require.NoError(t, m.Release(ctx))
	require.NoError(t, h1.Err(), "held until the last release")
	require.Equal(t, node, m.Node())
	require.NoError(t, m.Release(ctx))
	require.Error(t, h1.Err())
	require.ErrorIs(t, m.Release(ctx), ErrNotHeld)
	require.Empty(t, m.Node())
	require.Empty(t, zktest.Children(t, c, path))
}

func TestMutexFair(t *testing.T) {
	ctx, c, path := zktest.Setup(t)
	holder := newMutexT(t, c, path)
	_, err := holder.Acquire(ctx)
	require.NoError(t, err)

	const waiters = 4
	order := make(chan int, waiters)
	errs := make(chan error, waiters)
	for i := range waiters {
		go func() {
			m := newMutexT(t, c, path)
			if _, err := m.Acquire(ctx); err != nil {
				errs <- err
				return
			}
			order <- i
			errs <- m.Release(ctx)
		}()
		waitParticipants(t, c, path, i+2) // queued before the next one starts
	}
	require.NoError(t, holder.Release(ctx))
	for i := range waiters {
		require.NoError(t, zktest.Recv(t, errs))
		require.Equal(t, i, <-order, "FIFO by sequence")
	}
}

func TestMutexTryAcquireTimeoutLeavesNoNode(t *testing.T) {
	ctx, c1, c2, path := zktest.Setup2(t)
	holder := newMutexT(t, c1, path)
	_, err := holder.Acquire(ctx)
	require.NoError(t, err)

	m := newMutexT(t, c2, path)
	for _, wait := range []time.Duration{0, 50 * time.Millisecond} {
		held, ok, err := m.TryAcquire(ctx, wait)
		require.NoError(t, err)
		require.False(t, ok)
		require.Nil(t, held)
		require.Len(t, zktest.Children(t, c1, path), 1, "wait %v: only the holder's node is left", wait)
		require.Empty(t, m.Node())
	}
	require.NoError(t, holder.Release(ctx))
	_, ok, err := m.TryAcquire(ctx, time.Second)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, m.Release(ctx))
}

func TestMutexCancelWhileWaitingLeavesNoNode(t *testing.T) {
	ctx, c1, c2, path := zktest.Setup2(t)
	holder := newMutexT(t, c1, path)
	_, err := holder.Acquire(ctx)
	require.NoError(t, err)

	wctx, cancel := context.WithCancel(ctx)
	m := newMutexT(t, c2, path)
	got := make(chan error, 1)
	go func() {
		_, err := m.Acquire(wctx)
		got <- err
	}()
	waitParticipants(t, c1, path, 2)
	cancel()
	err = zktest.Recv(t, got)
	require.ErrorIs(t, err, context.Canceled)
	require.Len(t, zktest.Children(t, c1, path), 1, "the waiter's node is deleted before Acquire returns")
	require.False(t, m.IsHeld())

	// An already-cancelled context creates nothing.
	_, err = m.Acquire(wctx)
	require.ErrorIs(t, err, context.Canceled)
	require.Len(t, zktest.Children(t, c1, path), 1)
	require.NoError(t, holder.Release(ctx))
}

func TestMutexHeldEndsOnSuspended(t *testing.T) {
	ctx, srv, c, path := zktest.SetupEmbedded(t)
	m := newMutexT(t, c, path)
	held, err := m.Acquire(ctx)
	require.NoError(t, err)
	node := m.Node()
	srv.DropConnections()
	zktest.WaitDone(t, held, "held context after Suspended")
	require.ErrorIs(t, context.Cause(held), ErrLost)
	require.False(t, m.IsHeld())

	// Same session after the reconnect: the node is still ours, but the
	// hold ended; re-entry says so, Release cleans up.
	require.NoError(t, c.BlockUntilConnected(ctx))
	require.True(t, zktest.Exists(t, c, node))
	_, err = m.Acquire(ctx)
	require.ErrorIs(t, err, ErrLost)
	require.NoError(t, m.Release(ctx))
	require.False(t, zktest.Exists(t, c, node))
	held, err = m.Acquire(ctx)
	require.NoError(t, err)
	require.NoError(t, held.Err())
	require.NoError(t, m.Release(ctx))
}

func TestMutexHeldEndsOnLostAndReacquires(t *testing.T) {
	srv := zktest.Embedded(t)
	c := zktest.Connect(t, srv.ConnectString(), zk.WithErrorPolicy(zk.SessionErrorPolicy))
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t)
	m := newMutexT(t, c, path)
	held, err := m.Acquire(ctx)
	require.NoError(t, err)
	oldSession, oldToken := c.SessionID(), m.FencingToken()

	srv.ExpireSession(oldSession)
	zktest.WaitDone(t, held, "held context after Lost")
	require.ErrorIs(t, context.Cause(held), ErrLost)
	require.NoError(t, c.BlockUntilConnected(ctx))
	zktest.Eventually(t, func() bool { s := c.SessionID(); return s != 0 && s != oldSession }, "a new session")

	// CURATOR-604: the old session's node must not count as ours.
	_, err = m.Acquire(ctx)
	require.ErrorIs(t, err, ErrLost)
	require.NoError(t, m.Release(ctx)) // the node died with its session
	held, err = m.Acquire(ctx)
	require.NoError(t, err)
	require.NoError(t, held.Err())
	require.Greater(t, m.FencingToken(), oldToken)
	_, st, err := c.Exists(ctx, m.Node())
	require.NoError(t, err)
	require.Equal(t, c.SessionID(), st.EphemeralOwner)
	require.NoError(t, m.Release(ctx))
}

func TestMutexNodeDeletedBySomeoneElse(t *testing.T) {
	ctx, c1, c2, path := zktest.Setup2(t)
	m := newMutexT(t, c1, path)
	held, err := m.Acquire(ctx)
	require.NoError(t, err)
	require.NoError(t, c2.Delete(ctx, m.Node(), -1))
	zktest.WaitDone(t, held, "held context after the node's deletion")
	require.ErrorIs(t, context.Cause(held), ErrLost)
	require.NoError(t, m.Release(ctx))
}

func TestMutexWaiterSurvivesSessionLoss(t *testing.T) {
	// A waiter whose session expires makes a new node and keeps waiting.
	ctx, srv, c1, c2, path := zktest.SetupEmbedded2(t)
	holder := newMutexT(t, c1, path)
	_, err := holder.Acquire(ctx)
	require.NoError(t, err)
	m := newMutexT(t, c2, path)
	got := make(chan error, 1)
	go func() {
		_, err := m.Acquire(ctx)
		got <- err
	}()
	waitParticipants(t, c1, path, 2)
	old := c2.SessionID()
	srv.ExpireSession(old)
	zktest.Eventually(t, func() bool {
		s := c2.SessionID()
		if s == 0 || s == old {
			return false
		}
		for _, name := range zktest.Children(t, c1, path) {
			_, st, err := c1.Exists(ctx, path+"/"+name)
			if err == nil && st != nil && st.EphemeralOwner == s {
				return len(zktest.Children(t, c1, path)) == 2
			}
		}
		return false
	}, "the waiter's node in its new session")
	require.NoError(t, holder.Release(ctx))
	require.NoError(t, zktest.Recv(t, got))
	require.True(t, m.IsHeld())
	require.NoError(t, m.Release(ctx))
}

func TestMutexReleaseDuringConnectionLossKeepsNode(t *testing.T) {
	ctx, srv, c1, c2, path := zktest.SetupEmbedded2(t)
	m := newMutexT(t, c1, path)
	held, err := m.Acquire(ctx)
	require.NoError(t, err)
	node := m.Node()

	srv.RejectConnections(time.Second) // shorter than the session timeout
	srv.DropSession(c1.SessionID())
	zktest.WaitDone(t, held, "held context after the drop")

	rctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	require.NoError(t, m.Release(rctx), "the delete is guaranteed: retried in the background")
	require.Equal(t, node, m.Node(), "CURATOR-678: the Mutex keeps knowing its node until it is deleted")
	require.True(t, zktest.Exists(t, c2, node))
	zktest.Eventually(t, func() bool { return m.Node() == "" }, "the background delete")
	require.False(t, zktest.Exists(t, c2, node))

	// A new Acquire after that works normally.
	_, err = m.Acquire(ctx)
	require.NoError(t, err)
	require.NoError(t, m.Release(ctx))
}

func TestMutexRevocation(t *testing.T) {
	ctx, c1, c2, path := zktest.Setup2(t)
	asked := make(chan *Mutex, 2)
	released := make(chan error, 2)
	revocable := WithRevocationListener(func(m *Mutex) {
		// Report the call before releasing: once a releases, b can
		// acquire and be asked before a's report would be sent.
		asked <- m
		// Curator's usual listener: release right away.
		released <- m.Release(context.Background())
	})
	waitAsked := func(want *Mutex) {
		t.Helper()
		require.Same(t, want, zktest.Recv(t, asked))
		require.NoError(t, zktest.Recv(t, released), "release from the revocation listener")
		require.False(t, want.IsHeld())
	}
	a := newMutexT(t, c1, path, revocable)
	_, err := a.Acquire(ctx)
	require.NoError(t, err)

	b := newMutexT(t, c2, path, revocable)
	got := make(chan error, 1)
	go func() {
		_, err := b.Acquire(ctx)
		got <- err
	}()
	waitParticipants(t, c2, path, 2)
	nodes, err := b.ParticipantNodes(ctx)
	require.NoError(t, err)
	require.Len(t, nodes, 2)
	// b is asked while it waits: it is told once it holds the lock.
	require.NoError(t, Revoke(ctx, c1, nodes[1]))
	require.NoError(t, Revoke(ctx, c2, nodes[0]))
	waitAsked(a)
	require.NoError(t, zktest.Recv(t, got))
	waitAsked(b)
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, c1, path)) == 0 }, "both released")
	require.NoError(t, Revoke(ctx, c2, nodes[0]), "revoking a node that is gone is not an error")
}

func TestMutexConcurrentAcquireOnOneValueShares(t *testing.T) {
	ctx, c, path := zktest.Setup(t)
	m := newMutexT(t, c, path)
	zktest.Workers(t, 4, func(int) error {
		_, err := m.Acquire(ctx)
		return err
	})
	require.Len(t, zktest.Children(t, c, path), 1)
	for i := range 4 {
		require.NoError(t, m.Release(ctx), "release %d", i)
	}
	require.ErrorIs(t, m.Release(ctx), ErrNotHeld)
}

func TestMutexErrorsNameOpAndPath(t *testing.T) {
	c := zktest.Connect(t, zktest.Server(t).ConnectString())
	_, err := NewMutex(c, "bad path")
	require.Error(t, err)
	require.Contains(t, err.Error(), "lock: new mutex bad path")
	require.True(t, errors.Is(err, zk.ErrInvalidPath), fmt.Sprint(err))
}
