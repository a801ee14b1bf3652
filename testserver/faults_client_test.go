package testserver_test

// Fault injection as the real zk client sees it: one test per fault method
// of testserver.Server. This is the external test package, so it can import
// zk and internal/zktest without an import cycle; it shares the test binary
// (and the goleak-checking TestMain) of package testserver's own tests.

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// states records the session-state events of a Conn.
type states struct{ zktest.Recorder[zk.State] }

func (s *states) handler(ev zk.Event) {
	if ev.Type == zk.EventNone {
		s.Add(ev.State)
	}
}

// waitFor waits until state was recorded at index from or later, and
// returns the index after it.
func (s *states) waitFor(t *testing.T, from int, state zk.State) int {
	t.Helper()
	next := -1
	zktest.Eventually(t, func() bool {
		items := s.Items()
		for i := from; i < len(items); i++ {
			if items[i] == state {
				next = i + 1
				return true
			}
		}
		return false
	}, "state "+state.String()+" after "+s.String())
	return next
}

// dial opens a Conn to srv recording its states; it is closed when the test
// ends.
func dial(t *testing.T, srv *testserver.Server, opts ...zk.Option) (*zk.Conn, *states) {
	t.Helper()
	st := &states{}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, err := zk.Dial(ctx, srv.ConnectString(), append([]zk.Option{zk.WithEventHandler(st.handler)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c, st
}

// connect opens a Client to srv recording its connection states.
func connect(t *testing.T, srv *testserver.Server, opts ...zk.Option) (*zk.Client, *zktest.Recorder[zk.ConnectionState]) {
	t.Helper()
	rec := &zktest.Recorder[zk.ConnectionState]{}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	c, err := zk.Connect(ctx, srv.ConnectString(), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	unsubscribe := c.Listen(rec.Add)
	t.Cleanup(unsubscribe)
	return c, rec
}

// packetsReceived reads the "Received:" count from the server's srvr
// (the one four-letter word every server answers).
func packetsReceived(t *testing.T, srv *testserver.Server) int64 {
	t.Helper()
	nc, err := net.DialTimeout("tcp", srv.Addr(), 5*time.Second)
	require.NoError(t, err)
	defer nc.Close()
	require.NoError(t, nc.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = io.WriteString(nc, "srvr")
	require.NoError(t, err)
	sc := bufio.NewScanner(nc)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Received: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			require.NoError(t, err)
			return n
		}
	}
	t.Fatal("srvr: no Received count")
	return 0
}

// inFlight starts a Get of path in a goroutine once the server is stalled,
// waits until the server has read it, and returns the channel its error
// arrives on.
func inFlight(t *testing.T, srv *testserver.Server, c *zk.Conn, path string) <-chan error {
	t.Helper()
	before := packetsReceived(t, srv)
	errc := make(chan error, 1)
	go func() {
		_, _, err := c.Get(context.Background(), path)
		errc <- err
	}()
	zktest.Eventually(t, func() bool { return packetsReceived(t, srv) > before }, "the server reading the request")
	return errc
}

// result waits for an error from errc.
func result(t *testing.T, errc <-chan error) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("no result within 10s")
		return nil
	}
}

func TestFaultDropConnectionsClient(t *testing.T) {
	srv := testserver.New(t)
	c, st := dial(t, srv)
	ctx := t.Context()
	path := zktest.UniquePath(t)
	_, err := c.Create(ctx, path, []byte("x"), zk.ModeEphemeral, zk.OpenACLUnsafe)
	require.NoError(t, err)
	id := c.SessionID()

	// A request the server has read but not answered fails with
	// ConnectionLoss when the connection drops; it is not resent.
	srv.Stall(time.Hour)
	errc := inFlight(t, srv, c, path)
	mark := len(st.Items())
	// (A four-letter-word connection of packetsReceived may still be
	// counted.)
	require.GreaterOrEqual(t, srv.DropConnections(), 1)
	require.ErrorIs(t, result(t, errc), zk.ErrConnectionLoss)
	srv.Stall(0)

	next := st.waitFor(t, mark, zk.StateDisconnected)
	st.waitFor(t, next, zk.StateSyncConnected)
	require.Equal(t, id, c.SessionID(), "same session after the reconnect")
	ok, stat, err := c.Exists(ctx, path)
	require.NoError(t, err)
	require.True(t, ok, "the ephemeral node survived")
	require.Equal(t, id, stat.EphemeralOwner)
}

func TestFaultDropSessionClient(t *testing.T) {
	srv := testserver.New(t)
	c, rec := connect(t, srv)
	other, otherRec := connect(t, srv)
	ctx := t.Context()
	id := c.SessionID()

	require.True(t, srv.DropSession(id))
	rec.WaitFor(t, zk.Suspended, zk.Reconnected)
	require.Equal(t, id, c.SessionID())
	_, _, err := c.Exists(ctx, "/")
	require.NoError(t, err)
	// The other client never noticed.
	require.Empty(t, otherRec.Items())
	_, _, err = other.Exists(ctx, "/")
	require.NoError(t, err)
}

func TestFaultExpireSessionConn(t *testing.T) {
	srv := testserver.New(t)
	c, st := dial(t, srv)
	watcher, _ := dial(t, srv)
	ctx := t.Context()
	path := zktest.UniquePath(t)
	_, err := c.Create(ctx, path, nil, zk.ModeEphemeral, zk.OpenACLUnsafe)
	require.NoError(t, err)
	ok, _, ch, err := watcher.ExistsW(ctx, path)
	require.NoError(t, err)
	require.True(t, ok)

	require.True(t, srv.ExpireSession(c.SessionID()))
	st.waitFor(t, 0, zk.StateExpired)
	_, _, err = c.Get(ctx, path)
	require.ErrorIs(t, err, zk.ErrSessionExpired, "a dead Conn fails every call")

	select {
	case ev := <-ch:
		require.Equal(t, zk.EventNodeDeleted, ev.Type, "the expired session's ephemeral node is gone")
	case <-time.After(10 * time.Second):
		t.Fatal("no NodeDeleted event")
	}
}

func TestFaultExpireSessionClient(t *testing.T) {
	srv := testserver.New(t)
	c, rec := connect(t, srv)
	ctx := t.Context()
	old := c.SessionID()

	require.True(t, srv.ExpireSession(old))
	// Curator's sequence: Suspended (connection gone), Lost (session
	// expired), then Reconnected on a new session.
	rec.WaitFor(t, zk.Suspended, zk.Lost, zk.Reconnected)
	require.NotEqual(t, old, c.SessionID())
	require.NotZero(t, c.SessionID())
	_, _, err := c.Exists(ctx, "/")
	require.NoError(t, err)
}

func TestFaultStallClient(t *testing.T) {
	srv := testserver.New(t)
	// A short session: the read timeout (2/3 of it) passes during the
	// stall, so the client gives up on the connection. It must still be
	// long enough for the client's reconnect delay (up to 1s) afterwards.
	c, st := dial(t, srv, zk.WithSessionTimeout(3*time.Second))
	id := c.SessionID()
	path := zktest.UniquePath(t)

	srv.Stall(time.Hour)
	errc := inFlight(t, srv, c, path)
	require.ErrorIs(t, result(t, errc), zk.ErrConnectionLoss, "a stalled server looks dead to the client")
	st.waitFor(t, 0, zk.StateDisconnected)
	srv.Stall(0)

	// The stall expired no session: the client re-attaches to it.
	zktest.Eventually(t, func() bool { return c.State() == zk.StateSyncConnected }, "reconnect after the stall")
	require.Equal(t, id, c.SessionID())
	_, _, err := c.Exists(t.Context(), "/")
	require.NoError(t, err)
}

func TestFaultSetLatencyClient(t *testing.T) {
	srv := testserver.New(t)
	c, st := dial(t, srv)
	ctx := t.Context()
	path := zktest.UniquePath(t)
	_, err := c.Create(ctx, path, []byte("v"), zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)

	// Replies come late but come: a call with room for the latency
	// succeeds, one whose deadline is far below it gets the context's
	// error (its reply, when it arrives, is discarded).
	srv.SetLatency(500 * time.Millisecond)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	_, _, err = c.Get(short, path)
	cancel()
	require.ErrorIs(t, err, context.DeadlineExceeded)
	_, err = c.Set(ctx, path, []byte("w"), 0)
	require.NoError(t, err, "a delayed reply still arrives, after the discarded one")
	srv.SetLatency(0)
	data, _, err := c.Get(ctx, path)
	require.NoError(t, err)
	require.Equal(t, []byte("w"), data)
	require.NotContains(t, st.Items(), zk.StateDisconnected, "latency below the read timeout keeps the connection")
}

func TestFaultRejectConnectionsClient(t *testing.T) {
	srv := testserver.New(t)
	var dials atomic.Int64
	dialer := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	c, st := dial(t, srv, zk.WithDialer(dialer))
	id := c.SessionID()

	srv.RejectConnections(time.Hour)
	require.GreaterOrEqual(t, srv.DropConnections(), 1)
	st.waitFor(t, 0, zk.StateDisconnected)
	// The client keeps trying and keeps being refused.
	base := dials.Load()
	zktest.Eventually(t, func() bool { return dials.Load() >= base+2 }, "two refused reconnect attempts")
	short, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	_, _, err := c.Exists(short, "/")
	cancel()
	require.Error(t, err, "no answer while every connection is refused")
	require.NotEqual(t, zk.StateSyncConnected, c.State())

	srv.RejectConnections(0)
	zktest.Eventually(t, func() bool { return c.State() == zk.StateSyncConnected }, "reconnect once connections are accepted")
	require.Equal(t, id, c.SessionID())
}

func TestFaultDropAfterApplyConn(t *testing.T) {
	srv := testserver.New(t)
	c, _ := dial(t, srv)
	ctx := t.Context()
	path := zktest.UniquePath(t)

	srv.DropAfterApply(jute.OpCreate)
	_, err := c.Create(ctx, path, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.ErrorIs(t, err, zk.ErrConnectionLoss, "the reply was lost")
	// The write happened: the "did my write happen?" case.
	ok, _, err := c.Exists(ctx, path)
	require.NoError(t, err)
	require.True(t, ok)
}

func TestFaultDropAfterApplyProtectedCreate(t *testing.T) {
	srv := testserver.New(t)
	c, rec := connect(t, srv)
	ctx := t.Context()
	parent := zktest.UniquePath(t)
	require.NoError(t, c.EnsurePath(ctx, parent))

	// The create is applied but its reply lost; the Client retries and
	// its protected-mode lookup finds the node instead of making a second.
	srv.DropAfterApply(jute.OpCreate2)
	got, _, err := c.CreateWith(ctx, parent+"/lock-", nil, zk.CreateOptions{Mode: zk.ModeEphemeralSequential, Protected: true})
	if err != nil && errors.Is(err, zk.ErrConnectionLoss) {
		t.Fatalf("the Client did not retry: %v", err)
	}
	require.NoError(t, err)
	kids, _, err := c.Children(ctx, parent)
	require.NoError(t, err)
	require.Len(t, kids, 1, "exactly one node despite the lost reply")
	require.Equal(t, parent+"/"+kids[0], got)
	require.Contains(t, rec.Items(), zk.Suspended)
}

func TestFaultStopRestartClient(t *testing.T) {
	srv := testserver.New(t)
	c, rec := connect(t, srv)
	ctx := t.Context()
	path := zktest.UniquePath(t)
	_, err := c.Create(ctx, path, nil, zk.ModeEphemeral, zk.OpenACLUnsafe)
	require.NoError(t, err)
	id := c.SessionID()

	require.NoError(t, srv.Stop())
	rec.WaitFor(t, zk.Suspended)
	require.NoError(t, srv.Restart())
	rec.WaitFor(t, zk.Suspended, zk.Reconnected)
	require.Equal(t, id, c.SessionID(), "the session survived the restart")
	ok, stat, err := c.Exists(ctx, path)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, id, stat.EphemeralOwner)
}

func TestFaultBlackholeClient(t *testing.T) {
	srv := testserver.New(t)
	c, st := dial(t, srv, zk.WithSessionTimeout(time.Second))
	ctx := t.Context()
	path := zktest.UniquePath(t)
	_, err := c.Create(ctx, path, nil, zk.ModeEphemeral, zk.OpenACLUnsafe)
	require.NoError(t, err)
	id := c.SessionID()
	require.False(t, srv.Blackhole(id+1), "no such session")
	require.True(t, srv.Blackhole(id))

	// Nothing gets through: the request is not answered (nor heard), the
	// connection times out on the client's side.
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	_, _, err = c.Get(short, path)
	cancel()
	require.ErrorIs(t, err, context.DeadlineExceeded)
	next := st.waitFor(t, 0, zk.StateDisconnected)

	// The server expires the session by its timeout; the partitioned
	// client cannot hear it, and its re-attach attempts go unanswered.
	zktest.Eventually(t, func() bool { return !slices.Contains(srv.Sessions(), id) }, "session expiry")
	require.NotContains(t, st.Items()[next:], zk.StateExpired)

	// Healed: the next re-attach learns the session expired.
	srv.Heal(id)
	st.waitFor(t, next, zk.StateExpired)
}
