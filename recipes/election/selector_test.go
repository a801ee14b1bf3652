package election

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
)

var lockNodeRE = regexp.MustCompile(`^_c_[0-9a-f-]{36}-lock-\d{10}$`)

// recvCtx waits for a leadership context from ch, failing after 30s.
func recvCtx(t *testing.T, ch <-chan context.Context) context.Context {
	t.Helper()
	select {
	case ctx := <-ch:
		return ctx
	case <-time.After(30 * time.Second):
		t.Fatal("no leadership within 30s")
		return nil
	}
}

// blockingLeader returns a LeaderFunc that reports each leadership on the
// returned channel and leads until its context ends.
func blockingLeader() (LeaderFunc, <-chan context.Context) {
	ch := make(chan context.Context, 16)
	return func(ctx context.Context) error {
		ch <- ctx
		<-ctx.Done()
		return nil
	}, ch
}

func TestSelectorTakesTurns(t *testing.T) {
	srv := zktest.Server(t)
	path := zktest.UniquePath(t)
	const n, rounds = 3, 9
	var current atomic.Int32
	var violations, turns atomic.Int32
	next := make(chan struct{})
	sels := make([]*Selector, n)
	for i := range sels {
		id := int32(i + 1)
		fn := func(ctx context.Context) error {
			if !current.CompareAndSwap(0, id) {
				violations.Add(1)
			}
			defer current.Store(0)
			turns.Add(1)
			select {
			case <-next:
			case <-ctx.Done():
			}
			return nil
		}
		sels[i] = newSelectorT(t, zktest.Connect(t, srv.ConnectString()), path, fmt.Sprintf("s%d", i), fn, WithAutoRequeue())
		require.NoError(t, sels[i].Start(zktest.Context(t)))
	}
	defer func() {
		for _, s := range sels {
			require.NoError(t, s.Close())
		}
	}()
	c := zktest.Connect(t, srv.ConnectString())
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, c, path)) == n }, "3 participants")
	for _, k := range zktest.Children(t, c, path) {
		require.Regexp(t, lockNodeRE, k)
	}
	ps, err := sels[0].Participants(zktest.Context(t))
	require.NoError(t, err)
	require.Len(t, ps, n)
	require.True(t, ps[0].Leader)
	ld, err := sels[1].Leader(zktest.Context(t))
	require.NoError(t, err)
	require.Equal(t, ps[0], ld)
	// The first node's Selector leads once its function runs (the node
	// being first on the server comes before that).
	zktest.Eventually(t, func() bool { return turns.Load() == 1 }, "the first turn")
	leaders := 0
	for _, s := range sels {
		if s.IsLeader() {
			leaders++
			require.Equal(t, s.ID(), ld.ID)
		}
	}
	require.Equal(t, 1, leaders)

	for range rounds {
		next <- struct{}{}
	}
	zktest.Eventually(t, func() bool { return turns.Load() > rounds }, "turns")
	require.Zero(t, violations.Load())
}

func TestSelectorInterruptRequeueAndClose(t *testing.T) {
	srv := zktest.Server(t)
	path := zktest.UniquePath(t)
	fn, leads := blockingLeader()
	s := newSelectorT(t, zktest.Connect(t, srv.ConnectString()), path, "x", fn, WithAutoRequeue())
	require.NoError(t, s.Start(zktest.Context(t)))
	require.ErrorIs(t, s.Start(zktest.Context(t)), ErrStarted)
	lead := recvCtx(t, leads)
	require.True(t, s.IsLeader())
	s.Interrupt()
	zktest.WaitDone(t, lead, "interrupted leadership")
	require.ErrorIs(t, context.Cause(lead), ErrInterrupted)
	lead = recvCtx(t, leads) // requeued
	require.NoError(t, s.Close())
	require.ErrorIs(t, context.Cause(lead), ErrClosed)
	require.False(t, s.IsLeader())
	require.NoError(t, s.Close(), "Close is idempotent")
	require.Empty(t, zktest.Children(t, zktest.Connect(t, srv.ConnectString()), path))
}

func TestSelectorOnceWithoutRequeue(t *testing.T) {
	_, c, path := zktest.Setup(t)
	var runs atomic.Int32
	done := make(chan struct{}, 4)
	errBoom := errors.New("boom")
	var reported atomic.Value
	s := newSelectorT(t, c, path, "x", func(ctx context.Context) error {
		runs.Add(1)
		done <- struct{}{}
		return errBoom
	}, WithErrorHandler(func(err error) { reported.Store(err) }))
	require.NoError(t, s.Start(zktest.Context(t)))
	<-done
	zktest.Eventually(t, func() bool { return s.Requeue() }, "the selector to finish its turn")
	<-done
	require.NoError(t, s.Close())
	require.Equal(t, int32(2), runs.Load())
	require.ErrorIs(t, reported.Load().(error), errBoom)
	require.False(t, s.Requeue())
}

func TestSelectorLeadershipEndsOnSuspended(t *testing.T) {
	srv := zktest.Embedded(t)
	path := zktest.UniquePath(t)
	c := zktest.Connect(t, srv.ConnectString())
	fn, leads := blockingLeader()
	s := newSelectorT(t, c, path, "x", fn, WithAutoRequeue())
	require.NoError(t, s.Start(zktest.Context(t)))
	defer s.Close()
	lead := recvCtx(t, leads)
	srv.DropSession(c.SessionID())
	zktest.WaitDone(t, lead, "leadership to end on Suspended")
	require.ErrorIs(t, context.Cause(lead), ErrLost)
	lead = recvCtx(t, leads) // requeued after reconnecting
	require.NoError(t, lead.Err())
}
