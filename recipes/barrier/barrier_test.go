package barrier

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

func TestBarrierSetWaitRemove(t *testing.T) {
	srv := zktest.Server(t)
	path := zktest.UniquePath(t) + "/b"
	ctx := zktest.Context(t)
	b := newT(t, zktest.Connect(t, srv.ConnectString()), path)
	require.NoError(t, b.Wait(ctx)) // not set: returns at once
	require.NoError(t, b.Remove(ctx))
	require.NoError(t, b.Set(ctx))
	require.NoError(t, b.Set(ctx)) // idempotent

	const waiters = 3
	released := make(chan error, waiters)
	var waiting sync.WaitGroup
	for range waiters {
		w := newT(t, zktest.Connect(t, srv.ConnectString()), path)
		waiting.Add(1)
		go func() {
			waiting.Done()
			released <- w.Wait(ctx)
		}()
	}
	waiting.Wait()
	select {
	case err := <-released:
		t.Fatalf("Wait returned while the barrier is set: %v", err)
	default:
	}
	require.NoError(t, b.Remove(ctx))
	for range waiters {
		require.NoError(t, zktest.Recv(t, released))
	}

	require.NoError(t, b.Set(ctx))
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, b.Wait(cctx), context.Canceled)
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestDoubleBarrierEnterAndLeaveTogether(t *testing.T) {
	srv := zktest.Server(t)
	path := zktest.UniquePath(t)
	const n = 4
	ctx := zktest.Context(t)
	var entered, left atomic.Int32
	errs := make(chan error, 2*n)
	bars := make([]*DoubleBarrier, n)
	for i := range bars {
		bars[i] = newDoubleT(t, zktest.Connect(t, srv.ConnectString()), path, n)
	}
	for _, d := range bars[:n-1] {
		go func() {
			errs <- d.Enter(ctx)
		}()
	}
	// Nobody enters before the last member arrives.
	c := zktest.Connect(t, srv.ConnectString())
	zktest.Eventually(t, func() bool {
		kids, _, err := c.Children(ctx, path)
		return err == nil && len(kids) == n-1
	}, "n-1 members waiting")
	kids, _, err := c.Children(ctx, path)
	require.NoError(t, err)
	for _, k := range kids {
		require.Regexp(t, uuidRE, k)
	}
	require.Zero(t, entered.Load())
	go func() { errs <- bars[n-1].Enter(ctx) }()
	for range n {
		require.NoError(t, zktest.Recv(t, errs))
		entered.Add(1)
	}
	ok, _, err := c.Exists(ctx, path+"/ready")
	require.NoError(t, err)
	require.True(t, ok)
	require.ErrorIs(t, bars[0].Enter(ctx), ErrEntered)

	// Leave: nobody returns before the last member has called Leave.
	for _, d := range bars[:n-1] {
		go func() {
			err := d.Leave(ctx)
			left.Add(1)
			errs <- err
		}()
	}
	// The members that left delete their nodes, except the lowest, which
	// leaves last.
	names := make([]string, n)
	for i, d := range bars {
		names[i] = d.name
	}
	want := []string{slices.Min(names), names[n-1]}
	slices.Sort(want)
	want = slices.Compact(want)
	zktest.Eventually(t, func() bool {
		kids, _, err := c.Children(ctx, path)
		kids = members(kids)
		slices.Sort(kids)
		return err == nil && slices.Equal(kids, want)
	}, "members to delete their nodes")
	require.Zero(t, left.Load(), "a member left before the last one called Leave")
	go func() { errs <- bars[n-1].Leave(ctx) }()
	for range n {
		require.NoError(t, zktest.Recv(t, errs))
	}
	// The barrier's parent is a container: once empty, a real server may
	// reap it, so a missing parent counts as no children (zktest.Children).
	require.Empty(t, zktest.Children(t, c, path), "ready and member nodes are deleted")
	require.ErrorIs(t, bars[0].Leave(ctx), ErrNotEntered)
}

func TestDoubleBarrierMemberSessionExpires(t *testing.T) {
	srv := zktest.Embedded(t)
	path := zktest.UniquePath(t)
	const n = 3
	ctx := zktest.Context(t)
	clients := make([]*zk.Client, n)
	bars := make([]*DoubleBarrier, n)
	for i := range bars {
		clients[i] = zktest.Connect(t, srv.ConnectString())
		bars[i] = newDoubleT(t, clients[i], path, n)
	}
	c := zktest.Connect(t, srv.ConnectString())
	count := func() int {
		kids, _, err := c.Children(ctx, path)
		if errors.Is(err, zk.ErrNoNode) {
			return 0
		}
		require.NoError(t, err)
		return len(members(kids))
	}

	// While waiting in Enter: the expired member comes back in its new
	// session, so everyone enters.
	errs := make(chan error, n)
	for _, d := range bars[:n-1] {
		go func() { errs <- d.Enter(ctx) }()
	}
	zktest.Eventually(t, func() bool { return count() == n-1 }, "two members waiting")
	srv.ExpireSession(clients[0].SessionID())
	zktest.Eventually(t, func() bool { return count() == n-1 && clients[0].State() == zk.Reconnected }, "the expired member to come back")
	go func() { errs <- bars[n-1].Enter(ctx) }()
	for range n {
		require.NoError(t, zktest.Recv(t, errs))
	}

	// After entering: member 1's session expires mid-computation. The
	// others leave without it; its own Leave reports the lost node.
	srv.ExpireSession(clients[1].SessionID())
	zktest.Eventually(t, func() bool { return count() == n-1 }, "the expired member's node to go")
	for _, i := range []int{0, 2} {
		go func() { errs <- bars[i].Leave(ctx) }()
	}
	require.NoError(t, zktest.Recv(t, errs))
	require.NoError(t, zktest.Recv(t, errs))
	require.ErrorIs(t, bars[1].Leave(ctx), ErrNodeLost)
	require.Zero(t, count())
}

// TestDoubleBarrierEnterSessionLostBeforeReadyWatch loses the session
// after the member's node is made but before its watch on "ready" is set:
// the retried watch lives in the new session and never reports the loss,
// so Enter must notice Lost itself and make its node again.
func TestDoubleBarrierEnterSessionLostBeforeReadyWatch(t *testing.T) {
	ctx, srv, other, path := zktest.SetupEmbedded(t)
	_, err := other.Create(ctx, path, nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	c, rec := zktest.ConnectRecorded(t, srv.ConnectString())
	old := c.SessionID()

	// The exists on "ready" is applied, then the connection is closed
	// before the reply; no reconnect until the session has expired.
	srv.DropAfterApply(jute.OpExists)
	srv.RejectConnections(time.Minute)
	errs := make(chan error, 2)
	go func() { errs <- newDoubleT(t, c, path, 2).Enter(ctx) }()
	zktest.Eventually(t, func() bool { return c.State() == zk.Suspended }, "the connection to drop")
	require.True(t, srv.ExpireSession(old))
	srv.RejectConnections(0)
	rec.WaitFor(t, zk.Connected, zk.Suspended, zk.Lost, zk.Reconnected)

	zktest.Eventually(t, func() bool {
		kids := zktest.Children(t, other, path)
		if len(kids) != 1 {
			return false
		}
		ok, st, err := other.Exists(ctx, path+"/"+kids[0])
		return err == nil && ok && st.EphemeralOwner == c.SessionID()
	}, "the member's node in its new session")
	go func() { errs <- newDoubleT(t, other, path, 2).Enter(ctx) }()
	require.NoError(t, zktest.Recv(t, errs))
	require.NoError(t, zktest.Recv(t, errs))
}

func TestDoubleBarrierEnterCancelledLeavesNoNode(t *testing.T) {
	_, c, path := zktest.Setup(t)
	d := newDoubleT(t, c, path, 2)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.Enter(ctx) }()
	zktest.Eventually(t, func() bool {
		kids, _, err := c.Children(context.Background(), path)
		return err == nil && len(kids) == 1
	}, "our node")
	cancel()
	require.ErrorIs(t, zktest.Recv(t, errc), context.Canceled)
	kids, _, err := c.Children(context.Background(), path)
	require.NoError(t, err)
	require.Empty(t, kids)
}

// TestDoubleBarrierReusedRounds loops three members through Enter and
// Leave on one path, both reusing their DoubleBarrier and making a new one
// each round. Members of round r+1 must not be mistaken for members of
// round r still leaving (which deadlocked within a few rounds).
func TestDoubleBarrierReusedRounds(t *testing.T) {
	for _, fresh := range []bool{false, true} {
		t.Run(map[bool]string{false: "reuse", true: "fresh"}[fresh], func(t *testing.T) {
			srv := zktest.Server(t)
			path := zktest.UniquePath(t)
			const n, rounds = 3, 25
			ctx, cancel := context.WithTimeout(zktest.Context(t), 45*time.Second)
			defer cancel()
			errs := make(chan error, n)
			for range n {
				c := zktest.Connect(t, srv.ConnectString())
				go func() {
					d := newDoubleT(t, c, path, n)
					for r := range rounds {
						if fresh {
							d = newDoubleT(t, c, path, n)
						}
						if err := d.Enter(ctx); err != nil {
							errs <- fmt.Errorf("round %d enter: %w", r, err)
							return
						}
						if err := d.Leave(ctx); err != nil {
							errs <- fmt.Errorf("round %d leave: %w", r, err)
							return
						}
					}
					errs <- nil
				}()
			}
			for range n {
				require.NoError(t, zktest.Recv(t, errs))
			}
			c := zktest.Connect(t, srv.ConnectString())
			require.Empty(t, zktest.Children(t, c, path), "ready and member nodes are deleted")
		})
	}
}

// newT is New failing the test on error.
func newT(t testing.TB, c *zk.Client, path string) *Barrier {
	t.Helper()
	b, err := New(c, path)
	require.NoError(t, err)
	return b
}

// newDoubleT is NewDouble failing the test on error.
func newDoubleT(t testing.TB, c *zk.Client, path string, members int) *DoubleBarrier {
	t.Helper()
	d, err := NewDouble(c, path, members)
	require.NoError(t, err)
	return d
}

func TestConstructorsRejectBadArguments(t *testing.T) {
	srv := zktest.Server(t)
	c := zktest.Connect(t, srv.ConnectString())
	path := zktest.UniquePath(t)
	_, err := New(nil, path)
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)
	_, err = New(c, "x")
	require.ErrorIs(t, err, zk.ErrInvalidPath)
	_, err = NewDouble(nil, path, 2)
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)
	_, err = NewDouble(c, path+"/", 2)
	require.ErrorIs(t, err, zk.ErrInvalidPath)
	for _, n := range []int{0, -1} {
		_, err = NewDouble(c, path, n)
		require.ErrorIs(t, err, seqnode.ErrInvalidArgument, "members %d", n)
	}

	ctx := context.Background()
	var b Barrier
	require.ErrorIs(t, b.Set(ctx), seqnode.ErrInvalidArgument)
	require.ErrorIs(t, b.Wait(ctx), seqnode.ErrInvalidArgument)
	var d DoubleBarrier
	require.ErrorIs(t, d.Enter(ctx), seqnode.ErrInvalidArgument)
	require.ErrorIs(t, d.Leave(ctx), seqnode.ErrInvalidArgument)

	// On a closed client: at once, not when ctx ends.
	closed := zktest.Connect(t, srv.ConnectString())
	require.NoError(t, closed.Close())
	require.ErrorIs(t, newT(t, closed, path).Wait(ctx), zk.ErrClosed)
	require.ErrorIs(t, newDoubleT(t, closed, path, 2).Enter(ctx), zk.ErrClosed)
}
