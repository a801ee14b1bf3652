package zk_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/zk"
)

// isDone reports whether a future's Done channel is closed, without
// waiting.
func isDone(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// waitDone waits for a future's Done channel, failing the test after a
// generous bound.
func waitDone(t *testing.T, done <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: future not done after 20s", what)
	}
}

// TestAsyncOrder queues many requests from one goroutine without waiting:
// they go out in order (each Set expects the version the previous one
// made; the sequential creates number up in call order) and complete in
// order (when one is done, every earlier one is).
func TestAsyncOrder(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	_, err := c.Create(ctx, base, nil, zk.ModePersistent, nil)
	require.NoError(t, err)

	const n = 300
	sets := make([]*zk.SetFuture, n)
	creates := make([]*zk.CreateFuture, n)
	for i := range n {
		sets[i] = c.SetAsync(ctx, base, []byte{byte(i)}, int32(i))
		creates[i] = c.CreateAsync(ctx, base+"/n-", nil, zk.ModePersistentSequential, nil)
	}
	get := c.GetAsync(ctx, base)

	// Completion order: once the last is done, everything before it is.
	waitDone(t, get.Done(), "last get")
	for i := range n {
		require.True(t, isDone(sets[i].Done()), "set %d done before the get queued after it", i)
		require.True(t, isDone(creates[i].Done()), "create %d done before the get queued after it", i)
	}
	prev := ""
	for i := range n {
		st, err := sets[i].Result()
		require.NoError(t, err, "set %d: sent out of order?", i)
		require.Equal(t, int32(i+1), st.Version)
		p, err := creates[i].Result()
		require.NoError(t, err)
		require.Greater(t, p, prev, "create %d numbered out of call order", i)
		prev = p
	}
	data, st, err := get.Result()
	require.NoError(t, err)
	require.Equal(t, []byte{byte((n - 1) % 256)}, data)
	require.Equal(t, int32(n), st.Version)

	// Result may be called again, from several goroutines: same values.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			d, s, err := get.Result()
			require.NoError(t, err)
			require.Equal(t, data, d)
			require.Same(t, st, s)
		})
	}
	wg.Wait()
}

// TestAsyncOps checks every asynchronous op against what its blocking
// form returns, errors included (same op and path in the message, same
// sentinel).
func TestAsyncOps(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)

	p, err := c.CreateAsync(ctx, base, []byte("v0"), zk.ModePersistent, nil).Result()
	require.NoError(t, err)
	require.Equal(t, base, p)
	cont, err := c.CreateAsync(ctx, base+"/cont", nil, zk.ModeContainer, nil).Result()
	require.NoError(t, err)
	require.Equal(t, base+"/cont", cont)
	_, err = c.CreateAsync(ctx, base+"/cont/kid", nil, zk.ModeEphemeral, nil).Result()
	require.NoError(t, err)

	ok, st, err := c.ExistsAsync(ctx, base).Result()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, int32(2), st.DataLength)
	ok, st, err = c.ExistsAsync(ctx, base+"/missing").Result()
	require.NoError(t, err, "a missing node is not an error for Exists")
	require.False(t, ok)
	require.Nil(t, st)

	kids, st, err := c.ChildrenAsync(ctx, base).Result()
	require.NoError(t, err)
	require.Equal(t, []string{"cont"}, kids)
	require.Equal(t, int32(1), st.NumChildren)

	st, err = c.SetAsync(ctx, base, []byte("v1"), 0).Result()
	require.NoError(t, err)
	require.Equal(t, int32(1), st.Version)
	data, st, err := c.GetAsync(ctx, base).Result()
	require.NoError(t, err)
	require.Equal(t, "v1", string(data))
	require.Equal(t, int32(1), st.Version)

	// Errors: the blocking call's error, message and sentinel.
	same := func(asyncErr, blockingErr, sentinel error) {
		t.Helper()
		require.ErrorIs(t, asyncErr, sentinel)
		require.ErrorIs(t, blockingErr, sentinel)
		require.Equal(t, blockingErr.Error(), asyncErr.Error())
	}
	missing := base + "/missing"
	_, _, err = c.GetAsync(ctx, missing).Result()
	_, _, berr := c.Get(ctx, missing)
	same(err, berr, zk.ErrNoNode)
	require.Equal(t, "zk: get "+missing+": node does not exist", err.Error())
	_, err = c.SetAsync(ctx, base, nil, 7).Result()
	_, berr = c.Set(ctx, base, nil, 7)
	same(err, berr, zk.ErrBadVersion)
	_, err = c.CreateAsync(ctx, base, nil, zk.ModePersistent, nil).Result()
	_, berr = c.Create(ctx, base, nil, zk.ModePersistent, nil)
	same(err, berr, zk.ErrNodeExists)
	_, _, err = c.ChildrenAsync(ctx, missing).Result()
	_, _, berr = c.Children(ctx, missing)
	same(err, berr, zk.ErrNoNode)
	err = c.DeleteAsync(ctx, base, -1).Result()
	berr = c.Delete(ctx, base, -1)
	same(err, berr, zk.ErrNotEmpty)
	err = c.DeleteAsync(ctx, base+"/cont/kid", 5).Result()
	same(err, c.Delete(ctx, base+"/cont/kid", 5), zk.ErrBadVersion)

	require.NoError(t, c.DeleteAsync(ctx, base+"/cont/kid", -1).Result())
	require.NoError(t, c.DeleteAsync(ctx, base+"/cont", -1).Result())
	require.NoError(t, c.DeleteAsync(ctx, base, 1).Result())
	ok, _, err = c.Exists(ctx, base)
	require.NoError(t, err)
	require.False(t, ok)
}

// TestAsyncChroot: paths in and out are relative to the chroot, as with
// the blocking calls.
func TestAsyncChroot(t *testing.T) {
	srv := zktest.Server(t)
	base := zktest.UniquePath(t)
	plain := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	_, err := plain.Create(ctx, base, nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	c := dialConn(t, srv.ConnectString()+base)
	p, err := c.CreateAsync(ctx, "/a-", []byte("x"), zk.ModePersistentSequential, nil).Result()
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(p, "/a-"), p)
	kids, _, err := c.ChildrenAsync(ctx, "/").Result()
	require.NoError(t, err)
	require.Equal(t, []string{p[1:]}, kids)
	data, _, err := plain.GetAsync(ctx, base+p).Result()
	require.NoError(t, err)
	require.Equal(t, "x", string(data))
}

// TestAsyncFailsAtCall: what cannot be sent fails in the call itself —
// the future is already done with the error, and nothing is queued.
func TestAsyncFailsAtCall(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString(), zk.WithMaxRequestSize(1024))
	ctx := opCtx(t)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	check := func(done <-chan struct{}, err, want error, msg string) {
		t.Helper()
		require.True(t, isDone(done), "%s: future not done at return", msg)
		require.ErrorIs(t, err, want, msg)
	}
	g := c.GetAsync(ctx, "bad")
	_, _, err := g.Result()
	check(g.Done(), err, zk.ErrInvalidPath, "get bad path")
	_, _, berr := c.Get(ctx, "bad")
	require.Equal(t, berr.Error(), err.Error(), "the blocking call's error")
	s := c.SetAsync(ctx, "/a/", nil, -1)
	_, err = s.Result()
	check(s.Done(), err, zk.ErrInvalidPath, "set bad path")
	cr := c.CreateAsync(ctx, "/t", nil, zk.ModePersistentTTL, nil)
	_, err = cr.Result()
	check(cr.Done(), err, zk.ErrBadArguments, "create TTL mode")
	cr = c.CreateAsync(ctx, "/e", nil, zk.ModePersistent, []zk.ACL{})
	_, err = cr.Result()
	check(cr.Done(), err, zk.ErrInvalidACL, "create empty ACL")
	cr = c.CreateAsync(ctx, "/big", make([]byte, 2048), zk.ModePersistent, nil)
	_, err = cr.Result()
	check(cr.Done(), err, zk.ErrRequestTooLarge, "create over the request limit")
	s = c.SetAsync(ctx, "/big", make([]byte, 2048), -1)
	_, err = s.Result()
	check(s.Done(), err, zk.ErrRequestTooLarge, "set over the request limit")
	d := c.DeleteAsync(ctx, "//", -1)
	check(d.Done(), d.Result(), zk.ErrInvalidPath, "delete bad path")
	e := c.ExistsAsync(cancelled, "/")
	_, _, err = e.Result()
	check(e.Done(), err, context.Canceled, "exists, ctx ended")
	require.Equal(t, "zk: exists /: context canceled", err.Error())
	ch := c.ChildrenAsync(ctx, "")
	_, _, err = ch.Result()
	check(ch.Done(), err, zk.ErrInvalidPath, "children empty path")

	var zero zk.Conn
	g = zero.GetAsync(ctx, "/")
	_, _, err = g.Result()
	check(g.Done(), err, zk.ErrClosed, "zero Conn")

	require.NoError(t, c.Close())
	g = c.GetAsync(ctx, "/")
	_, _, err = g.Result()
	check(g.Done(), err, zk.ErrClosed, "closed Conn")
	d = c.DeleteAsync(ctx, "/x", -1)
	check(d.Done(), d.Result(), zk.ErrClosed, "closed Conn")
}

// TestAsyncCtxCancelledMidFlight: requests in flight when their ctx ends
// are abandoned like blocking calls — Result returns ctx's error at once,
// a future nobody waited on gets it too when its reply arrives, and the
// session goes on (the late replies are matched and discarded).
func TestAsyncCtxCancelledMidFlight(t *testing.T) {
	srv := zktest.Embedded(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	_, err := c.Create(ctx, base, []byte("x"), zk.ModePersistent, nil)
	require.NoError(t, err)

	srv.Stall(time.Minute)
	cctx, cancel := context.WithCancel(ctx)
	waited := c.GetAsync(cctx, base)
	var unwatched []*zk.SetFuture
	for i := range 10 {
		unwatched = append(unwatched, c.SetAsync(cctx, base, []byte{byte(i)}, -1))
	}
	other := c.GetAsync(ctx, base) // another ctx: not abandoned
	cancel()
	_, _, err = waited.Result()
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, "zk: get "+base+": context canceled", err.Error())
	require.True(t, isDone(waited.Done()), "Done is closed once Result gave up")
	require.False(t, isDone(other.Done()), "a request of another ctx is still in flight")

	srv.Stall(0)
	_, _, err = other.Result()
	require.NoError(t, err)
	for i, f := range unwatched {
		waitDone(t, f.Done(), fmt.Sprint("set ", i))
		_, err := f.Result()
		require.ErrorIs(t, err, context.Canceled, "set %d: its ctx ended before its reply was read", i)
	}
	// The session is fine, and the Sets were applied or not, but never twice.
	_, st, err := c.Get(ctx, base)
	require.NoError(t, err)
	require.LessOrEqual(t, st.Version, int32(10))
}

// TestAsyncConnectionLossMidFlight: futures in flight when the connection
// drops complete with ErrConnectionLoss (never resent, never hanging),
// those answered before it keep their results, and the Conn reconnects
// to the same session for the next calls.
func TestAsyncConnectionLossMidFlight(t *testing.T) {
	srv := zktest.Embedded(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	_, err := c.Create(ctx, base, nil, zk.ModePersistent, nil)
	require.NoError(t, err)

	// The 6th Set is applied, then the connection drops before its reply.
	srv.DropAfterApply(jute.OpSetData)
	gets := make([]*zk.GetFuture, 5)
	for i := range gets {
		gets[i] = c.GetAsync(ctx, base)
	}
	sets := make([]*zk.SetFuture, 5)
	for i := range sets {
		sets[i] = c.SetAsync(ctx, base, []byte{byte(i)}, -1)
	}
	// Replies in order: answered gets, then (from wherever the drop cut
	// the reply stream) connection loss for all the rest.
	lost := false
	for i, f := range gets {
		_, _, err := f.Result()
		if lost || err != nil {
			require.ErrorIs(t, err, zk.ErrConnectionLoss, "get %d", i)
			lost = true
		}
	}
	_, err = sets[0].Result()
	require.ErrorIs(t, err, zk.ErrConnectionLoss)
	require.Equal(t, "zk: set "+base+": connection loss", err.Error())
	for i, f := range sets[1:] {
		_, err := f.Result()
		require.ErrorIs(t, err, zk.ErrConnectionLoss, "set %d", i+1)
	}
	// Reconnected, same session: the first Set was applied, once.
	_, st, err := c.GetAsync(ctx, base).Result()
	require.NoError(t, err)
	require.Equal(t, int32(1), st.Version)

	// A drop while many are in flight and unanswered.
	srv.Stall(time.Minute)
	var fs []*zk.ExistsFuture
	for range 100 {
		fs = append(fs, c.ExistsAsync(ctx, base))
	}
	zktest.Eventually(t, func() bool { return srv.DropConnections() > 0 }, "connection dropped")
	srv.Stall(0)
	for i, f := range fs {
		_, _, err := f.Result()
		require.ErrorIs(t, err, zk.ErrConnectionLoss, "exists %d", i)
	}
	ok, _, err := c.ExistsAsync(ctx, base).Result()
	require.NoError(t, err)
	require.True(t, ok)
}

// TestAsyncSessionMovedMidFlight: another connection takes the session
// over while requests are in flight (what the server reports to the old
// connection as a moved session): the old connection is closed, the
// futures on it complete with ErrConnectionLoss, and none hangs.
func TestAsyncSessionMovedMidFlight(t *testing.T) {
	srv := zktest.Embedded(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	_, err := c.Create(ctx, base, nil, zk.ModePersistent, nil)
	require.NoError(t, err)

	srv.Stall(time.Minute) // requests are read, nothing is answered
	var fs []*zk.GetFuture
	for range 50 {
		fs = append(fs, c.GetAsync(ctx, base))
	}
	// Another connection attaches the session (a bare handshake: a whole
	// Conn would take the session back and forth with c).
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", srv.Addr())
	require.NoError(t, err)
	defer nc.Close()
	b, start := jute.BeginFrame(nil)
	req := jute.ConnectRequest{TimeOut: 10000, SessionID: c.SessionID(), Passwd: c.Password()}
	_, err = nc.Write(jute.EndFrame(req.Encode(b), start))
	require.NoError(t, err)
	for i, f := range fs {
		waitDone(t, f.Done(), fmt.Sprint("get ", i))
		_, _, err := f.Result()
		require.ErrorIs(t, err, zk.ErrConnectionLoss, "get %d", i)
	}
	srv.Stall(0)
	_, _, err = c.GetAsync(ctx, base).Result()
	require.NoError(t, err, "c took its session back")
}

// TestAsyncSessionExpiredMidFlight: the session expires with futures in
// flight: they fail (connection loss), and later calls fail at once with
// ErrSessionExpired.
func TestAsyncSessionExpiredMidFlight(t *testing.T) {
	srv := zktest.Embedded(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	srv.Stall(time.Minute)
	var fs []*zk.ChildrenFuture
	for range 20 {
		fs = append(fs, c.ChildrenAsync(ctx, "/"))
	}
	require.True(t, srv.ExpireSession(c.SessionID()))
	srv.Stall(0)
	for i, f := range fs {
		_, _, err := f.Result()
		require.Error(t, err, "children %d", i)
		require.True(t, errors.Is(err, zk.ErrConnectionLoss) || errors.Is(err, zk.ErrSessionExpired), "children %d: %v", i, err)
	}
	zktest.Eventually(t, func() bool { return c.State() == zk.StateExpired }, "session expired")
	f := c.GetAsync(ctx, "/")
	require.True(t, isDone(f.Done()))
	_, _, err := f.Result()
	require.ErrorIs(t, err, zk.ErrSessionExpired)
}

// TestAsyncCloseWithOutstanding: Close with futures in flight or still
// queued, most never waited on: every one completes with ErrClosed or
// connection loss, and no goroutine is left behind (goleak in TestMain).
func TestAsyncCloseWithOutstanding(t *testing.T) {
	srv := zktest.Embedded(t)
	c := dialConn(t, srv.ConnectString(), zk.WithCloseTimeout(100*time.Millisecond))
	ctx := opCtx(t)
	srv.Stall(time.Minute)
	var fs []*zk.GetFuture
	for range 200 {
		fs = append(fs, c.GetAsync(ctx, "/"))
	}
	for range 50 { // never waited on
		c.SetAsync(ctx, "/", nil, -1)
	}
	require.NoError(t, c.Close())
	srv.Stall(0)
	for i, f := range fs {
		waitDone(t, f.Done(), fmt.Sprint("get ", i))
		_, _, err := f.Result()
		require.Error(t, err, "get %d", i)
		require.True(t, errors.Is(err, zk.ErrConnectionLoss) || errors.Is(err, zk.ErrClosed), "get %d: %v", i, err)
	}
}

// TestAsyncConcurrent mixes asynchronous and blocking calls from several
// goroutines on one Conn (run with -race).
func TestAsyncConcurrent(t *testing.T) {
	srv := zktest.Server(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	_, err := c.Create(ctx, base, []byte("d"), zk.ModePersistent, nil)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			var fs []*zk.GetFuture
			for i := range 200 {
				fs = append(fs, c.GetAsync(ctx, base))
				if i%50 == 0 {
					_, _, err := c.Get(ctx, base)
					require.NoError(t, err, "worker %d", w)
				}
			}
			for _, f := range fs {
				data, _, err := f.Result()
				require.NoError(t, err)
				require.Equal(t, "d", string(data))
			}
		})
	}
	wg.Wait()
}

// TestAsyncCtxEndedBeforeSent: requests queued while the Conn is
// disconnected whose ctx ends before the next connection are never sent,
// whether or not anyone waits on their future.
func TestAsyncCtxEndedBeforeSent(t *testing.T) {
	srv := zktest.Embedded(t)
	c := dialConn(t, srv.ConnectString())
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	_, err := c.Create(ctx, base, nil, zk.ModePersistent, nil)
	require.NoError(t, err)

	srv.RejectConnections(time.Hour)
	require.Positive(t, srv.DropConnections())
	zktest.Eventually(t, func() bool { return c.State() == zk.StateDisconnected }, "disconnected")
	waitedCtx, cancelWaited := context.WithCancel(ctx)
	waited := c.CreateAsync(waitedCtx, base+"/waited", nil, zk.ModePersistent, nil)
	unwatchedCtx, cancelUnwatched := context.WithCancel(ctx)
	unwatched := c.CreateAsync(unwatchedCtx, base+"/unwatched", nil, zk.ModePersistent, nil)
	kept := c.CreateAsync(ctx, base+"/kept", nil, zk.ModePersistent, nil)
	cancelWaited()
	cancelUnwatched()
	_, err = waited.Result()
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, isDone(unwatched.Done()), "nobody waited and nothing was sent yet")

	srv.RejectConnections(0)
	_, err = kept.Result()
	require.NoError(t, err)
	waitDone(t, unwatched.Done(), "unwatched create")
	_, err = unwatched.Result()
	require.ErrorIs(t, err, context.Canceled)
	kids, _, err := c.Children(ctx, base)
	require.NoError(t, err)
	require.Equal(t, []string{"kept"}, kids, "requests whose ctx ended before a connection were not sent")
}
