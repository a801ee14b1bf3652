package zk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// newerOps calls each op a release before 3.7 may lack, returning its error.
var newerOps = []struct {
	name  string // the op name in the wrapped error
	since int    // the first 3.x minor release that has it
	call  func(ctx context.Context, c *zk.Conn, path string) error
}{
	{"addWatch", 6, func(ctx context.Context, c *zk.Conn, p string) error {
		_, err := c.AddWatch(ctx, p, zk.AddWatchPersistentRecursive)
		return err
	}},
	{"multiRead", 6, func(ctx context.Context, c *zk.Conn, p string) error {
		_, err := c.MultiRead(ctx, zk.GetDataOp(p))
		return err
	}},
	{"getEphemerals", 6, func(ctx context.Context, c *zk.Conn, p string) error {
		_, err := c.GetEphemerals(ctx, p)
		return err
	}},
	{"allChildrenNumber", 6, func(ctx context.Context, c *zk.Conn, p string) error {
		_, err := c.AllChildrenNumber(ctx, p)
		return err
	}},
	{"whoAmI", 7, func(ctx context.Context, c *zk.Conn, _ string) error {
		_, err := c.WhoAmI(ctx)
		return err
	}},
}

// Against an emulated release lacking an op, the op fails with
// ErrUnimplemented wrapped with its name and path; the server closes the
// connection, the Conn reconnects with the same session and goes on.
func TestConnUnimplementedByVersion(t *testing.T) {
	for _, minor := range []int{5, 6, 7, 9} {
		v := "3." + string(rune('0'+minor))
		t.Run(v, func(t *testing.T) {
			srv := zktest.Embedded(t, testserver.WithVersion(v))
			c := dialConn(t, srv.ConnectString())
			ctx := opCtx(t)
			sid := c.SessionID()
			for _, op := range newerOps {
				err := op.call(ctx, c, "/")
				if minor >= op.since {
					require.NoError(t, err, op.name)
					if op.name == "addWatch" {
						require.NoError(t, c.RemoveWatches(ctx, "/", zk.WatcherAny, true))
					}
					continue
				}
				require.ErrorIs(t, err, zk.ErrUnimplemented, op.name)
				var oe *zk.OpError
				require.ErrorAs(t, err, &oe)
				require.Equal(t, op.name, oe.Op)
				if op.name != "whoAmI" {
					require.Equal(t, "/", oe.Path)
				}
				// A request sent before the Conn saw the close is lost
				// with the connection; later ones go on the next.
				zktest.Eventually(t, func() bool {
					_, _, err := c.Get(ctx, "/")
					return err == nil
				}, "a read after "+op.name)
				require.Equal(t, sid, c.SessionID())
			}
		})
	}
}

// The Client does not retry ErrUnimplemented: one attempt, the error
// returned at once; the dropped connection is a Suspended/Reconnected.
func TestClientUnimplementedNotRetried(t *testing.T) {
	srv := zktest.Embedded(t, testserver.WithVersion("3.5"))
	c, rec := zktest.ConnectRecorded(t, srv.ConnectString())
	ctx := zktest.Context(t)
	_, err := c.WhoAmI(ctx)
	require.ErrorIs(t, err, zk.ErrUnimplemented)
	require.True(t, strings.HasPrefix(err.Error(), "zk: whoAmI"), err.Error())
	_, err = c.MultiRead(ctx, zk.GetDataOp("/"))
	require.ErrorIs(t, err, zk.ErrUnimplemented)
	require.Contains(t, err.Error(), "multiRead /")
	// Each refused op costs at most the connection the server closed after
	// refusing it (MultiRead may have gone out on the connection WhoAmI's
	// refusal was closing, and been refused again on the next): no retries.
	_, _, err = c.Get(ctx, "/")
	require.NoError(t, err)
	got := rec.Items()
	require.GreaterOrEqual(t, len(got), 3, "states %v", got)
	require.Equal(t, []zk.ConnectionState{zk.Connected, zk.Suspended, zk.Reconnected}, got[:3])
	suspended := 0
	for _, s := range got {
		if s == zk.Suspended {
			suspended++
		}
	}
	require.LessOrEqual(t, suspended, 2, "states %v", got)
}

// A 3.9 server puts the firing transaction's zxid on watch notifications;
// 3.8 does not (Event.Zxid 0).
func TestEventZxid(t *testing.T) {
	for _, v := range []string{"3.8", "3.9"} {
		t.Run(v, func(t *testing.T) {
			srv := zktest.Embedded(t, testserver.WithVersion(v))
			c := dialConn(t, srv.ConnectString())
			ctx := opCtx(t)
			_, err := c.Create(ctx, "/z", nil, zk.ModePersistent, nil)
			require.NoError(t, err)
			_, _, dataCh, err := c.GetW(ctx, "/z")
			require.NoError(t, err)
			_, _, childCh, err := c.ChildrenW(ctx, "/z")
			require.NoError(t, err)
			// On "/", not /z: this test is about zxids, not about the
			// ZOOKEEPER-4466 guard (conn_watch_share.go, tested there).
			w, err := c.AddWatch(ctx, "/", zk.AddWatchPersistentRecursive)
			require.NoError(t, err)

			st, err := c.Set(ctx, "/z", []byte("x"), zk.AnyVersion)
			require.NoError(t, err)
			_, st2, err := c.Create2(ctx, "/z/k", nil, zk.ModePersistent, nil)
			require.NoError(t, err)
			lastBefore := c.LastZxid()

			ev := recv(t, dataCh)
			require.Equal(t, zk.EventNodeDataChanged, ev.Type)
			ch := recv(t, childCh)
			require.Equal(t, zk.EventNodeChildrenChanged, ch.Type)
			w1, w2 := recv(t, w.Events()), recv(t, w.Events())
			require.Equal(t, zk.EventNodeCreated, w2.Type)
			if v == "3.8" {
				for _, e := range []zk.Event{ev, ch, w1, w2} {
					require.Zero(t, e.Zxid, e.String())
				}
				return
			}
			require.Equal(t, st.Mzxid, ev.Zxid)
			require.Equal(t, st.Mzxid, w1.Zxid)
			require.Equal(t, st2.Czxid, ch.Zxid)
			require.Equal(t, st2.Czxid, w2.Zxid)
			require.Equal(t, lastBefore, c.LastZxid(), "a notification's zxid is not taken as lastZxid")
		})
	}
}

// A session whose server is downgraded from 3.6 to 3.5 (rolling
// downgrade): on reconnect the server refuses setWatches2; the Conn then
// restores its one-shot watches with setWatches and ends its persistent
// watches with ErrUnimplemented, instead of reconnecting forever.
func TestSetWatches2RefusedFallsBackToSetWatches(t *testing.T) {
	srv := zktest.Embedded(t, testserver.WithVersion("3.6"))
	events := make(chan zk.Event, 32)
	c := dialConn(t, srv.ConnectString(), zk.WithEventHandler(func(ev zk.Event) {
		if ev.Type == zk.EventNone {
			events <- ev
		}
	}))
	require.Equal(t, zk.StateSyncConnected, recv(t, events).State)
	ctx := opCtx(t)
	_, err := c.Create(ctx, "/d", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	_, _, dataCh, err := c.GetW(ctx, "/d")
	require.NoError(t, err)
	w, err := c.AddWatch(ctx, "/p", zk.AddWatchPersistent)
	require.NoError(t, err)

	require.NoError(t, srv.SetVersion("3.5"))
	srv.DropConnections()
	require.Equal(t, zk.StateDisconnected, recv(t, events).State)
	require.Equal(t, zk.StateSyncConnected, recv(t, events).State) // setWatches2 goes out, is refused
	require.Equal(t, zk.StateDisconnected, recv(t, events).State)
	require.Equal(t, zk.StateSyncConnected, recv(t, events).State) // setWatches

	end := recv(t, w.Events())
	require.Equal(t, zk.EventNotWatching, end.Type)
	require.ErrorIs(t, end.Err, zk.ErrUnimplemented)
	require.Equal(t, "/p", end.Path)
	_, open := <-w.Events()
	require.False(t, open)

	_, err = c.Set(ctx, "/d", []byte("changed"), zk.AnyVersion)
	require.NoError(t, err)
	require.Equal(t, zk.EventNodeDataChanged, recv(t, dataCh).Type)
	select {
	case ev := <-events:
		t.Fatalf("connection not stable: %v", ev)
	case <-time.After(200 * time.Millisecond):
	}
	require.Equal(t, "3.5.10", srv.Version())
}

// The Conn remembers an op its server refused: asked again on the same
// server it fails at once, without another dropped connection. After that
// server restarts (here: upgraded, connections dropped) it is asked again.
func TestConnRemembersRefusedOps(t *testing.T) {
	srv := zktest.Embedded(t, testserver.WithVersion("3.6"))
	var states zktest.Recorder[zk.State]
	c := dialConn(t, srv.ConnectString(), zk.WithEventHandler(func(ev zk.Event) {
		if ev.Type == zk.EventNone {
			states.Add(ev.State)
		}
	}))
	ctx := opCtx(t)
	_, err := c.WhoAmI(ctx)
	require.ErrorIs(t, err, zk.ErrUnimplemented)
	states.WaitFor(t, zk.StateSyncConnected, zk.StateDisconnected, zk.StateSyncConnected)

	_, err = c.WhoAmI(ctx)
	require.ErrorIs(t, err, zk.ErrUnimplemented)
	require.Contains(t, err.Error(), "refused this op before")
	_, _, err = c.Get(ctx, "/") // would have been lost with a dropped connection
	require.NoError(t, err)
	require.Len(t, states.Items(), 3, "no other reconnect")

	require.NoError(t, srv.SetVersion("3.7"))
	srv.DropConnections()
	states.WaitFor(t, zk.StateSyncConnected, zk.StateDisconnected, zk.StateSyncConnected, zk.StateDisconnected, zk.StateSyncConnected)
	ids, err := c.WhoAmI(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, ids)
}
