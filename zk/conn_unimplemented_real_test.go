package zk_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// Against real ZooKeeper 3.8 (ZKCURATOR_REAL_ZK=1): an op the server does
// not know, written right behind a pipeline of reads, is answered
// Unimplemented outside the server's request pipeline, often before the
// reads' replies, and the connection is closed. The refused op gets
// ErrUnimplemented every time; each read either succeeds or fails with
// connection loss, never hangs or gets another error. (Whether the reply
// overtakes is the server's timing: without the out-of-order handling this
// test failed in most runs under -race, the refused op getting connection
// loss, as the Java client's would.)
func TestRealUnknownOpOutOfOrder(t *testing.T) {
	cs := zktest.RealConnectString(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := dialConn(t, cs)
	base := zktest.UniquePath(t)
	_, err := c.Create(ctx, base, make([]byte, 100<<10), zk.ModePersistent, nil)
	require.NoError(t, err)
	paths := make([]string, 50)
	for i := range paths {
		paths[i] = base
	}
	const unknownOp = 999
	overtaken := 0
	for round := range 5 {
		errs, err := zk.PipelineForTest(ctx, c, paths, unknownOp)
		require.ErrorIs(t, err, zk.ErrUnimplemented, "round %d", round)
		require.NotErrorIs(t, err, zk.ErrConnectionLoss, "round %d", round)
		for _, e := range errs {
			if e != nil {
				require.ErrorIs(t, e, zk.ErrConnectionLoss, "round %d", round)
				overtaken++
			}
		}
		zktest.Eventually(t, func() bool { _, _, err := c.Get(ctx, base); return err == nil }, "reconnected")
	}
	t.Logf("reads lost to the closed connection: %d of %d", overtaken, 5*len(paths))
}

// Real 3.8 sends no zxid on notifications: Event.Zxid is 0.
func TestEventZxidUnknownBefore39(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	p := zktest.UniquePath(t)
	_, err := c.Create(ctx, p, nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	_, _, ch, err := c.GetW(ctx, p)
	require.NoError(t, err)
	_, err = c.Set(ctx, p, []byte("x"), zk.AnyVersion)
	require.NoError(t, err)
	ev := recv(t, ch)
	require.Equal(t, zk.EventNodeDataChanged, ev.Type)
	require.Zero(t, ev.Zxid)
}
