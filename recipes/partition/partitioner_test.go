package partition

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

func TestRoundRobin(t *testing.T) {
	set := []string{"e", "a", "c", "b", "d"}
	members := []string{"m2", "m1"}
	require.Equal(t, []string{"a", "c", "e"}, RoundRobin("m1", members, set))
	require.Equal(t, []string{"b", "d"}, RoundRobin("m2", members, set))
	require.Nil(t, RoundRobin("stranger", members, set))
}

func fastOpts(id string) []Option {
	return []Option{WithID(id), WithTimeBoundary(50 * time.Millisecond), WithMaxReactionTime(50 * time.Millisecond)}
}

func newPartitioner(t *testing.T, addr, path string, set []string, id string) *Partitioner {
	t.Helper()
	p, err := New(zktest.Connect(t, addr), path, set, fastOpts(id)...)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	return p
}

// Two members split the set; a third joins and all three rebalance; one
// leaves and the other two take its items.
func TestPartitionerSplitAndRebalance(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/work"
	set := []string{"q0", "q1", "q2", "q3", "q4", "q5"}
	a := newPartitioner(t, srv.ConnectString(), path, set, "a")
	b := newPartitioner(t, srv.ConnectString(), path, set, "b")
	require.Equal(t, Allocating, a.State())
	require.NoError(t, a.Start(ctx))
	require.NoError(t, b.Start(ctx))
	require.ErrorIs(t, a.Start(ctx), ErrStarted)

	waitSplit := func(ps ...*Partitioner) []Assignment {
		t.Helper()
		var as []Assignment
		zktest.Eventually(t, func() bool {
			as = as[:0]
			var all []string
			for _, p := range ps { // as kazoo's users do: release when asked
				if p.State() == Release {
					require.NoError(t, p.Release(ctx))
				}
			}
			for _, p := range ps {
				if p.State() != Acquired {
					return false
				}
				a, err := p.Wait(ctx)
				require.NoError(t, err)
				as = append(as, a)
				all = append(all, a.Partitions...)
			}
			slices.Sort(all)
			return slices.Equal(all, set)
		}, "the members split the set")
		return as
	}
	as := waitSplit(a, b)
	require.Equal(t, []string{"q0", "q2", "q4"}, as[0].Partitions)
	require.Equal(t, []string{"q1", "q3", "q5"}, as[1].Partitions)

	c := newPartitioner(t, srv.ConnectString(), path, set, "c")
	require.NoError(t, c.Start(ctx))
	zktest.WaitDone(t, as[0].Held, "a's assignment ends when c joins")
	require.ErrorIs(t, context.Cause(as[0].Held), ErrRebalance)
	as = waitSplit(a, b, c)
	require.Equal(t, []string{"q0", "q3"}, as[0].Partitions)

	require.NoError(t, c.Close())
	require.Equal(t, Failure, c.State())
	_, err := c.Wait(ctx)
	require.ErrorIs(t, err, zk.ErrClosed)
	as = waitSplit(a, b)
	require.Len(t, as[0].Partitions, 3)
}

// The iterator form releases and re-acquires by itself.
func TestPartitionerAssignments(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/work"
	set := []string{"x", "y"}
	a := newPartitioner(t, srv.ConnectString(), path, set, "a")
	require.NoError(t, a.Start(ctx))
	got := make(chan []string, 4)
	lctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for as, err := range a.Assignments(lctx) {
			if err != nil {
				return
			}
			got <- as.Partitions
			<-as.Held.Done()
		}
	}()
	require.Equal(t, []string{"x", "y"}, zktest.Recv(t, got))
	b := newPartitioner(t, srv.ConnectString(), path, set, "b")
	require.NoError(t, b.Start(ctx))
	require.Equal(t, []string{"x"}, zktest.Recv(t, got))
	bs, err := b.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"y"}, bs.Partitions)
	stop()
	zktest.Recv(t, done)
}

func TestPartitionerArgs(t *testing.T) {
	c := zktest.Connect(t, zktest.Server(t).ConnectString())
	_, err := New(nil, "/p", nil)
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
	_, err = New(c, "/p", []string{"a/b"})
	require.ErrorIs(t, err, zk.ErrInvalidPath)
	_, err = New(c, "/p", []string{"a"}, WithID("x/y"))
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
	_, err = New(c, "/p", []string{"a"}, WithTimeBoundary(0))
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
	p, err := New(c, "/p", []string{"a"})
	require.NoError(t, err)
	require.NoError(t, p.Close())
	require.NoError(t, p.Close())
	require.ErrorIs(t, p.Start(zktest.Context(t)), zk.ErrClosed)
	require.ErrorIs(t, p.Release(zktest.Context(t)), zk.ErrClosed)
	require.Equal(t, "ACQUIRED", fmt.Sprint(Acquired))
}
