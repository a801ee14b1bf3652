package zk_test

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/zk"
)

// A real old server answers an unknown op outside its request pipeline, so
// the Unimplemented reply can overtake the reply to an earlier request.
// The refused op still gets ErrUnimplemented (not a connection loss a
// retrying caller would repeat); the overtaken request is lost with the
// connection (ErrConnectionLoss) and the Conn reconnects.
func TestConnUnimplementedOutOfOrder(t *testing.T) {
	var held atomic.Bool
	sawGet := make(chan struct{})
	fs := newFakeServer(t, &fakeServer{timeout: 4000, answer: func(xid, op int32) []byte {
		switch {
		case op == jute.OpGetData && held.CompareAndSwap(false, true):
			close(sawGet)
			return []byte{} // never answered
		case op == jute.OpWhoAmI:
			return replyFrame(xid, -1, jute.ErrUnimplemented, nil)
		}
		return nil
	}})
	c := dialConn(t, fs.addr())
	ctx := opCtx(t)

	getErr := make(chan error, 1)
	go func() {
		_, _, err := c.Get(ctx, "/x")
		getErr <- err
	}()
	<-sawGet
	_, err := c.WhoAmI(ctx)
	require.ErrorIs(t, err, zk.ErrUnimplemented)
	require.NotErrorIs(t, err, zk.ErrConnectionLoss)
	require.ErrorIs(t, <-getErr, zk.ErrConnectionLoss)

	zktest.Eventually(t, func() bool { // the next connection answers
		data, _, err := c.Get(ctx, "/x")
		return err == nil && string(data) == "ok"
	}, "a read on the next connection")
}
