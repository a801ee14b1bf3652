package election

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/zk"
)

// recvLeader receives from ch, failing the test after 30s.
func recvLeader(t *testing.T, ch <-chan Leader) (Leader, bool) {
	t.Helper()
	timer := time.NewTimer(30 * time.Second)
	defer timer.Stop()
	select {
	case l, ok := <-ch:
		return l, ok
	case <-timer.C:
		t.Fatal("no value from Observe within 30s")
		return Leader{}, false
	}
}

// nextLeader reads from ch until it reports the leader with id ("" for
// none), failing the test if the channel closes first.
func nextLeader(t *testing.T, ch <-chan Leader, id string) Leader {
	t.Helper()
	for {
		l, ok := recvLeader(t, ch)
		require.True(t, ok, "observe channel closed while waiting for %q", id)
		if l.ID == id {
			return l
		}
	}
}

func TestObserveLatchLeaders(t *testing.T) {
	srv := zktest.Server(t)
	path := zktest.UniquePath(t)
	observer := zktest.Connect(t, srv.ConnectString())
	ctx, cancel := context.WithCancel(zktest.Context(t))
	defer cancel()
	ch, err := Observe(ctx, observer, path)
	require.NoError(t, err)
	require.Equal(t, Leader{}, nextLeader(t, ch, ""), "no election yet")

	a := startLatch(t, zktest.Connect(t, srv.ConnectString()), path, "a")
	await(t, a)
	la := nextLeader(t, ch, "a")
	require.Equal(t, a.OurPath(), la.Node)
	require.Equal(t, a.FencingToken(), la.Token)
	b := startLatch(t, zktest.Connect(t, srv.ConnectString()), path, "b")
	require.NoError(t, a.Close())
	lb := nextLeader(t, ch, "b")
	await(t, b)
	require.Equal(t, b.FencingToken(), lb.Token)
	require.Greater(t, lb.Token, la.Token)
	require.NoError(t, b.Close())
	require.Equal(t, Leader{}, nextLeader(t, ch, ""), "everyone left")

	cancel()
	for range ch {
	}
}

func TestObserveSelectorAndClientClose(t *testing.T) {
	srv := zktest.Server(t)
	path := zktest.UniquePath(t)
	observer := zktest.Connect(t, srv.ConnectString())
	ch, err := Observe(context.Background(), observer, path)
	require.NoError(t, err)
	fn, leads := blockingLeader()
	s := newSelectorT(t, zktest.Connect(t, srv.ConnectString()), path, "s1", fn)
	require.NoError(t, s.Start(zktest.Context(t)))
	recvCtx(t, leads)
	l := nextLeader(t, ch, "s1")
	require.Equal(t, s.FencingToken(), l.Token)
	require.NoError(t, s.Close())

	// Closing the client closes the channel, although ctx never ends.
	require.NoError(t, observer.Close())
	for {
		_, ok := recvLeader(t, ch)
		if !ok {
			break
		}
	}
	_, err = Observe(context.Background(), observer, path)
	require.ErrorIs(t, err, zk.ErrClosed)
	_, err = Observe(context.Background(), nil, path)
	require.ErrorIs(t, err, seqnode.ErrInvalidArgument)
	_, err = Observe(context.Background(), s.client, "x")
	require.ErrorIs(t, err, zk.ErrInvalidPath)
}
