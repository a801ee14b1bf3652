package zk_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// TestIdlePersistentWatchesHoldNoGoroutines: a persistent watch runs a
// goroutine only while it has events to hand over, so a session can hold
// many of them (issue #15: 100,000 watches in one session).
func TestIdlePersistentWatchesHoldNoGoroutines(t *testing.T) {
	const n = 200
	srv := zktest.Server(t)
	ctx := opCtx(t)
	c := dialConn(t, srv.ConnectString())
	_, err := c.Create(ctx, "/pump", nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	before := runtime.NumGoroutine()
	ws := make([]*zk.Watcher, n)
	for i := range ws {
		mode := zk.AddWatchPersistent
		if i%2 == 1 {
			mode = zk.AddWatchPersistentRecursive
		}
		ws[i], err = c.AddWatch(ctx, fmt.Sprintf("/pump/n%03d", i), mode)
		require.NoError(t, err)
	}
	require.Less(t, runtime.NumGoroutine()-before, n/10, "idle watches hold no goroutine")

	// Each fires twice, read after both were queued: nothing lost, in order.
	for i := range ws {
		_, err := c.Create(ctx, fmt.Sprintf("/pump/n%03d", i), nil, zk.ModePersistent, zk.OpenACLUnsafe)
		require.NoError(t, err)
		_, err = c.Set(ctx, fmt.Sprintf("/pump/n%03d", i), []byte("x"), -1)
		require.NoError(t, err)
	}
	for i, w := range ws {
		require.Equal(t, zk.EventNodeCreated, recv(t, w.Events()).Type, "watch %d", i)
		require.Equal(t, zk.EventNodeDataChanged, recv(t, w.Events()).Type, "watch %d", i)
	}
	zktest.Eventually(t, func() bool { return runtime.NumGoroutine()-before < n/10 },
		"the pumps end once their events are handed over")

	// Removing ends the watch: the final event, then a closed channel.
	require.NoError(t, ws[0].Remove(ctx))
	require.Equal(t, zk.EventNotWatching, recv(t, ws[0].Events()).Type)
	_, ok := <-ws[0].Events()
	require.False(t, ok)
}
