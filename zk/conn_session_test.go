package zk_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

func TestConnPipelined(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	_, err := c.Create(ctx, base, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)

	const nodes, workers, total = 200, 64, 20000
	var ops []zk.Op
	for i := 0; i < nodes; i++ {
		ops = append(ops, zk.CreateOp(fmt.Sprintf("%s/n%03d", base, i), []byte(fmt.Sprintf("data-%03d", i)), zk.ModePersistent, zk.OpenACLUnsafe))
	}
	_, err = c.Multi(ctx, ops...)
	require.NoError(t, err)

	var next, answered atomic.Int64
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= total {
					return
				}
				n := i % nodes
				data, st, err := c.Get(ctx, fmt.Sprintf("%s/n%03d", base, n))
				if err != nil {
					errs <- err
					return
				}
				if want := fmt.Sprintf("data-%03d", n); string(data) != want || st.DataLength != int32(len(want)) {
					errs <- fmt.Errorf("request %d: got %q, want %q", i, data, want)
					return
				}
				answered.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, int64(total), answered.Load())

	ops = ops[:0]
	for i := 0; i < nodes; i++ {
		ops = append(ops, zk.DeleteOp(fmt.Sprintf("%s/n%03d", base, i), -1))
	}
	ops = append(ops, zk.DeleteOp(base, -1))
	_, err = c.Multi(ctx, ops...)
	require.NoError(t, err)
}

func TestConnContextCancel(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)

	// An already-ended context fails at once.
	done, cancel := context.WithCancel(ctx)
	cancel()
	_, _, err := c.Get(done, "/")
	require.ErrorIs(t, err, context.Canceled)

	// Cancel many requests mid-flight (watches included); the Conn stays
	// consistent: later requests are answered correctly.
	_, err = c.Create(ctx, base, []byte("v"), zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		rctx, rcancel := context.WithCancel(ctx)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, _, err := c.GetW(rctx, base)
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("GetW: %v", err)
			}
		}()
		rcancel()
	}
	wg.Wait()
	for i := 0; i < 20; i++ {
		data, _, err := c.Get(ctx, base)
		require.NoError(t, err)
		require.Equal(t, "v", string(data))
	}
	require.NoError(t, c.Delete(ctx, base, -1))
}

func TestConnSessionExpiry(t *testing.T) {
	srv := zktest.Server(t)
	ctx := opCtx(t)
	events := make(chan zk.Event, 100)
	first := dialConn(t, srv.ConnectString(), zk.WithSessionTimeout(4*time.Second),
		zk.WithEventHandler(func(ev zk.Event) { events <- ev }))
	require.Equal(t, zk.StateSyncConnected, recv(t, events).State)
	base := zktest.UniquePath(t)
	eph, err := first.Create(ctx, base, nil, zk.ModeEphemeral, zk.OpenACLUnsafe)
	require.NoError(t, err)
	_, _, watch, err := first.GetW(ctx, eph)
	require.NoError(t, err)

	// A second Conn on the same session, closed: the session is gone.
	second, err := zk.Dial(ctx, srv.ConnectString(), zk.WithSession(first.SessionID(), first.Password()))
	require.NoError(t, err)
	require.Equal(t, first.SessionID(), second.SessionID())
	require.NoError(t, second.Close())

	for {
		ev := recv(t, events)
		if ev.State == zk.StateExpired {
			require.ErrorIs(t, ev.Err, zk.ErrSessionExpired)
			break
		}
	}
	require.Equal(t, zk.StateExpired, first.State())
	ev := recv(t, watch)
	// The watch either saw its node deleted by the session close (if the
	// first Conn was connected then) or ends with the session.
	if ev.Type != zk.EventNodeDeleted {
		require.Equal(t, zk.EventNotWatching, ev.Type)
		require.ErrorIs(t, ev.Err, zk.ErrSessionExpired)
	}
	_, _, err = first.Get(ctx, "/")
	require.ErrorIs(t, err, zk.ErrSessionExpired)

	third := dialConn(t, srv.ConnectString())
	ok, _, err := third.Exists(ctx, eph)
	require.NoError(t, err)
	require.False(t, ok, "ephemeral node of the expired session still exists")

	// Re-attaching to the dead session fails.
	_, err = zk.Dial(ctx, srv.ConnectString(), zk.WithSession(first.SessionID(), first.Password()))
	require.ErrorIs(t, err, zk.ErrSessionExpired)
}

func TestConnCloseRemovesEphemerals(t *testing.T) {
	srv := zktest.Server(t)
	ctx := opCtx(t)
	other := dialConn(t, srv.ConnectString())
	c, err := zk.Dial(ctx, srv.ConnectString())
	require.NoError(t, err)
	base := zktest.UniquePath(t)
	_, err = c.Create(ctx, base, nil, zk.ModeEphemeral, zk.OpenACLUnsafe)
	require.NoError(t, err)

	// Requests in flight when Close is called are all answered.
	var wg sync.WaitGroup
	var answered, closedErrs atomic.Int64
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := c.Exists(ctx, base)
			switch {
			case err == nil:
				answered.Add(1)
			case errors.Is(err, zk.ErrClosed):
				closedErrs.Add(1)
			default:
				t.Errorf("unexpected error %v", err)
			}
		}()
	}
	require.NoError(t, c.Close())
	wg.Wait()
	require.Equal(t, int64(200), answered.Load()+closedErrs.Load())
	ok, _, err := other.Exists(ctx, base)
	require.NoError(t, err)
	require.False(t, ok, "ephemeral node still there after Close returned")
}

func TestConnAuth(t *testing.T) {
	srv := zktest.Server(t)
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	c := dialConn(t, srv.ConnectString())
	require.NoError(t, c.AddAuth(ctx, "digest", []byte("alice:secret")))
	_, err := c.Create(ctx, base, []byte("private"), zk.ModePersistent, zk.CreatorAllACL)
	require.NoError(t, err)
	data, _, err := c.Get(ctx, base)
	require.NoError(t, err)
	require.Equal(t, "private", string(data))

	anon := dialConn(t, srv.ConnectString())
	_, _, err = anon.Get(ctx, base)
	require.ErrorIs(t, err, zk.ErrNoAuth)

	withAuth := dialConn(t, srv.ConnectString(), zk.WithAuth("digest", []byte("alice:secret")))
	data, _, err = withAuth.Get(ctx, base)
	require.NoError(t, err)
	require.Equal(t, "private", string(data))
	acl, _, err := withAuth.GetACL(ctx, base)
	require.NoError(t, err)
	require.Equal(t, zk.DigestACL(zk.PermAll, "alice", "secret"), acl)
	require.NoError(t, withAuth.Delete(ctx, base, -1))
}

// A WithAuth credential the server refuses (here an unknown scheme, which
// ZooKeeper answers with AuthFailed and a closed connection) fails Dial and
// Connect with ErrAuthFailed, instead of handing out a session that dies
// at once (a Client then replaced it again and again).
func TestDialAndConnectFailOnRefusedCredential(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	_, err := zk.Dial(ctx, srv.ConnectString(), zk.WithAuth("no-such-scheme", []byte("x")))
	require.ErrorIs(t, err, zk.ErrAuthFailed)
	_, err = zk.Connect(ctx, srv.ConnectString(), zk.WithAuth("no-such-scheme", []byte("x")))
	require.ErrorIs(t, err, zk.ErrAuthFailed)

	// Accepted credentials still connect, on both layers.
	c := dialConn(t, srv.ConnectString(), zk.WithAuth("digest", []byte("alice:secret")), zk.WithAuth("digest", []byte("bob:pw")))
	_, _, err = c.Exists(ctx, "/")
	require.NoError(t, err)
	cl := zktest.Connect(t, srv.ConnectString(), zk.WithAuth("digest", []byte("alice:secret")))
	require.Equal(t, zk.Connected, cl.State())
}

// An idle session is kept alive by pings alone: over four session
// timeouts with no request, the Conn neither disconnects nor loses its
// session, and the server still has it.
//
// The session timeout is 2s: the Conn pings every third of it and drops
// the connection after two thirds of it without a byte, so a ping that
// comes late by more than about a third (less the read deadline's
// refresh slack) is a disconnect. With 400ms that was ~100ms, and a
// -race test binary on a loaded two-core machine measured timer wake-ups
// up to 137ms late within a minute; with 2s it is ~500ms.
func TestConnIdleSessionKeptAliveByPings(t *testing.T) {
	srv := zktest.Embedded(t)
	states := make(chan zk.State, 16)
	c := dialConn(t, srv.ConnectString(), zk.WithSessionTimeout(2*time.Second),
		zk.WithEventHandler(func(ev zk.Event) {
			if ev.Type == zk.EventNone {
				states <- ev.State
			}
		}))
	sid := c.SessionID()
	require.Equal(t, 2*time.Second, c.SessionTimeout(), "the server granted the timeout asked for")
	idle := time.NewTimer(4 * c.SessionTimeout())
	defer idle.Stop()
	for waiting := true; waiting; {
		select {
		case s := <-states:
			require.Equal(t, zk.StateSyncConnected, s, "an idle session must stay connected")
		case <-idle.C:
			waiting = false
		}
	}
	_, _, err := c.Exists(opCtx(t), "/")
	require.NoError(t, err)
	require.Equal(t, sid, c.SessionID())
	require.Contains(t, srv.Sessions(), sid)
}

func TestDialNoServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	// Port 1 on loopback: connection refused.
	_, err := zk.Dial(ctx, "127.0.0.1:1", zk.WithSessionTimeout(time.Second))
	require.ErrorIs(t, err, zk.ErrNoServer)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, err, syscall.ECONNREFUSED, "the last connection error is wrapped too")
	// One line that says it once: the op, why, and each host's last error.
	require.Equal(t, "zk: dial 127.0.0.1:1: could not connect to a server (context deadline exceeded): "+
		"127.0.0.1:1: dial tcp 127.0.0.1:1: connect: connection refused", err.Error())
}
