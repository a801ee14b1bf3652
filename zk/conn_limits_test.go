package zk_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/zk"
)

// createFrameLen is the length field of a create request frame with the
// open ACL, as ZooKeeper compares it with jute.maxbuffer: header (8),
// path, data, one world:anyone ACL, flags.
func createFrameLen(path string, data int) int {
	const acl = 4 + (4 + 4 + len("world") + 4 + len("anyone"))
	return 8 + 4 + len(path) + 4 + data + acl + 4
}

func TestRequestTooLargeFailsAtOnceAndKeepsSession(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	c, states := zktest.ConnectRecorded(t, srv.ConnectString())
	base := zktest.UniquePath(t)
	require.NoError(t, c.EnsurePath(ctx, base))

	// A lock-like hold: an ephemeral node of this session.
	held := base + "/held"
	_, err := c.Create(ctx, held, nil, zk.ModeEphemeral, nil)
	require.NoError(t, err)
	sid := c.SessionID()

	big := base + "/big"
	start := time.Now()
	_, err = c.Create(ctx, big, make([]byte, 1<<20+1), zk.ModePersistent, nil)
	elapsed := time.Since(start)
	require.ErrorIs(t, err, zk.ErrRequestTooLarge)
	require.False(t, zk.IsRetryable(err))
	msg := err.Error()
	require.Contains(t, msg, "create "+big)
	require.Contains(t, msg, fmt.Sprint(createFrameLen(big, 1<<20+1)), "the size")
	require.Contains(t, msg, fmt.Sprint(jute.DefaultMaxBuffer), "the limit")
	require.Less(t, elapsed, 2*time.Second, "no retries, no round trip")

	// Just at the limit: sent, and accepted by the server.
	max := jute.DefaultMaxBuffer - createFrameLen(big, 0)
	_, err = c.Create(ctx, big, make([]byte, max+1), zk.ModePersistent, nil)
	require.ErrorIs(t, err, zk.ErrRequestTooLarge, "one byte over")
	_, err = c.Create(ctx, big, bytes.Repeat([]byte{'x'}, max), zk.ModePersistent, nil)
	require.NoError(t, err, "exactly jute.maxbuffer is accepted")
	_, st, err := c.Get(ctx, big)
	require.NoError(t, err)
	require.Equal(t, int32(max), st.DataLength)

	// A multi over the limit in total.
	_, err = c.Multi(ctx, zk.SetOp(big, make([]byte, 600<<10), -1), zk.SetOp(big, make([]byte, 600<<10), -1))
	require.ErrorIs(t, err, zk.ErrRequestTooLarge)
	require.Contains(t, err.Error(), "multi")

	// Nothing happened to the session or the hold.
	require.Equal(t, sid, c.SessionID())
	require.True(t, zktest.Exists(t, c, held))
	require.Equal(t, []zk.ConnectionState{zk.Connected}, states.Items(), "no Suspended")
	require.NoError(t, c.Delete(ctx, big, -1))
}

func TestConnRequestTooLargeOption(t *testing.T) {
	srv := zktest.Server(t)
	ctx := opCtx(t)
	c := dialConn(t, srv.ConnectString(), zk.WithMaxRequestSize(100))
	base := zktest.UniquePath(t)
	_, err := c.Create(ctx, base, make([]byte, 100), zk.ModePersistent, zk.OpenACLUnsafe)
	require.ErrorIs(t, err, zk.ErrRequestTooLarge)
	require.True(t, strings.Contains(err.Error(), "limit 100"), err.Error())
	_, err = c.Create(ctx, base, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err, "the connection still works")
	require.NoError(t, c.Delete(ctx, base, -1))

	_, err = zk.Dial(ctx, srv.ConnectString(), zk.WithMaxRequestSize(0))
	require.ErrorIs(t, err, zk.ErrInvalidOption)
	require.Contains(t, err.Error(), "WithMaxRequestSize")
	_, err = zk.Connect(ctx, srv.ConnectString(), zk.WithMaxRequestSize(-1))
	require.ErrorIs(t, err, zk.ErrInvalidOption)
}

// The limit is where a real ZooKeeper puts it: with the client-side
// check moved out of the way, a frame one byte over jute.maxbuffer makes
// the server drop the connection, and one at the limit is accepted.
func TestRequestSizeLimitMatchesRealServer(t *testing.T) {
	addr := zktest.RealConnectString(t)
	ctx := opCtx(t)
	c := dialConn(t, addr, zk.WithMaxRequestSize(2<<20))
	p := zktest.UniquePath(t)
	max := jute.DefaultMaxBuffer - createFrameLen(p, 0)
	_, err := c.Create(ctx, p, make([]byte, max+1), zk.ModePersistent, zk.OpenACLUnsafe)
	require.ErrorIs(t, err, zk.ErrConnectionLoss, "the server refused the frame")
	_, err = c.Create(ctx, p, make([]byte, max), zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err, "the server accepts a frame of exactly jute.maxbuffer")
	require.NoError(t, c.Delete(ctx, p, -1))
}
