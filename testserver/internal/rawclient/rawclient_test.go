package rawclient_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/testserver/internal/rawclient"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRoundTrip(t *testing.T) {
	srv := testserver.New(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, err := rawclient.Dial(ctx, srv.Addr(), rawclient.Options{Timeout: 4 * time.Second})
	require.NoError(t, err)
	require.NotZero(t, c.SessionID())
	require.EqualValues(t, 4000, c.Response().TimeOut)

	require.NoError(t, c.Send(1, jute.OpCreate, &jute.CreateRequest{Path: "/x", ACL: []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "world", ID: "anyone"}}}}))
	require.NoError(t, c.SendBody(2, jute.OpGetData, []byte{0, 0}))
	f, err := c.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, int32(1), f.Header.Xid)
	require.Equal(t, jute.ErrOK, f.Header.Err)
	var resp jute.CreateResponse
	require.NoError(t, jute.Unmarshal(f.Body, &resp))
	require.Equal(t, "/x", resp.Path)
	f, err = c.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, jute.ReplyHeader{Xid: 2, Zxid: f.Header.Zxid, Err: jute.ErrMarshallingError}, f.Header)

	frames, err := c.CloseSession(ctx, 3)
	require.NoError(t, err)
	require.Len(t, frames, 1)
	require.Equal(t, int32(3), frames[0].Header.Xid)
	require.Error(t, c.ReadErr())
	_, err = c.Next(ctx)
	require.True(t, errors.Is(err, rawclient.ErrClosed))
	require.NoError(t, c.Close())
}

func TestExpiredSessionAndClose(t *testing.T) {
	srv := testserver.New(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, err := rawclient.Dial(ctx, srv.Addr(), rawclient.Options{SessionID: 42, Passwd: make([]byte, 16)})
	require.NoError(t, err)
	require.Zero(t, c.Response().TimeOut, "unknown session: the expired answer")
	_, err = c.Next(ctx)
	require.ErrorIs(t, err, rawclient.ErrClosed)
	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "idempotent")

	// Close with frames still unread must not block.
	d, err := rawclient.Dial(ctx, srv.Addr(), rawclient.Options{NoReadOnlyFlag: true})
	require.NoError(t, err)
	for i := int32(1); i <= 50; i++ {
		require.NoError(t, d.Send(i, jute.OpExists, &jute.ExistsRequest{Path: "/"}))
	}
	require.NoError(t, d.Close())
	<-d.Done()
}
