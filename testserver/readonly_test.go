package testserver_test

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver/internal/rawclient"
)

func isro(t *testing.T, addr string) string {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	defer nc.Close()
	_, err = nc.Write([]byte("isro"))
	require.NoError(t, err)
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(nc)
	require.NoError(t, err)
	return string(b)
}

// The "quorum lost -> read-only" fault, on the wire: a read-only session
// only for clients that allow it, NotReadOnly for writes, reads served,
// isro says ro; healed, isro says rw and the read-only server's own
// sessions are gone.
func TestReadOnlyFault(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	require.Equal(t, "rw", isro(t, srv.Addr()))
	global, err := rawclient.Dial(ctx, srv.Addr(), rawclient.Options{ReadOnly: true})
	require.NoError(t, err)
	defer global.Close()

	srv.SetReadOnly(true)
	require.True(t, srv.ReadOnly())
	require.Equal(t, "ro", isro(t, srv.Addr()))

	hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = rawclient.Dial(hctx, srv.Addr(), rawclient.Options{})
	require.Error(t, err, "a client that does not allow read-only mode is refused")
	_, err = rawclient.Dial(hctx, srv.Addr(), rawclient.Options{ReadOnly: true,
		SessionID: global.SessionID(), Passwd: global.Response().Passwd})
	require.Error(t, err, "a session made before the fault cannot re-attach")

	rc, err := rawclient.Dial(ctx, srv.Addr(), rawclient.Options{ReadOnly: true})
	require.NoError(t, err)
	defer rc.Close()
	require.True(t, rc.Response().ReadOnly)
	require.NotZero(t, rc.SessionID())

	require.NoError(t, rc.Send(1, jute.OpCreate, &jute.CreateRequest{Path: "/a", ACL: []jute.ACL{{Perms: 31, ID: jute.Id{Scheme: "world", ID: "anyone"}}}}))
	f, err := rc.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, jute.ErrNotReadOnly, f.Header.Err)
	require.NoError(t, rc.Send(2, jute.OpGetData, &jute.GetDataRequest{Path: "/"}))
	f, err = rc.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, int32(0), f.Header.Err)

	roSession := rc.SessionID()
	srv.SetReadOnly(false)
	require.Equal(t, "rw", isro(t, srv.Addr()))
	_, err = rc.Next(ctx)
	require.ErrorIs(t, err, rawclient.ErrClosed, "healing restarts the member: connections close")
	require.NotContains(t, srv.Sessions(), roSession)
	again, err := rawclient.Dial(ctx, srv.Addr(), rawclient.Options{SessionID: roSession, Passwd: rc.Response().Passwd})
	if err == nil {
		defer again.Close()
		require.LessOrEqual(t, again.Response().TimeOut, int32(0), "the read-only session cannot be re-attached")
	}
}
