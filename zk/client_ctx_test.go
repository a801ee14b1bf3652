package zk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/zk"
)

// A Client op whose ctx ends returns an error that says which op and path,
// and still matches ctx.Err().
func TestClientCtxErrorsCarryOpAndPath(t *testing.T) {
	c := zktest.Connect(t, zktest.Server(t).ConnectString())
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range clientCalls() {
		if tc.op == "addAuth" || tc.op == "blockUntilConnected" || tc.op == "removeWatches" {
			continue // no path, or local
		}
		err := tc.call(canceled, c)
		require.ErrorIs(t, err, context.Canceled, tc.op)
		require.Equal(t, "zk: "+tc.op+" /p: context canceled", err.Error())
	}
}

// A ctx that ends while the retry loop runs says the operation and path
// once, then the ctx's error (and the last attempt's, if the ctx ended
// between attempts).
func TestClientCtxEndsDuringRetries(t *testing.T) {
	srv := zktest.Embedded(t)
	c := zktest.Connect(t, srv.ConnectString(), zk.WithRetryPolicy(retry.NTimes(1000, 10*time.Millisecond)),
		zk.WithConnectionTimeout(50*time.Millisecond))
	require.NoError(t, srv.Stop())
	ctx, cancel := context.WithTimeout(zktest.Context(t), 500*time.Millisecond)
	defer cancel()
	_, _, err := c.Get(ctx, "/x")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	msg := err.Error()
	require.True(t, strings.HasPrefix(msg, "zk: get /x: context deadline exceeded"), msg)
	require.Equal(t, 1, strings.Count(msg, "/x"), "path said once: %s", msg)
}

// When the policy gives up, the error says so after the op and path, and
// matches the last attempt's error.
func TestClientRetriesExhaustedErrorCarriesOpAndPath(t *testing.T) {
	srv := zktest.Embedded(t)
	c := zktest.Connect(t, srv.ConnectString(), zk.WithRetryPolicy(retry.NTimes(2, 10*time.Millisecond)),
		zk.WithConnectionTimeout(50*time.Millisecond))
	require.NoError(t, srv.Stop())
	_, _, err := c.Get(zktest.Context(t), "/x")
	require.ErrorIs(t, err, zk.ErrConnectionLoss)
	require.Equal(t, "zk: get /x: gave up after 3 attempts: connection loss", err.Error())
}
