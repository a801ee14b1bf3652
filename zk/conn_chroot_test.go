package zk_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/zk"
)

func notification(typ int32, path string) []byte {
	ev := jute.WatcherEvent{Type: typ, State: jute.StateSyncConnected, Path: path}
	return replyFrame(jute.XidNotification, -1, 0, ev.Encode(nil))
}

// A server that sends events for paths outside the chroot: none of them
// reaches the chrooted client, and none is shown as if it were inside.
func TestConnChrootDropsEventsOutside(t *testing.T) {
	okBody := (&jute.GetDataResponse{Data: []byte("ok")}).Encode(nil)
	fs := newFakeServer(t, &fakeServer{timeout: 10000, hostile: func(xid int32) []byte {
		var b []byte
		for _, p := range []string{"/other/x", "/application", "/ap", "/app/in", "/", "/app", "/app/end"} {
			b = append(b, notification(jute.EventNodeCreated, p)...)
		}
		return append(b, replyFrame(xid, 1, 0, okBody)...)
	}})
	events := &zktest.Recorder[string]{}
	c := dialConn(t, fs.addr()+"/app", zk.WithEventHandler(func(ev zk.Event) {
		if ev.Type != zk.EventNone {
			events.Add(ev.Path)
		}
	}))
	_, _, err := c.Get(context.Background(), "/x")
	require.NoError(t, err)
	events.WaitFor(t, "/in", "/", "/end")
}

// A persistent recursive watch on "/" of a chrooted client sees the
// chroot's subtree only, with client paths.
func TestConnChrootRecursiveWatchOnRoot(t *testing.T) {
	srv := zktest.Server(t)
	ctx := opCtx(t)
	base := zktest.UniquePath(t)
	plain := dialConn(t, srv.ConnectString())
	for _, p := range []string{base, base + "/app", base + "/application"} {
		_, err := plain.Create(ctx, p, nil, zk.ModePersistent, zk.OpenACLUnsafe)
		require.NoError(t, err)
	}
	c := dialConn(t, srv.ConnectString()+base+"/app")
	w, err := c.AddWatch(ctx, "/", zk.AddWatchPersistentRecursive)
	require.NoError(t, err)
	for _, p := range []string{base + "/application/x", base + "/other", base + "/app/x", base + "/app/end"} {
		_, err := plain.Create(ctx, p, nil, zk.ModePersistent, zk.OpenACLUnsafe)
		require.NoError(t, err)
	}
	var got []string
	for len(got) < 2 {
		ev := zktest.Recv(t, w.Events())
		got = append(got, ev.Path)
	}
	require.Equal(t, []string{"/x", "/end"}, got)
	require.NoError(t, w.Remove(ctx))
}
