package zk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// clientCall is one exported Client method called with path "/p", and the
// op name its error must carry.
type clientCall struct {
	op   string
	call func(ctx context.Context, c *zk.Client) error
}

func clientCalls() []clientCall {
	return []clientCall{
		{"create", func(ctx context.Context, c *zk.Client) error {
			_, err := c.Create(ctx, "/p", nil, zk.ModePersistent, nil)
			return err
		}},
		{"create", func(ctx context.Context, c *zk.Client) error {
			_, _, err := c.CreateWith(ctx, "/p", nil, zk.CreateOptions{})
			return err
		}},
		{"create", func(ctx context.Context, c *zk.Client) error {
			_, _, _, err := c.CreateAndList(ctx, "/p", nil, zk.CreateOptions{})
			return err
		}},
		{"delete", func(ctx context.Context, c *zk.Client) error { return c.Delete(ctx, "/p", -1) }},
		{"delete", func(ctx context.Context, c *zk.Client) error {
			_, err := c.DeleteGuaranteed(ctx, "/p", -1)
			return err
		}},
		{"exists", func(ctx context.Context, c *zk.Client) error {
			_, _, err := c.Exists(ctx, "/p")
			return err
		}},
		{"exists", func(ctx context.Context, c *zk.Client) error {
			_, _, _, err := c.ExistsW(ctx, "/p")
			return err
		}},
		{"get", func(ctx context.Context, c *zk.Client) error {
			_, _, err := c.Get(ctx, "/p")
			return err
		}},
		{"get", func(ctx context.Context, c *zk.Client) error {
			_, _, _, err := c.GetW(ctx, "/p")
			return err
		}},
		{"set", func(ctx context.Context, c *zk.Client) error {
			_, err := c.Set(ctx, "/p", nil, -1)
			return err
		}},
		{"children", func(ctx context.Context, c *zk.Client) error {
			_, _, err := c.Children(ctx, "/p")
			return err
		}},
		{"children", func(ctx context.Context, c *zk.Client) error {
			_, _, _, err := c.ChildrenW(ctx, "/p")
			return err
		}},
		{"getACL", func(ctx context.Context, c *zk.Client) error {
			_, _, err := c.GetACL(ctx, "/p")
			return err
		}},
		{"setACL", func(ctx context.Context, c *zk.Client) error {
			_, err := c.SetACL(ctx, "/p", zk.OpenACLUnsafe, -1)
			return err
		}},
		{"sync", func(ctx context.Context, c *zk.Client) error {
			_, err := c.Sync(ctx, "/p")
			return err
		}},
		{"multi", func(ctx context.Context, c *zk.Client) error {
			_, err := c.Multi(ctx, zk.CheckOp("/p", -1))
			return err
		}},
		{"getEphemerals", func(ctx context.Context, c *zk.Client) error {
			_, err := c.GetEphemerals(ctx, "/p")
			return err
		}},
		{"allChildrenNumber", func(ctx context.Context, c *zk.Client) error {
			_, err := c.AllChildrenNumber(ctx, "/p")
			return err
		}},
		{"addWatch", func(ctx context.Context, c *zk.Client) error {
			_, err := c.AddWatch(ctx, "/p", zk.AddWatchPersistent)
			return err
		}},
		{"removeWatches", func(ctx context.Context, c *zk.Client) error {
			return c.RemoveWatches(ctx, "/p", zk.WatcherAny, true)
		}},
		{"ensurePath", func(ctx context.Context, c *zk.Client) error { return c.EnsurePath(ctx, "/p") }},
		{"ensureContainers", func(ctx context.Context, c *zk.Client) error { return c.EnsureContainers(ctx, "/p") }},
		{"create", func(ctx context.Context, c *zk.Client) error {
			_, err := c.CreateOrSet(ctx, "/p", nil, zk.CreateOptions{})
			return err
		}},
		{"deleteAll", func(ctx context.Context, c *zk.Client) error { return c.DeleteAll(ctx, "/p") }},
		{"addAuth", func(ctx context.Context, c *zk.Client) error {
			return c.AddAuth(ctx, "digest", []byte("u:p"))
		}},
		{"blockUntilConnected", func(ctx context.Context, c *zk.Client) error { return c.BlockUntilConnected(ctx) }},
	}
}

// requireClosedErr checks that err matches ErrClosed and names op (and
// the path, for calls that have one).
func requireClosedErr(t *testing.T, op string, err error) {
	t.Helper()
	require.ErrorIs(t, err, zk.ErrClosed, op)
	want := "zk: " + op + " /p: "
	if op == "addAuth" || op == "blockUntilConnected" {
		want = "zk: " + op + ": "
	}
	require.True(t, strings.HasPrefix(err.Error(), want), "%q should start with %q", err, want)
}

func TestClientEveryMethodAfterCloseReturnsErrClosed(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	c, rec := zktest.ConnectRecorded(t, srv.ConnectString())
	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "Close is idempotent")
	require.Equal(t, zk.Closed, c.State())
	require.Equal(t, "CLOSED", zk.Closed.String())
	rec.WaitFor(t, zk.Connected, zk.Closed) // Closed is the listeners' last state
	require.Zero(t, c.SessionID())
	require.Zero(t, c.SessionTimeout())
	require.Empty(t, c.Server())
	require.Nil(t, c.Conn())
	for _, tc := range clientCalls() {
		requireClosedErr(t, tc.op, tc.call(ctx, c))
	}
	require.NotPanics(t, func() { c.Listen(func(zk.ConnectionState) {})() })
}

func TestZeroClientFailsInsteadOfHanging(t *testing.T) {
	// No deadline: a call that waited for a connection would hang the test.
	ctx := context.Background()
	var c zk.Client
	for _, tc := range clientCalls() {
		requireClosedErr(t, tc.op, tc.call(ctx, &c))
	}
	require.Equal(t, zk.Closed, c.State())
	require.Equal(t, zk.StandardErrorPolicy, c.ErrorPolicy())
	require.NotPanics(t, func() { c.Listen(func(zk.ConnectionState) {})() })
	require.NoError(t, c.Close())
}

func TestClientSessionFacts(t *testing.T) {
	ctx, c, _ := zktest.Setup(t)
	require.NotZero(t, c.SessionID())
	require.Positive(t, c.SessionTimeout(), "the negotiated timeout")
	require.NotEmpty(t, c.Server())
	_, err := c.Create(ctx, zktest.UniquePath(t), nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	require.Positive(t, c.LastZxid())
}

// connCall is one exported Conn method called with path "/p".
type connCall struct {
	op   string
	call func(ctx context.Context, c *zk.Conn) error
}

func connCalls() []connCall {
	return []connCall{
		{"create", func(ctx context.Context, c *zk.Conn) error {
			_, err := c.Create(ctx, "/p", nil, zk.ModePersistent, zk.OpenACLUnsafe)
			return err
		}},
		{"create", func(ctx context.Context, c *zk.Conn) error {
			_, _, err := c.Create2(ctx, "/p", nil, zk.ModePersistent, zk.OpenACLUnsafe)
			return err
		}},
		{"createTTL", func(ctx context.Context, c *zk.Conn) error {
			_, _, err := c.CreateTTL(ctx, "/p", nil, zk.ModePersistentTTL, zk.OpenACLUnsafe, 1e9)
			return err
		}},
		{"create", func(ctx context.Context, c *zk.Conn) error {
			_, _, _, err, _ := c.CreateAndList(ctx, "/p", nil, zk.ModePersistent, zk.OpenACLUnsafe)
			return err
		}},
		{"delete", func(ctx context.Context, c *zk.Conn) error { return c.Delete(ctx, "/p", -1) }},
		{"exists", func(ctx context.Context, c *zk.Conn) error {
			_, _, err := c.Exists(ctx, "/p")
			return err
		}},
		{"exists", func(ctx context.Context, c *zk.Conn) error {
			_, _, _, err := c.ExistsW(ctx, "/p")
			return err
		}},
		{"get", func(ctx context.Context, c *zk.Conn) error {
			_, _, err := c.Get(ctx, "/p")
			return err
		}},
		{"get", func(ctx context.Context, c *zk.Conn) error {
			_, _, _, err := c.GetW(ctx, "/p")
			return err
		}},
		{"set", func(ctx context.Context, c *zk.Conn) error {
			_, err := c.Set(ctx, "/p", nil, -1)
			return err
		}},
		{"children", func(ctx context.Context, c *zk.Conn) error {
			_, _, err := c.Children(ctx, "/p")
			return err
		}},
		{"children", func(ctx context.Context, c *zk.Conn) error {
			_, _, _, err := c.ChildrenW(ctx, "/p")
			return err
		}},
		{"getACL", func(ctx context.Context, c *zk.Conn) error {
			_, _, err := c.GetACL(ctx, "/p")
			return err
		}},
		{"setACL", func(ctx context.Context, c *zk.Conn) error {
			_, err := c.SetACL(ctx, "/p", zk.OpenACLUnsafe, -1)
			return err
		}},
		{"sync", func(ctx context.Context, c *zk.Conn) error {
			_, err := c.Sync(ctx, "/p")
			return err
		}},
		{"multi", func(ctx context.Context, c *zk.Conn) error {
			_, err := c.Multi(ctx, zk.CheckOp("/p", -1))
			return err
		}},
		{"getEphemerals", func(ctx context.Context, c *zk.Conn) error {
			_, err := c.GetEphemerals(ctx, "/p")
			return err
		}},
		{"allChildrenNumber", func(ctx context.Context, c *zk.Conn) error {
			_, err := c.AllChildrenNumber(ctx, "/p")
			return err
		}},
		{"addWatch", func(ctx context.Context, c *zk.Conn) error {
			_, err := c.AddWatch(ctx, "/p", zk.AddWatchPersistent)
			return err
		}},
		{"removeWatches", func(ctx context.Context, c *zk.Conn) error {
			return c.RemoveWatches(ctx, "/p", zk.WatcherAny, true)
		}},
		{"removeWatches", func(ctx context.Context, c *zk.Conn) error {
			return c.RemoveWatches(ctx, "/p", zk.WatcherAny, false)
		}},
		{"addAuth", func(ctx context.Context, c *zk.Conn) error {
			return c.AddAuth(ctx, "digest", []byte("u:p"))
		}},
	}
}

func requireConnClosedErr(t *testing.T, op string, err error) {
	t.Helper()
	require.ErrorIs(t, err, zk.ErrClosed, op)
	want := "zk: " + op + " /p: "
	if op == "addAuth" {
		want = "zk: addAuth digest: "
	}
	if op == "multi" {
		want = "zk: multi"
	}
	require.True(t, strings.HasPrefix(err.Error(), want), "%q should start with %q", err, want)
}

func TestConnEveryMethodAfterCloseReturnsErrClosed(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	conn, err := zk.Dial(ctx, srv.ConnectString())
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	require.NoError(t, conn.Close(), "Close is idempotent")
	require.Equal(t, zk.StateClosed, conn.State())
	for _, tc := range connCalls() {
		requireConnClosedErr(t, tc.op, tc.call(ctx, conn))
	}
}

func TestZeroConnFailsInsteadOfPanicking(t *testing.T) {
	ctx := context.Background()
	var conn zk.Conn
	for _, tc := range connCalls() {
		require.NotPanics(t, func() { requireConnClosedErr(t, tc.op, tc.call(ctx, &conn)) }, tc.op)
	}
	require.NoError(t, conn.Close())
}
