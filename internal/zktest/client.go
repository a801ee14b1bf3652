package zktest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/zk"
)

// SessionTimeout is the session timeout Connect asks for unless the test
// gives its own: short, so Lost comes quickly in fault tests, and long
// enough for -race on two cores.
const SessionTimeout = 4 * time.Second

// waitTimeout bounds Connect, Context, Recv and WaitDone.
const waitTimeout = 60 * time.Second

// Connect opens a zk.Client to addr (with SessionTimeout unless opts set
// one) and closes it when the test ends; t.Fatal if it cannot connect.
func Connect(t testing.TB, addr string, opts ...zk.Option) *zk.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	opts = append([]zk.Option{zk.WithSessionTimeout(SessionTimeout)}, opts...)
	c, err := zk.Connect(ctx, addr, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// ConnectRecorded is Connect with every connection state recorded from the
// first Connected on, for exact state-sequence assertions.
func ConnectRecorded(t testing.TB, addr string, opts ...zk.Option) (*zk.Client, *Recorder[zk.ConnectionState]) {
	t.Helper()
	rec := &Recorder[zk.ConnectionState]{}
	return Connect(t, addr, append(opts, zk.WithStateListener(rec.Add))...), rec
}

// Context returns a context for one test's calls, cancelled when the test
// ends and at the latest after a minute.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// bulkGrace is what BulkContext leaves of the test binary's deadline, so
// a test that runs out of time fails with its own error instead of the
// binary's panic.
const bulkGrace = 30 * time.Second

// bulkDefault bounds BulkContext when the test binary has no deadline.
const bulkDefault = 10 * time.Minute

// BulkContext is Context for a test whose work grows with the machine's
// speed rather than waiting on one event (tens of thousands of nodes
// created, read or watched): a minute is not a bound such work keeps on a
// loaded two-core CI machine under -race. It is cancelled when the test
// ends and at the latest bulkGrace before the test binary's -timeout (10
// minutes without one), so it still never blocks forever.
func BulkContext(t testing.TB) context.Context {
	deadline := time.Now().Add(bulkDefault)
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if end, ok := d.Deadline(); ok {
			deadline = end.Add(-bulkGrace)
		}
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	t.Cleanup(cancel)
	return ctx
}

// Children returns the children of path, none when it does not exist.
func Children(t testing.TB, c *zk.Client, path string) []string {
	t.Helper()
	ch, _, err := c.Children(context.Background(), path)
	if errors.Is(err, zk.ErrNoNode) {
		return nil
	}
	require.NoError(t, err)
	return ch
}

// Exists reports whether path exists.
func Exists(t testing.TB, c *zk.Client, path string) bool {
	t.Helper()
	ok, _, err := c.Exists(context.Background(), path)
	require.NoError(t, err)
	return ok
}

// Recv waits for a value from ch, failing the test after a minute.
func Recv[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatal("zktest: timed out waiting for a result")
		var zero T
		return zero
	}
}

// WaitDone waits for ctx to be done, failing the test after a minute.
func WaitDone(t testing.TB, ctx context.Context, what string) {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	select {
	case <-ctx.Done():
	case <-timer.C:
		t.Fatalf("zktest: timed out waiting for %s", what)
	}
}

// Setup is the usual start of a test that works with one client: it starts
// (or shares) the test's server with Server, connects a Client to it with
// Connect (opts as there) and returns the test's Context, the Client and a
// UniquePath the test works below.
func Setup(t testing.TB, opts ...zk.Option) (ctx context.Context, c *zk.Client, path string) {
	t.Helper()
	c = Connect(t, Server(t).ConnectString(), opts...)
	return Context(t), c, UniquePath(t)
}

// Setup2 is Setup for a test of two processes: two Clients, each its own
// session, on the one server, and the test's Context and UniquePath.
func Setup2(t testing.TB, opts ...zk.Option) (ctx context.Context, c1, c2 *zk.Client, path string) {
	t.Helper()
	addr := Server(t).ConnectString()
	c1, c2 = Connect(t, addr, opts...), Connect(t, addr, opts...)
	return Context(t), c1, c2, UniquePath(t)
}
