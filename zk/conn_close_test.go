package zk_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// closeWithin calls close and fails the test unless it returns within
// bound (the test does not hang when it does not).
func closeWithin(t *testing.T, bound time.Duration, close func() error) time.Duration {
	t.Helper()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- close() }()
	timer := time.NewTimer(bound)
	defer timer.Stop()
	select {
	case err := <-done:
		require.NoError(t, err)
		return time.Since(start)
	case <-timer.C:
		t.Fatalf("Close still blocked after %v", bound)
		return 0
	}
}

// A server that negotiated a huge session timeout and went silent cannot
// hold Close up for the read timeout (400s here): the wait for the
// closeSession reply is bounded by the close timeout.
func TestCloseBoundedWhenServerSilent(t *testing.T) {
	srv := zktest.Embedded(t, testserver.WithSessionTimeouts(time.Second, 10*time.Minute))
	for _, tc := range []struct {
		name  string
		opts  []zk.Option
		bound time.Duration
	}{
		{"default", nil, zk.DefaultCloseTimeout},
		{"WithCloseTimeout", []zk.Option{zk.WithCloseTimeout(100 * time.Millisecond)}, 100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := zk.Dial(ctx, srv.ConnectString(), append([]zk.Option{zk.WithSessionTimeout(10 * time.Minute)}, tc.opts...)...)
			require.NoError(t, err)
			require.Equal(t, 10*time.Minute, c.SessionTimeout())
			srv.Stall(time.Minute)
			defer srv.Stall(0)
			took := closeWithin(t, tc.bound+10*time.Second, c.Close)
			require.GreaterOrEqual(t, took, tc.bound, "it waited for the reply first")
			require.NoError(t, c.Close(), "idempotent")
		})
	}

	// Client.Close is bounded the same way.
	cl := zktest.Connect(t, srv.ConnectString(), zk.WithSessionTimeout(10*time.Minute), zk.WithCloseTimeout(100*time.Millisecond))
	srv.Stall(time.Minute)
	defer srv.Stall(0)
	closeWithin(t, 10*time.Second, cl.Close)
}

// The same against a real ZooKeeper behind a proxy that goes silent.
func TestCloseBoundedWhenRealServerSilent(t *testing.T) {
	proxy := zktest.NewProxy(t, zktest.RealEnsemble(t, 1).Addr(0))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := zk.Dial(ctx, proxy.Addr(), zk.WithSessionTimeout(time.Minute), zk.WithCloseTimeout(200*time.Millisecond))
	require.NoError(t, err)
	require.Equal(t, time.Minute, c.SessionTimeout())
	_, _, err = c.Exists(ctx, "/")
	require.NoError(t, err)
	proxy.Blackhole(true)
	closeWithin(t, 10*time.Second, c.Close)
}

// With a server that answers, Close waits for the reply: the session's
// ephemeral nodes are gone when it returns.
func TestCloseWaitsForReply(t *testing.T) {
	srv := zktest.Server(t)
	ctx := opCtx(t)
	c, err := zk.Dial(ctx, srv.ConnectString(), zk.WithCloseTimeout(time.Minute))
	require.NoError(t, err)
	other := dialConn(t, srv.ConnectString())
	p := zktest.UniquePath(t)
	_, err = c.Create(ctx, p, nil, zk.ModeEphemeral, zk.OpenACLUnsafe)
	require.NoError(t, err)
	require.NoError(t, c.Close())
	ok, _, err := other.Exists(ctx, p)
	require.NoError(t, err)
	require.False(t, ok)

	_, err = zk.Dial(ctx, srv.ConnectString(), zk.WithCloseTimeout(0))
	require.ErrorIs(t, err, zk.ErrInvalidOption)
}
