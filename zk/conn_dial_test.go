package zk_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/zk"
)

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func TestDialConnectionTimeoutBoundsDial(t *testing.T) {
	bad := closedPort(t)
	const unresolvable = "no-such-host.invalid:2181"
	cs := unresolvable + "," + bad
	const timeout = 300 * time.Millisecond
	// Generous: the bound plus shutdown, on a loaded machine.
	const bound = timeout + 5*time.Second

	for _, tc := range []struct {
		name string
		dial func(ctx context.Context) error
	}{
		{"Dial", func(ctx context.Context) error {
			c, err := zk.Dial(ctx, cs, zk.WithConnectionTimeout(timeout))
			if c != nil {
				c.Close()
			}
			return err
		}},
		{"Connect", func(ctx context.Context) error {
			c, err := zk.Connect(ctx, cs, zk.WithConnectionTimeout(timeout))
			if c != nil {
				c.Close()
			}
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			err := tc.dial(context.Background()) // no deadline: the option bounds it
			require.Less(t, time.Since(start), bound)
			require.ErrorIs(t, err, zk.ErrNoServer)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.ErrorContains(t, err, unresolvable)
			require.ErrorContains(t, err, bad)
		})
	}
}

func TestDialContextDeadlineWinsOverConnectionTimeout(t *testing.T) {
	cs := closedPort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := zk.Dial(ctx, cs, zk.WithConnectionTimeout(time.Hour))
	require.Less(t, time.Since(start), 5*time.Second)
	require.ErrorIs(t, err, zk.ErrNoServer)
	require.ErrorContains(t, err, cs)
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr, "the last connection error is wrapped")
}

func TestDialInvalidConnectString(t *testing.T) {
	for _, cs := range []string{"", "h1:2181,,h2:2181", ":2181", "h1:abc", "h1:70000", "h1:2181/app//x", "h1:2181/app/"} {
		start := time.Now()
		_, err := zk.Dial(context.Background(), cs)
		require.ErrorIs(t, err, zk.ErrInvalidConnectString, "%q", cs)
		_, err = zk.Connect(context.Background(), cs)
		require.ErrorIs(t, err, zk.ErrInvalidConnectString, "%q", cs)
		require.Less(t, time.Since(start), time.Second, "no dialing")
	}
	_, err := zk.Dial(context.Background(), "h1:2181", zk.WithConnectionTimeout(-time.Second))
	require.ErrorIs(t, err, zk.ErrInvalidOption)
}
