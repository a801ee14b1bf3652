package lock

import (
	"context"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// Issue #17 bug 2: under SessionErrorPolicy a holder cut off from the
// server (connection open, nothing gets through) keeps its hold until
// Lost. Lost must come before the server expires the session and a
// waiter acquires, so no two holders are ever inside together. The
// sessions are not marked expired in the guard: any overlap is a
// violation, fencing excuses none.
func TestMutexSessionPolicyPartitionedHolder(t *testing.T) {
	if testing.Short() {
		t.Skip("long: two partitions waited out to the session timeout")
	}
	srv := zktest.Embedded(t)
	ctx, cancel := context.WithTimeout(context.Background(), 55*time.Second)
	defer cancel()
	const nClients, rounds = 3, 2
	clients := make([]*zk.Client, nClients)
	for i := range clients {
		clients[i] = zktest.Connect(t, srv.ConnectString(),
			zk.WithSessionTimeout(3*time.Second), zk.WithErrorPolicy(zk.SessionErrorPolicy))
	}
	g := newGuard()
	runExclusion(t, ctx, exclusionRun{
		clients: clients, path: zktest.UniquePath(t), rounds: rounds, faultEvery: 3,
		fault: func(_ int, self *zk.Client) bool {
			srv.Blackhole(self.SessionID())
			return true
		},
	}, g)
}
