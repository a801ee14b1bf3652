package election

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/zk"
)

var latchNodeRE = regexp.MustCompile(`^_c_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-latch-\d{10}$`)

func TestLatchNodeLayoutAndParticipants(t *testing.T) {
	srv := zktest.Server(t)
	path := zktest.UniquePath(t) + "/leader"
	ctx := zktest.Context(t)
	c := zktest.Connect(t, srv.ConnectString())

	a := startLatch(t, c, path, "a")
	await(t, a)
	b := startLatch(t, zktest.Connect(t, srv.ConnectString()), path, "b")
	cc := startLatch(t, zktest.Connect(t, srv.ConnectString()), path, "c")
	require.True(t, a.IsLeader())
	require.False(t, b.IsLeader())
	require.False(t, cc.IsLeader())
	require.NotZero(t, a.FencingToken())
	require.Zero(t, b.FencingToken())

	kids := zktest.Children(t, c, path)
	require.Len(t, kids, 3)
	for _, k := range kids {
		require.Regexp(t, latchNodeRE, k)
	}
	data, _, err := c.Get(ctx, a.OurPath())
	require.NoError(t, err)
	require.Equal(t, "a", string(data))

	ps, err := b.Participants(ctx)
	require.NoError(t, err)
	require.Equal(t, []Participant{{"a", true}, {"b", false}, {"c", false}}, ps)
	ld, err := cc.Leader(ctx)
	require.NoError(t, err)
	require.Equal(t, Participant{"a", true}, ld)

	// Parent is a container; the node is ephemeral and ours.
	_, st, err := c.Get(ctx, a.OurPath())
	require.NoError(t, err)
	require.Equal(t, c.SessionID(), st.EphemeralOwner)
}

func TestLatchCloseHandsOverAndNotifies(t *testing.T) {
	srv := zktest.Server(t)
	path := zktest.UniquePath(t)
	ctx := zktest.Context(t)

	a := newLatchT(t, zktest.Connect(t, srv.ConnectString()), path, "a", WithCloseMode(CloseNotifyLeader))
	var ra zktest.Recorder[bool]
	a.Listen(ra.Add)
	require.NoError(t, a.Start(ctx))
	leadA := await(t, a)
	ra.WaitFor(t, true)

	b := newLatchT(t, zktest.Connect(t, srv.ConnectString()), path, "b") // CloseSilent
	var rb zktest.Recorder[bool]
	b.Listen(rb.Add)
	require.NoError(t, b.Start(ctx))
	require.ErrorIs(t, b.Start(ctx), ErrStarted)

	require.NoError(t, a.Close())
	require.ErrorIs(t, context.Cause(leadA), ErrClosed)
	ra.WaitFor(t, true, false) // NOTIFY_LEADER
	require.NoError(t, a.Close(), "Close is idempotent")
	_, err := a.Await(ctx)
	require.ErrorIs(t, err, ErrClosed)

	leadB := await(t, b)
	rb.WaitFor(t, true)
	require.NoError(t, b.Close())
	require.ErrorIs(t, context.Cause(leadB), ErrClosed)
	require.Equal(t, []bool{true}, rb.Items(), "silent close must not notify")
	require.Empty(t, zktest.Children(t, zktest.Connect(t, srv.ConnectString()), path))
}

func TestLatchStartFailsCleanly(t *testing.T) {
	srv := zktest.Server(t)
	c := zktest.Connect(t, srv.ConnectString())
	_, err := NewLatch(c, "bad//path", "x")
	require.ErrorIs(t, err, zk.ErrInvalidPath)

	// Started on a closed client: fails at once, leaves the Latch closed.
	closedClient := zktest.Connect(t, srv.ConnectString())
	require.NoError(t, closedClient.Close())
	l := newLatchT(t, closedClient, zktest.UniquePath(t), "x")
	require.ErrorIs(t, l.Start(zktest.Context(t)), zk.ErrClosed)
	require.ErrorIs(t, l.Start(zktest.Context(t)), ErrClosed)
	require.NoError(t, l.Close(), "Close is idempotent")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l = newLatchT(t, c, zktest.UniquePath(t), "x")
	require.ErrorIs(t, l.Start(ctx), context.Canceled)
}

func TestLatchSuspendedDropsAndRecontests(t *testing.T) {
	srv := zktest.Embedded(t)
	path := zktest.UniquePath(t)
	c := zktest.Connect(t, srv.ConnectString())
	a := startLatch(t, c, path, "a")
	b := startLatch(t, zktest.Connect(t, srv.ConnectString()), path, "b")
	lead := await(t, a)
	node := a.OurPath()

	srv.DropSession(c.SessionID())
	zktest.WaitDone(t, lead, "leadership to end on Suspended")
	require.ErrorIs(t, context.Cause(lead), ErrLost)

	// Same session after reconnect: the node is kept, and it is still first.
	lead = await(t, a)
	require.Equal(t, node, a.OurPath())
	require.NoError(t, lead.Err())
	require.False(t, b.IsLeader())
}

func TestLatchSessionPolicyKeepsLeadershipOverSuspended(t *testing.T) {
	srv := zktest.Embedded(t)
	path := zktest.UniquePath(t)
	c := zktest.Connect(t, srv.ConnectString(), zk.WithErrorPolicy(zk.SessionErrorPolicy))
	a := startLatch(t, c, path, "a")
	lead := await(t, a)
	var states zktest.Recorder[zk.ConnectionState]
	c.Listen(states.Add)
	srv.DropSession(c.SessionID())
	states.WaitFor(t, zk.Suspended, zk.Reconnected)
	require.NoError(t, lead.Err())
	require.True(t, a.IsLeader())
}

func TestLatchSessionExpiryHandsOverAndRequeues(t *testing.T) {
	srv := zktest.Embedded(t)
	path := zktest.UniquePath(t)
	ca := zktest.Connect(t, srv.ConnectString())
	cb := zktest.Connect(t, srv.ConnectString())
	a := startLatch(t, ca, path, "a")
	leadA := await(t, a)
	b := startLatch(t, cb, path, "b")
	oldNode := a.OurPath()

	srv.ExpireSession(ca.SessionID())
	zktest.WaitDone(t, leadA, "leadership to end on expiry")
	await(t, b)

	// a re-contests in its new session with a new node behind b's; the old
	// node is gone and never counted.
	zktest.Eventually(t, func() bool {
		p := a.OurPath()
		return p != "" && p != oldNode
	}, "a new node for a")
	require.False(t, a.IsLeader())
	ps, err := a.Participants(zktest.Context(t))
	require.NoError(t, err)
	require.Equal(t, []Participant{{"b", true}, {"a", false}}, ps)
	ok, _, err := cb.Exists(zktest.Context(t), oldNode)
	require.NoError(t, err)
	require.False(t, ok)

	require.NoError(t, b.Close())
	await(t, a)
}

func TestLatchNodeDeletedBySomeoneElse(t *testing.T) {
	srv := zktest.Server(t)
	path := zktest.UniquePath(t)
	c := zktest.Connect(t, srv.ConnectString())
	a := startLatch(t, c, path, "a")
	lead := await(t, a)
	node := a.OurPath()
	require.NoError(t, zktest.Connect(t, srv.ConnectString()).Delete(zktest.Context(t), node, -1))
	zktest.WaitDone(t, lead, "leadership to end")
	require.ErrorIs(t, context.Cause(lead), seqnode.ErrHoldLost)
	lead = await(t, a) // alone: leads again on a new node
	require.NotEqual(t, node, a.OurPath())
	require.NoError(t, lead.Err())
}

func TestLatchAwaitCancelled(t *testing.T) {
	srv := zktest.Server(t)
	path := zktest.UniquePath(t)
	a := startLatch(t, zktest.Connect(t, srv.ConnectString()), path, "a")
	await(t, a)
	b := startLatch(t, zktest.Connect(t, srv.ConnectString()), path, "b")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := b.Await(ctx)
	require.True(t, errors.Is(err, context.Canceled), err)
}

func TestLeaderNoParticipants(t *testing.T) {
	c := zktest.Connect(t, zktest.Server(t).ConnectString())
	l := newLatchT(t, c, zktest.UniquePath(t), "x")
	_, err := l.Leader(zktest.Context(t))
	require.ErrorIs(t, err, ErrNoLeader)
	ps, err := l.Participants(zktest.Context(t))
	require.NoError(t, err)
	require.Empty(t, ps)
}
