package seqnode

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

func TestCreateAwaitHold(t *testing.T) {
	srv := zktest.Server(t)
	c1, c2 := zktest.Connect(t, srv.ConnectString()), zktest.Connect(t, srv.ConnectString())
	ctx := zktest.Context(t)
	parent := zktest.UniquePath(t) + "/a/b"
	key := ByLockName("lock-")

	n1, err := create(ctx, c1, parent, "lock-", []byte("one"), "")
	require.NoError(t, err)
	require.Regexp(t, `^/.*/_c_[0-9a-f-]{36}-lock-\d{10}$`, n1.Path)
	require.Equal(t, c1.SessionID(), n1.Owner)
	require.NotZero(t, n1.Czxid)
	require.True(t, n1.OwnedBy(c1))
	require.False(t, n1.OwnedBy(c2))
	n2, err := create(ctx, c2, parent, "lock-", []byte("two"), "")
	require.NoError(t, err)

	names, err := List(ctx, c1, parent, key)
	require.NoError(t, err)
	require.Equal(t, []string{n1.Name, n2.Name}, names)
	data, err := ListData(ctx, c1, parent, key)
	require.NoError(t, err)
	require.Equal(t, []string{"one", "two"}, data)

	require.NoError(t, await(ctx, c1, n1, key, Standard(1), nil))
	h1, err := StartHold(ctx, c1, n1, nil)
	require.NoError(t, err)
	require.True(t, h1.Valid(c1))

	// n2 waits for n1; a bounded wait expires.
	expired := make(chan time.Time, 1)
	expired <- time.Now()
	require.ErrorIs(t, await(ctx, c2, n2, key, Standard(1), expired), ErrExpired)

	got := make(chan error, 1)
	go func() { got <- await(ctx, c2, n2, key, Standard(1), nil) }()

	// Someone else deletes n1: its hold ends, n2's wait ends.
	require.NoError(t, c2.Delete(ctx, n1.Path, -1))
	<-h1.Context().Done()
	require.ErrorIs(t, context.Cause(h1.Context()), ErrHoldLost)
	<-h1.Done()
	require.NoError(t, <-got)

	// n1 is gone: awaiting it says so.
	require.ErrorIs(t, await(ctx, c1, n1, key, Standard(1), nil), ErrNodeGone)
	// StartHold does not read the node on the caller's path: its first
	// read, on the hold's goroutine, finds the node gone and ends the hold.
	gone, err := StartHold(ctx, c1, n1, nil)
	require.NoError(t, err)
	<-gone.Done()
	require.ErrorIs(t, context.Cause(gone.Context()), ErrHoldLost)
	require.ErrorContains(t, context.Cause(gone.Context()), "deleted")
	// A node of another session is not ours.
	_, err = StartHold(ctx, c1, n2, nil)
	require.ErrorIs(t, err, ErrNotOwner)
	require.ErrorIs(t, await(ctx, c1, n2, key, Standard(1), nil), ErrNotOwner)

	h2, err := StartHold(ctx, c2, n2, nil)
	require.NoError(t, err)
	h2.End(errors.New("done"))
	<-h2.Done()
	require.EqualError(t, context.Cause(h2.Context()), "done")
}

func TestHoldDataCallback(t *testing.T) {
	ctx, c, _ := zktest.Setup(t)
	n, err := create(ctx, c, zktest.UniquePath(t), "lock-", []byte("v0"), "")
	require.NoError(t, err)
	seen := make(chan string, 4)
	h, err := StartHold(ctx, c, n, func(b []byte) { seen <- string(b) })
	require.NoError(t, err)
	require.Equal(t, "v0", <-seen)
	_, err = c.Set(ctx, n.Path, []byte("v1"), -1)
	require.NoError(t, err)
	require.Equal(t, "v1", <-seen)
	require.NoError(t, h.Context().Err())
	h.End(context.Canceled)
	<-h.Done()
}

func TestHoldEndsOnSuspendedAndLost(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)

	t.Run("suspended", func(t *testing.T) {
		c := zktest.Connect(t, srv.ConnectString())
		n, err := create(ctx, c, zktest.UniquePath(t), "lock-", nil, "")
		require.NoError(t, err)
		h, err := StartHold(ctx, c, n, nil)
		require.NoError(t, err)
		srv.DropConnections()
		<-h.Context().Done()
		require.ErrorIs(t, context.Cause(h.Context()), ErrHoldLost)
		<-h.Done()
		require.NoError(t, WaitSafe(ctx, c))
	})
	t.Run("session policy survives a drop, not a loss", func(t *testing.T) {
		c := zktest.Connect(t, srv.ConnectString(), zk.WithErrorPolicy(zk.SessionErrorPolicy))
		n, err := create(ctx, c, zktest.UniquePath(t), "lock-", nil, "")
		require.NoError(t, err)
		h, err := StartHold(ctx, c, n, nil)
		require.NoError(t, err)
		states := make(chan zk.ConnectionState, 16)
		defer c.Listen(func(s zk.ConnectionState) { states <- s })()
		srv.DropConnections()
		for s := range states {
			if s == zk.Reconnected {
				break
			}
		}
		require.NoError(t, h.Context().Err(), "a reconnect to the same session keeps the hold")
		srv.ExpireSession(c.SessionID())
		<-h.Context().Done()
		require.ErrorIs(t, context.Cause(h.Context()), ErrHoldLost)
		<-h.Done()
	})
}

func TestCreateDetachedLeavesNothingWhenCancelled(t *testing.T) {
	ctx, srv, c, parent := zktest.SetupEmbedded(t)
	require.NoError(t, c.EnsurePath(ctx, parent))

	// The reply comes long after ctx ends: the create is in flight when
	// CreateDetached gives up, and its node is deleted before it returns.
	srv.SetLatency(300 * time.Millisecond)
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	n, err := CreateDetached(cctx, c, parent, "lock-", nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Nil(t, n)
	srv.SetLatency(0)
	names, err := List(ctx, c, parent, ByLockName("lock-"))
	require.NoError(t, err)
	require.Empty(t, names)

	// An ended ctx creates nothing; a live one creates the node.
	_, err = CreateDetached(cctx, c, parent, "lock-", nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	n, err = CreateDetached(ctx, c, parent, "lock-", []byte("x"))
	require.NoError(t, err)
	<-Discard(ctx, c, n.Path)
	ok, _, err := c.Exists(ctx, n.Path)
	require.NoError(t, err)
	require.False(t, ok)
}

func TestAwaitNoticesSessionLossWhileWaiting(t *testing.T) {
	ctx, srv, c1, c2, parent := zktest.SetupEmbedded2(t)
	key := ByLockName("lock-")
	_, err := create(ctx, c1, parent, "lock-", nil, "")
	require.NoError(t, err)
	n2, err := create(ctx, c2, parent, "lock-", nil, "")
	require.NoError(t, err)
	got := make(chan error, 1)
	go func() { got <- await(ctx, c2, n2, key, Standard(1), nil) }()
	srv.ExpireSession(c2.SessionID())
	// The holder keeps its node, yet the waiter learns its node is gone.
	select {
	case err := <-got:
		// ErrNodeGone if the loss came before the first look.
		require.True(t, errors.Is(err, ErrNotOwner) || errors.Is(err, ErrNodeGone), "%v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("Await did not notice the session loss")
	}
}
