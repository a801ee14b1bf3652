package queue

import (
	"context"
	"path"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// heldItem is two consumers of one locked queue: a, on a Client a test can
// cut off (zktest.ConnectCuttable), holds the queue's one item; b put it.
type heldItem struct {
	srv   *testserver.Server
	ctx   context.Context
	ca    *zk.Client
	rec   *zktest.Recorder[zk.ConnectionState]
	b     *Queue
	qpath string
	items []string
	held  *claimed
}

func newHeldItem(t *testing.T) heldItem {
	t.Helper()
	f := heldItem{srv: zktest.Embedded(t), ctx: zktest.Context(t)}
	f.qpath = zktest.UniquePath(t) + "/q"
	locks := zktest.UniquePath(t) + "/locks"
	f.ca, f.rec = zktest.ConnectCuttable(t, f.srv.ConnectString())
	a, err := New(f.ca, f.qpath, WithLockPath(locks))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, a.Close()) })
	f.b = newQueue(t, f.srv.Addr(), f.qpath, WithLockPath(locks))
	require.NoError(t, f.b.Put(f.ctx, []byte("item")))
	f.items = zktest.Children(t, f.b.c, f.qpath)
	require.Len(t, f.items, 1)
	f.held, err = a.tryClaim(f.ctx, f.items[0])
	require.NoError(t, err)
	require.NotNil(t, f.held)
	return f
}

// A consumer's unlock that fails while its client is cut off is retried in
// the background; meanwhile its session expires (its lock node goes with
// it) and another consumer locks the same item. The retry must leave that
// consumer's lock alone: it used to delete it (AnyVersion), letting a third
// consumer take an item that is being processed.
func TestQueueUnlockRetrySparesOtherConsumersLock(t *testing.T) {
	f := newHeldItem(t)
	srv, ctx, ca, rec, b, items, held := f.srv, f.ctx, f.ca, f.rec, f.b, f.items, f.held

	old := ca.SessionID()
	// Cut a off until b holds the lock: no retry can run before.
	zktest.CutOff(t, srv, ca, rec, time.Minute)
	done := held.unlock(ctx)
	select {
	case <-done:
		t.Fatal("unlock done while the client is cut off")
	default:
	}
	require.True(t, srv.ExpireSession(old), "a's lock node goes with its session")

	other, err := b.tryClaim(ctx, items[0])
	require.NoError(t, err)
	require.NotNil(t, other, "b locks the item a lost")
	_, bLock, err := b.c.Exists(ctx, other.lockNode)
	require.NoError(t, err)
	require.NotNil(t, bLock)
	require.Equal(t, path.Base(held.lockNode), path.Base(other.lockNode), "the same lock path")
	srv.RejectConnections(0)

	zktest.Recv(t, done) // a's retry ran, in a's new session
	ok, st, err := b.c.Exists(ctx, other.lockNode)
	require.NoError(t, err)
	require.True(t, ok, "a's retried unlock deleted b's lock")
	require.Equal(t, bLock.Czxid, st.Czxid)
	other.finish(ctx, true, false)
}

// A consumer whose finish cannot reach the server (its Exists fails: the
// retry policy gave up while the session is still alive) releases its own
// lock node in the background instead of leaving it: the item is not stuck
// behind a lock of a live session, and another consumer processes it
// (at least once). It used to keep the lock until the session ended.
func TestQueueFinishUnreachableReleasesLock(t *testing.T) {
	f := newHeldItem(t)
	srv, ctx, ca, rec, b, items, held := f.srv, f.ctx, f.ca, f.rec, f.b, f.items, f.held
	sid := ca.SessionID()
	zktest.CutOff(t, srv, ca, rec, time.Minute)
	held.finish(ctx, true, false) // its Exists fails: a cannot tell
	srv.RejectConnections(0)
	rec.WaitFor(t, zk.Connected, zk.Suspended, zk.Reconnected)
	require.Equal(t, sid, ca.SessionID(), "the same session: its lock node would live on")

	zktest.Eventually(t, func() bool {
		ok, _, err := b.c.Exists(ctx, held.lockNode)
		return err == nil && !ok
	}, "a's lock node released")
	again, err := b.tryClaim(ctx, items[0])
	require.NoError(t, err)
	require.NotNil(t, again, "b takes the item a could not finish")
	require.Equal(t, "item", string(again.items[0]))
	again.finish(ctx, true, false)
	require.Empty(t, zktest.Children(t, b.c, f.qpath))
}
