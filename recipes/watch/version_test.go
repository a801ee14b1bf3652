package watch_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/watch"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// On a 3.5 server Start fails with ErrUnimplemented and the watcher does
// not try again (each try would make the server drop the connection).
func TestPersistentWatcherUnimplementedOn35(t *testing.T) {
	srv := zktest.Embedded(t, testserver.WithVersion("3.5"))
	ctx := zktest.Context(t)
	c, states := zktest.ConnectRecorded(t, srv.ConnectString())
	w, err := watch.New(c, "/p", true)
	require.NoError(t, err)
	err = w.Start(ctx)
	require.ErrorIs(t, err, zk.ErrUnimplemented)
	states.WaitFor(t, zk.Connected, zk.Suspended, zk.Reconnected)
	require.Never(t, func() bool { return len(states.Items()) > 3 }, time.Second, 20*time.Millisecond,
		"no retry: the connection stays up")
	require.NoError(t, w.Close())
}

// A session moved to a server without persistent watches (downgraded to
// 3.5) loses the watch: listeners hear EventNotWatching with
// ErrUnimplemented, and the watcher stops trying.
func TestPersistentWatcherAfterDowngrade(t *testing.T) {
	srv := zktest.Embedded(t, testserver.WithVersion("3.6"))
	ctx := zktest.Context(t)
	c, states := zktest.ConnectRecorded(t, srv.ConnectString())
	w, err := watch.New(c, "/p", false)
	require.NoError(t, err)
	defer w.Close()
	var ends zktest.Recorder[error]
	w.Listen(func(ev watch.Event) {
		if ev.Type == zk.EventNotWatching {
			ends.Add(ev.Err)
		}
	})
	require.NoError(t, w.Start(ctx))

	require.NoError(t, srv.SetVersion("3.5"))
	srv.DropConnections()
	zktest.Eventually(t, func() bool { return len(ends.Items()) == 1 }, "the watch ended")
	require.ErrorIs(t, ends.Items()[0], zk.ErrUnimplemented)
	// Drop, refused setWatches2 and then the one addWatch try: each a
	// Suspended/Reconnected; then the connection stays up.
	zktest.Eventually(t, func() bool { return len(states.Items()) == 7 }, "three reconnects")
	require.Never(t, func() bool { return len(states.Items()) > 7 }, time.Second, 20*time.Millisecond,
		"no retry: the connection stays up")
	require.Equal(t, zk.Reconnected, states.Items()[6])
}
