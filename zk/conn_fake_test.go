package zk_test

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/zk"
)

// fakeServer is a minimal ZooKeeper speaking raw jute on 127.0.0.1, for
// feeding a Conn frames a real server never sends. On the first connection
// getData requests are answered by hostile; on later connections (and for
// everything else) it behaves: getData returns "ok", pings are answered,
// closeSession is answered and the connection closed.
type fakeServer struct {
	ln       net.Listener
	timeout  int32 // negotiated session timeout, ms
	hostile  func(xid int32) []byte
	answer   func(xid, op int32) []byte // if set and non-nil, the reply to any request but ping and close
	silent   bool                       // first connection: answer nothing after the handshake
	authFail bool                       // answer auth packets with AuthFailed and close
	readOnly bool                       // handshake says the server is read-only

	mu    sync.Mutex
	conns []net.Conn
	n     int
	wg    sync.WaitGroup
}

// newFakeServer starts fs (its exported-by-convention fields set by the
// caller) and stops it when the test ends.
func newFakeServer(t *testing.T, fs *fakeServer) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	fs.ln = ln
	fs.wg.Add(1)
	go fs.accept()
	t.Cleanup(func() {
		ln.Close()
		fs.mu.Lock()
		for _, c := range fs.conns {
			c.Close()
		}
		fs.mu.Unlock()
		fs.wg.Wait()
	})
	return fs
}

func (fs *fakeServer) addr() string { return fs.ln.Addr().String() }

func (fs *fakeServer) accept() {
	defer fs.wg.Done()
	for {
		nc, err := fs.ln.Accept()
		if err != nil {
			return
		}
		fs.mu.Lock()
		fs.conns = append(fs.conns, nc)
		idx := fs.n
		fs.n++
		fs.mu.Unlock()
		fs.wg.Add(1)
		go func() {
			defer fs.wg.Done()
			defer nc.Close()
			fs.serve(nc, idx)
		}()
	}
}

func replyFrame(xid int32, zxid int64, code int32, body []byte) []byte {
	b, start := jute.BeginFrame(nil)
	h := jute.ReplyHeader{Xid: xid, Zxid: zxid, Err: code}
	b = h.Encode(b)
	b = append(b, body...)
	return jute.EndFrame(b, start)
}

func (fs *fakeServer) serve(nc net.Conn, idx int) {
	buf, err := jute.ReadFrame(nc, nil, 0)
	if err != nil {
		return
	}
	var req jute.ConnectRequest
	if jute.Unmarshal(buf, &req) != nil {
		return
	}
	resp := jute.ConnectResponse{TimeOut: fs.timeout, SessionID: 0x42, Passwd: make([]byte, 16), ReadOnly: fs.readOnly}
	b, start := jute.BeginFrame(nil)
	if _, err := nc.Write(jute.EndFrame(resp.Encode(b), start)); err != nil {
		return
	}
	for zxid := int64(1); ; zxid++ {
		buf, err := jute.ReadFrame(nc, buf, 0)
		if err != nil {
			return
		}
		var h jute.RequestHeader
		if jute.Unmarshal(buf, &h) != nil {
			return
		}
		if idx == 0 && fs.silent {
			continue
		}
		var out []byte
		if fs.answer != nil && h.Type != jute.OpPing && h.Type != jute.OpCloseSession {
			out = fs.answer(h.Xid, h.Type)
		}
		switch {
		case out != nil:
		case h.Type == jute.OpGetData && idx == 0 && fs.hostile != nil:
			out = fs.hostile(h.Xid)
		case h.Type == jute.OpGetData:
			body := (&jute.GetDataResponse{Data: []byte("ok")}).Encode(nil)
			out = replyFrame(h.Xid, zxid, 0, body)
		case h.Type == jute.OpAuth && fs.authFail:
			nc.Write(replyFrame(jute.XidAuth, 0, jute.ErrAuthFailed, nil))
			return
		case h.Type == jute.OpPing:
			out = replyFrame(jute.XidPing, 0, 0, nil)
		case h.Type == jute.OpCloseSession:
			nc.Write(replyFrame(h.Xid, zxid, 0, nil))
			return
		default:
			out = replyFrame(h.Xid, zxid, jute.ErrUnimplemented, nil)
		}
		if _, err := nc.Write(out); err != nil {
			return
		}
	}
}

func TestConnHostileFrames(t *testing.T) {
	okBody := (&jute.GetDataResponse{Data: []byte("ok")}).Encode(nil)
	cases := []struct {
		name    string
		hostile func(xid int32) []byte
		silent  bool
		proto   bool // the disconnect cause wraps ErrProtocol
		getOK   bool // the Get itself is answered before the bad frame
	}{
		{name: "2GiB length", proto: true, hostile: func(int32) []byte { return []byte{0x7f, 0xff, 0xff, 0xff} }},
		{name: "negative length", proto: true, hostile: func(int32) []byte { return []byte{0xff, 0xff, 0xff, 0xfe} }},
		// A frame over the limit is read past (conn_oversized.go): one whose
		// body never comes ends in a read timeout, one that answers no
		// pending request is a protocol error.
		{name: "length above max buffer, no body", hostile: func(int32) []byte {
			return binary.BigEndian.AppendUint32(nil, jute.DefaultMaxBuffer+1)
		}},
		{name: "length above max buffer, wrong xid", proto: true, hostile: func(xid int32) []byte {
			return replyFrame(xid+5, 1, 0, make([]byte, jute.DefaultMaxBuffer))
		}},
		{name: "truncated header", proto: true, hostile: func(int32) []byte {
			return append(binary.BigEndian.AppendUint32(nil, 5), 0, 0, 0, 1, 0)
		}},
		{name: "truncated record", proto: true, hostile: func(xid int32) []byte {
			body := binary.BigEndian.AppendUint32(nil, 100) // buffer of 100 bytes...
			body = append(body, "abc"...)                   // ...holding 3
			return replyFrame(xid, 1, 0, body)
		}},
		{name: "bad xid", proto: true, hostile: func(xid int32) []byte { return replyFrame(xid+5, 1, 0, okBody) }},
		{name: "reply with nothing pending", proto: true, getOK: true, hostile: func(xid int32) []byte {
			return append(replyFrame(xid, 1, 0, okBody), replyFrame(xid+1, 2, 0, okBody)...)
		}},
		{name: "corrupt notification", proto: true, hostile: func(xid int32) []byte {
			return replyFrame(jute.XidNotification, -1, 0, []byte{0, 0, 0, 1})
		}},
		{name: "silent server", silent: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFakeServer(t, &fakeServer{timeout: 900, hostile: tc.hostile, silent: tc.silent})
			events := make(chan zk.Event, 32)
			c := dialConn(t, fs.addr(), zk.WithEventHandler(func(ev zk.Event) { events <- ev }))
			require.Equal(t, zk.StateSyncConnected, recv(t, events).State)
			ctx := opCtx(t)

			_, _, err := c.Get(ctx, "/x")
			if tc.getOK {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, zk.ErrConnectionLoss)
			}
			ev := recv(t, events)
			require.Equal(t, zk.StateDisconnected, ev.State)
			require.Error(t, ev.Err)
			if tc.proto {
				require.ErrorIs(t, ev.Err, zk.ErrProtocol)
			} else {
				var ne net.Error
				require.True(t, errors.As(ev.Err, &ne) && ne.Timeout(), "want a read timeout, got %v", ev.Err)
			}

			// The Conn reconnects and works again on the same session.
			require.Equal(t, zk.StateSyncConnected, recv(t, events).State)
			data, _, err := c.Get(ctx, "/x")
			require.NoError(t, err)
			require.Equal(t, "ok", string(data))
			require.Equal(t, int64(0x42), c.SessionID())
		})
	}
}

// TestConnQueuedWhileDisconnected checks that requests issued while there
// is no connection wait for the next one, and that a context ending first
// returns promptly.
func TestConnQueuedWhileDisconnected(t *testing.T) {
	fs := newFakeServer(t, &fakeServer{timeout: 900, hostile: func(int32) []byte { return []byte{0x7f, 0xff, 0xff, 0xff} }})
	events := make(chan zk.Event, 32)
	c := dialConn(t, fs.addr(), zk.WithEventHandler(func(ev zk.Event) { events <- ev }))
	require.Equal(t, zk.StateSyncConnected, recv(t, events).State)
	ctx := opCtx(t)
	_, _, err := c.Get(ctx, "/x")
	require.ErrorIs(t, err, zk.ErrConnectionLoss)
	require.Equal(t, zk.StateDisconnected, recv(t, events).State)

	short, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	_, _, err = c.Get(short, "/x")
	if err != nil { // it may have reconnected already
		require.ErrorIs(t, err, context.DeadlineExceeded)
	}
	data, _, err := c.Get(ctx, "/x")
	require.NoError(t, err)
	require.Equal(t, "ok", string(data))
}

// TestConnAuthFailed: an AuthFailed reply kills the session.
func TestConnAuthFailed(t *testing.T) {
	fs := newFakeServer(t, &fakeServer{timeout: 900, authFail: true})
	events := make(chan zk.Event, 32)
	c := dialConn(t, fs.addr(), zk.WithEventHandler(func(ev zk.Event) { events <- ev }))
	require.Equal(t, zk.StateSyncConnected, recv(t, events).State)
	ctx := opCtx(t)
	require.ErrorIs(t, c.AddAuth(ctx, "digest", []byte("u:p")), zk.ErrAuthFailed)
	ev := recv(t, events)
	require.Equal(t, zk.StateAuthFailed, ev.State)
	require.ErrorIs(t, ev.Err, zk.ErrAuthFailed)
	require.Equal(t, zk.StateAuthFailed, c.State())
	_, _, err := c.Get(ctx, "/x")
	require.ErrorIs(t, err, zk.ErrAuthFailed)
	require.NoError(t, c.Close())
	_, _, err = c.Get(ctx, "/x")
	require.ErrorIs(t, err, zk.ErrClosed)
}

// TestConnCloseWithoutServer: Close of a Conn whose server is gone is
// bounded and answers the requests waiting for a connection.
func TestConnCloseWithoutServer(t *testing.T) {
	fs := newFakeServer(t, &fakeServer{timeout: 600})
	events := make(chan zk.Event, 32)
	c, err := zk.Dial(opCtx(t), fs.addr(), zk.WithEventHandler(func(ev zk.Event) { events <- ev }))
	require.NoError(t, err)
	require.Equal(t, zk.StateSyncConnected, recv(t, events).State)
	fs.ln.Close()
	fs.mu.Lock()
	for _, nc := range fs.conns {
		nc.Close()
	}
	fs.mu.Unlock()
	require.Equal(t, zk.StateDisconnected, recv(t, events).State)

	errc := make(chan error, 1)
	go func() {
		_, _, err := c.Get(context.Background(), "/x")
		errc <- err
	}()
	require.NoError(t, c.Close())
	select {
	case err := <-errc:
		require.ErrorIs(t, err, zk.ErrClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("request waiting for a connection not answered by Close")
	}
}

// TestConnReadOnlyServer: a read-only handshake is reported as
// StateConnectedReadOnly, to the Conn and (as ReadOnly) to a Client.
func TestConnReadOnlyServer(t *testing.T) {
	fs := newFakeServer(t, &fakeServer{timeout: 900, readOnly: true})
	events := make(chan zk.Event, 32)
	c := dialConn(t, fs.addr(), zk.WithReadOnly(true), zk.WithEventHandler(func(ev zk.Event) { events <- ev }))
	require.Equal(t, zk.StateConnectedReadOnly, recv(t, events).State)
	require.Equal(t, zk.StateConnectedReadOnly, c.State())
	data, _, err := c.Get(opCtx(t), "/x")
	require.NoError(t, err, "reads work on a read-only server")
	require.Equal(t, "ok", string(data))

	var first zk.ConnectionState
	cl, err := zk.Connect(opCtx(t), fs.addr(), zk.WithReadOnly(true),
		zk.WithStateListener(func(s zk.ConnectionState) {
			if first == 0 {
				first = s
			}
		}))
	require.NoError(t, err)
	require.Equal(t, zk.ReadOnly, cl.State())
	require.NoError(t, cl.Close())
	require.Equal(t, zk.ReadOnly, first)
}
