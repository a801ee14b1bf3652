package zk_test

import (
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/zk"
)

// Options are checked before anything is dialled: a bad value fails
// Connect and Dial at once with ErrInvalidOption naming the option.
func TestOptionsInvalidValuesRejected(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	for _, tc := range []struct {
		name string
		opt  zk.Option
		dial bool // Dial reads it too
	}{
		{"WithSessionTimeout", zk.WithSessionTimeout(-1), true},
		{"WithSessionTimeout", zk.WithSessionTimeout(0), true},
		{"WithConnectionTimeout", zk.WithConnectionTimeout(-time.Second), true},
		{"WithMaxBuffer", zk.WithMaxBuffer(0), true},
		{"WithEventHandler", zk.WithEventHandler(nil), true},
		{"WithDialer", zk.WithDialer(nil), true},
		{"WithTLS", zk.WithTLS(nil), true},
		{"WithLogger", zk.WithLogger(nil), true},
		{"WithAuth", zk.WithAuth("", nil), true},
		{"WithDefaultACL", zk.WithDefaultACL([]zk.ACL{}), true},
		{"WithRetryPolicy", zk.WithRetryPolicy(nil), false},
		{"WithErrorPolicy", zk.WithErrorPolicy(nil), false},
		{"WithNamespace", zk.WithNamespace("a//b"), false},
		{"WithNamespace", zk.WithNamespace("a/"), false},
		{"WithTracerProvider", zk.WithTracerProvider(nil), false},
		{"WithMeterProvider", zk.WithMeterProvider(nil), false},
		{"WithStateListener", zk.WithStateListener(nil), false},
	} {
		c, err := zk.Connect(ctx, srv.ConnectString(), tc.opt)
		require.ErrorIs(t, err, zk.ErrInvalidOption, tc.name)
		require.ErrorContains(t, err, tc.name)
		require.Nil(t, c)
		if tc.dial {
			conn, err := zk.Dial(ctx, srv.ConnectString(), tc.opt)
			require.ErrorIs(t, err, zk.ErrInvalidOption, tc.name)
			require.ErrorContains(t, err, tc.name)
			require.Nil(t, conn)
		}
	}
	_, err := zk.Connect(ctx, srv.ConnectString(), nil)
	require.ErrorIs(t, err, zk.ErrInvalidOption, "a nil Option")
}

// Dial reads only session options: a Client option given to it is an
// error naming the option, not silently ignored.
func TestDialRejectsClientOnlyOptions(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	for _, tc := range []struct {
		name string
		opt  zk.Option
	}{
		{"WithRetryPolicy", zk.WithRetryPolicy(retry.NTimes(1, time.Millisecond))},
		{"WithErrorPolicy", zk.WithErrorPolicy(zk.SessionErrorPolicy)},
		{"WithNamespace", zk.WithNamespace("app")},
		{"WithDefaultData", zk.WithDefaultData([]byte("x"))},
		{"WithTracerProvider", zk.WithTracerProvider(tracenoop.NewTracerProvider())},
		{"WithMeterProvider", zk.WithMeterProvider(noop.NewMeterProvider())},
		{"WithStateListener", zk.WithStateListener(func(zk.ConnectionState) {})},
	} {
		conn, err := zk.Dial(ctx, srv.ConnectString(), tc.opt)
		require.ErrorIs(t, err, zk.ErrInvalidOption, tc.name)
		require.ErrorContains(t, err, tc.name)
		require.Nil(t, conn)
	}
}

// Every valid option is accepted by the layers that read it.
func TestOptionsValidAccepted(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	var d net.Dialer
	both := []zk.Option{
		zk.WithSessionTimeout(5 * time.Second),
		zk.WithConnectionTimeout(30 * time.Second),
		zk.WithMaxBuffer(1 << 20),
		zk.WithEventHandler(func(zk.Event) {}),
		zk.WithDialer(d.DialContext),
		zk.WithLogger(slog.New(slog.DiscardHandler)),
		zk.WithAuth("digest", []byte("u:p")),
		zk.WithDefaultACL(zk.OpenACLUnsafe),
		zk.WithHostShuffle(1),
		zk.WithReadOnly(false),
	}
	conn, err := zk.Dial(ctx, srv.ConnectString(), both...)
	require.NoError(t, err)
	require.NoError(t, conn.Close())
	c, err := zk.Connect(ctx, srv.ConnectString(), append(both,
		zk.WithRetryPolicy(retry.NTimes(1, time.Millisecond)),
		zk.WithErrorPolicy(zk.SessionErrorPolicy),
		zk.WithNamespace("/"+zktest.UniquePath(t)[1:]),
		zk.WithDefaultData(nil),
		zk.WithTracerProvider(tracenoop.NewTracerProvider()),
		zk.WithMeterProvider(noop.NewMeterProvider()),
		zk.WithStateListener(func(zk.ConnectionState) {}))...)
	require.NoError(t, err)
	require.NoError(t, c.Close())
}
