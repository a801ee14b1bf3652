package election

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// TestLatchRealEnsembleMemberKilled runs three latches against a real
// three-member ensemble, kills ZooKeeper members (the quorum leader each
// round) while the latches contend, and checks that at most one latch
// leads at every instant and that leadership moves on after the leader
// leaves.
func TestLatchRealEnsembleMemberKilled(t *testing.T) {
	e := zktest.RealEnsemble(t, 3)
	path := zktest.UniquePath(t)
	const participants, rounds = 3, 3
	x := newExclusion()
	var wg sync.WaitGroup
	latches := make([]*Latch, participants)
	clients := make([]*zk.Client, participants)
	start := func(i int) {
		l := newLatchT(t, clients[i], path, fmt.Sprintf("p%d", i))
		require.NoError(t, l.Start(zktest.Context(t)))
		latches[i] = l
		wg.Add(1)
		go x.act(l, &wg)
	}
	for i := range clients {
		clients[i] = zktest.Connect(t, e.ConnectString())
		start(i)
	}
	defer func() {
		for _, l := range latches {
			_ = l.Close()
		}
		wg.Wait()
	}()
	leader := x.nextTerm(t, nil)
	for round := range rounds {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var zkLeader int
		zktest.Eventually(t, func() bool {
			i, err := e.Leader(ctx)
			zkLeader = i
			return err == nil
		}, "a ZooKeeper quorum leader")
		require.NoError(t, e.Kill(zkLeader))
		// The leading latch leaves while the ensemble elects a new leader.
		var i int
		_, err := fmt.Sscanf(leader.id, "p%d", &i)
		require.NoError(t, err)
		require.NoError(t, latches[i].Close())
		start(i)
		next := x.nextTerm(t, leader)
		t.Logf("round %d: ZooKeeper member %d killed, leadership %s -> %s", round, zkLeader, leader.id, next.id)
		leader = next
		require.NoError(t, e.Restart(ctx, zkLeader))
		cancel()
	}
	x.check(t)
}
