package testserver_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/testserver/internal/rawclient"
	"github.com/zkcurator/zkcurator/zk"
)

// After Close every method answers without panicking: Close again nil,
// Stop and Restart ErrClosed, the fault methods nothing, and nobody can
// connect.
func TestServerAfterClose(t *testing.T) {
	srv, err := testserver.Start(nil) // nil options are skipped
	require.NoError(t, err)
	// A raw session: it does not try to reconnect once the server is gone.
	raw, err := rawclient.Dial(zktest.Context(t), srv.Addr(), rawclient.Options{})
	require.NoError(t, err)
	defer raw.Close()
	id := raw.SessionID()
	require.Equal(t, []int64{id}, srv.Sessions())

	require.NoError(t, srv.Close())
	require.NoError(t, srv.Close(), "second Close")
	require.ErrorIs(t, srv.Stop(), testserver.ErrClosed)
	require.ErrorIs(t, srv.Restart(), testserver.ErrClosed)
	require.Empty(t, srv.Sessions())
	require.Zero(t, srv.DropConnections())
	require.False(t, srv.DropSession(id))
	require.False(t, srv.ExpireSession(id))
	srv.Stall(time.Second)
	srv.SetLatency(time.Second)
	srv.RejectConnections(time.Second)
	srv.DropAfterApply(jute.OpCreate)
	require.NotEmpty(t, srv.ConnectString())

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err = zk.Dial(ctx, srv.ConnectString())
	require.Error(t, err, "a closed server accepts no session")
}

// Stop twice, then Restart twice: each is a no-op the second time.
func TestServerStopRestartRepeat(t *testing.T) {
	srv := testserver.New(t)
	require.NoError(t, srv.Stop())
	require.NoError(t, srv.Stop())
	require.NoError(t, srv.Restart())
	require.NoError(t, srv.Restart())
	conn, err := zk.Dial(zktest.Context(t), srv.ConnectString())
	require.NoError(t, err)
	require.NoError(t, conn.Close())
}
