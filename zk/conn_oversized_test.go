package zk_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/zk"
)

// TestConnResponseTooLargeKeepsConnection: a reply longer than the
// client's frame limit fails its own request with ErrResponseTooLarge and
// nothing else — the connection stays up and the next request on it is
// answered. (It used to be a protocol error that dropped the connection,
// and a Client retried the request into the same wall 11 times.)
func TestConnResponseTooLargeKeepsConnection(t *testing.T) {
	var gets atomic.Int32
	fs := newFakeServer(t, &fakeServer{timeout: 10000, answer: func(xid, op int32) []byte {
		if op != jute.OpGetData || gets.Add(1) != 1 {
			return nil
		}
		body := (&jute.GetDataResponse{Data: make([]byte, 3<<20)}).Encode(nil)
		return replyFrame(xid, 7, 0, body)
	}})
	var disconnects atomic.Int32
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := zk.Dial(ctx, fs.addr(), zk.WithEventHandler(func(ev zk.Event) {
		if ev.State == zk.StateDisconnected {
			disconnects.Add(1)
		}
	}))
	require.NoError(t, err)
	defer c.Close()

	_, _, err = c.Get(ctx, "/big")
	require.ErrorIs(t, err, zk.ErrResponseTooLarge)
	require.False(t, zk.IsRetryable(err))
	require.Contains(t, err.Error(), "get /big")
	require.Contains(t, err.Error(), fmt.Sprint(1048575))

	data, _, err := c.Get(ctx, "/small")
	require.NoError(t, err, "the connection survives the oversized reply")
	require.Equal(t, "ok", string(data))
	require.Zero(t, disconnects.Load(), "the connection was never dropped")
}

// TestClientResponseTooLargeNotRetried: against the embedded server, a
// Children reply over a small WithMaxBuffer fails at once with
// ErrResponseTooLarge — one attempt, no Suspended state — and the same
// Client goes on working.
func TestClientResponseTooLargeNotRetried(t *testing.T) {
	srv := zktest.Server(t)
	c, rec := zktest.ConnectRecorded(t, srv.ConnectString(), zk.WithMaxBuffer(16<<10))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := zktest.UniquePath(t)
	_, err := c.Create(ctx, p, nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	for batch := range 10 { // 1000 x 22-byte names: a 26 KB children reply
		var ops []zk.Op
		for i := range 100 {
			ops = append(ops, zk.CreateOp(fmt.Sprintf("%s/child-%016d", p, batch*100+i), nil, zk.ModePersistent, nil))
		}
		_, err = c.Multi(ctx, ops...)
		require.NoError(t, err)
	}

	_, _, err = c.Children(ctx, p)
	require.ErrorIs(t, err, zk.ErrResponseTooLarge)
	require.NotContains(t, err.Error(), "attempts", "not retried")

	_, _, err = c.Get(ctx, p)
	require.NoError(t, err)
	require.NoError(t, zktest.Connect(t, srv.ConnectString()).DeleteAll(ctx, p)) // default frame limit
	require.Equal(t, []zk.ConnectionState{zk.Connected}, rec.Items(), "no Suspended: the connection was kept")
}
