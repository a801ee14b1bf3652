package testserver

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

func TestHandshakeNegotiatesTimeout(t *testing.T) {
	addr, _ := target(t)
	for _, tc := range []struct{ req, want int32 }{
		{1, 200},        // clamped up to 2 ticks
		{5000, 5000},    // kept
		{600000, 60000}, // clamped down to the max
	} {
		c := connect(t, addr, connectOpts{timeout: tc.req})
		require.Equal(t, tc.want, c.resp.TimeOut, "requested %d", tc.req)
		require.NotZero(t, c.resp.SessionID)
		require.Len(t, c.resp.Passwd, jute.PasswordLen)
		require.False(t, c.resp.ReadOnly)
		c.close()
	}
}

func TestSessionIDLayout(t *testing.T) {
	addr, _ := target(t)
	a := newSession(t, addr)
	b := newSession(t, addr)
	require.EqualValues(t, 1, uint64(a.resp.SessionID)>>56, "high byte is the server id")
	require.Greater(t, b.resp.SessionID, a.resp.SessionID)
}

func TestCreateSessionConsumesZxid(t *testing.T) {
	addr, _ := target(t)
	a := newSession(t, addr)
	z1 := a.ping().Zxid
	newSession(t, addr)
	z2 := a.ping().Zxid
	require.Equal(t, z1+1, z2)
}

func TestOldClientHandshakeHasNoReadOnlyByte(t *testing.T) {
	addr, _ := target(t)
	nc := dialRaw(t, addr)
	req := jute.ConnectRequest{TimeOut: 5000, Passwd: make([]byte, 16)}
	b, start := jute.BeginFrame(nil)
	b = req.Encode(b)
	b = jute.EndFrame(b[:len(b)-1], start)
	_, err := nc.Write(b)
	require.NoError(t, err)
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	body, err := jute.ReadFrame(nc, nil, 0)
	require.NoError(t, err)
	require.Len(t, body, 4+4+8+4+16, "no readOnly byte")
}

func TestReattachAndTakeOver(t *testing.T) {
	addr, _ := target(t)
	root := testRoot(t)
	a := newSession(t, addr)
	a.mustCreate(root, nil, jute.FlagEphemeral)
	b := connect(t, addr, connectOpts{sessionID: a.resp.SessionID, passwd: a.resp.Passwd, timeout: 4000})
	require.Equal(t, a.resp.SessionID, b.resp.SessionID)
	require.EqualValues(t, 4000, b.resp.TimeOut)
	require.True(t, bytes.Equal(a.resp.Passwd, b.resp.Passwd))
	a.waitClosed() // the old connection is closed
	st := b.stat(root)
	require.Equal(t, b.resp.SessionID, st.EphemeralOwner, "ephemeral survives the re-attach")
}

func TestReattachWrongPasswordGetsExpiredReply(t *testing.T) {
	addr, _ := target(t)
	a := newSession(t, addr)
	bad := bytes.Repeat([]byte{7}, 16)
	b := connect(t, addr, connectOpts{sessionID: a.resp.SessionID, passwd: bad})
	require.EqualValues(t, 0, b.resp.TimeOut)
	require.EqualValues(t, 0, b.resp.SessionID)
	require.Equal(t, make([]byte, 16), b.resp.Passwd)
	b.waitClosed()
	// ZooKeeper closes the session's current connection before checking the
	// password.
	a.waitClosed()
}

func TestReattachUnknownSession(t *testing.T) {
	addr, _ := target(t)
	b := connect(t, addr, connectOpts{sessionID: 0x0100000000001234, passwd: make([]byte, 16)})
	require.EqualValues(t, 0, b.resp.TimeOut)
	require.EqualValues(t, 0, b.resp.SessionID)
	b.waitClosed()
}

func TestLastZxidAheadClosesConnection(t *testing.T) {
	addr, _ := target(t)
	nc := dialRaw(t, addr)
	req := jute.ConnectRequest{LastZxidSeen: 1 << 60, TimeOut: 5000, Passwd: make([]byte, 16)}
	b, start := jute.BeginFrame(nil)
	b = jute.EndFrame(req.Encode(b), start)
	_, err := nc.Write(b)
	require.NoError(t, err)
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = jute.ReadFrame(nc, nil, 0)
	require.Error(t, err)
}

func TestCloseSessionDeletesEphemerals(t *testing.T) {
	addr, _ := target(t)
	root := testRoot(t)
	w := newSession(t, addr)
	w.mustCreate(root, nil, 0)
	a := newSession(t, addr)
	eph := a.mustCreate(root+"/e", []byte("x"), jute.FlagEphemeral)
	_, err := w.exists(eph, true)
	require.EqualValues(t, 0, err)
	_, err = w.children(root, true)
	require.EqualValues(t, 0, err)

	h := a.call(jute.OpCloseSession, nil, nil)
	require.EqualValues(t, 0, h.Err)
	a.waitClosed()
	w.expectEvents(ev(jute.EventNodeDeleted, eph), ev(jute.EventNodeChildrenChanged, root))
	_, err = w.exists(eph, false)
	require.Equal(t, jute.ErrNoNode, err)
	st := w.stat(root)
	require.Equal(t, h.Zxid, st.Pzxid, "the closeSession zxid deletes the ephemerals")
	// The session is gone: re-attaching gets the expired reply.
	b := connect(t, addr, connectOpts{sessionID: a.resp.SessionID, passwd: a.resp.Passwd})
	require.EqualValues(t, 0, b.resp.TimeOut)
}

func TestSessionExpiresWhenDisconnected(t *testing.T) {
	addr, _ := target(t)
	root := testRoot(t)
	w := newSession(t, addr)
	w.mustCreate(root, nil, 0)
	a := connect(t, addr, connectOpts{timeout: 300})
	eph := a.mustCreate(root+"/e", nil, jute.FlagEphemeral)
	_, err := w.exists(eph, true)
	require.EqualValues(t, 0, err)
	_ = a.nc.Close() // disconnect without closing the session
	w.expectEvents(ev(jute.EventNodeDeleted, eph))
	b := connect(t, addr, connectOpts{sessionID: a.resp.SessionID, passwd: a.resp.Passwd})
	require.EqualValues(t, 0, b.resp.TimeOut)
	require.EqualValues(t, 0, b.resp.SessionID)
}

func TestSessionExpiresWhenSilent(t *testing.T) {
	addr, _ := target(t)
	a := connect(t, addr, connectOpts{timeout: 300})
	// Connected but silent: the server expires the session and closes the
	// connection without a reply.
	frames := a.waitClosed()
	require.Empty(t, frames)
}

func TestPingsKeepSessionAlive(t *testing.T) {
	addr, _ := target(t)
	a := connect(t, addr, connectOpts{timeout: 300})
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		h := a.ping()
		require.EqualValues(t, 0, h.Err)
		time.Sleep(50 * time.Millisecond) // the client's idle interval, not synchronisation
	}
	_, err := a.exists("/", false)
	require.EqualValues(t, 0, err)
}

func TestExpireSession(t *testing.T) {
	s := embedded(t)
	root := testRoot(t)
	w := newSession(t, s.Addr())
	w.mustCreate(root, nil, 0)
	a := newSession(t, s.Addr())
	eph := a.mustCreate(root+"/e", nil, jute.FlagEphemeralSequential)
	_, err := w.getData(eph, true)
	require.EqualValues(t, 0, err)
	require.Contains(t, s.Sessions(), a.resp.SessionID)

	require.True(t, s.ExpireSession(a.resp.SessionID))
	require.False(t, s.ExpireSession(a.resp.SessionID))
	require.Empty(t, a.waitClosed())
	w.expectEvents(ev(jute.EventNodeDeleted, eph))
	require.NotContains(t, s.Sessions(), a.resp.SessionID)
	b := connect(t, s.Addr(), connectOpts{sessionID: a.resp.SessionID, passwd: a.resp.Passwd})
	require.EqualValues(t, 0, b.resp.TimeOut)
	require.EqualValues(t, 0, b.resp.SessionID)
}

func TestWatchesBelongToTheConnection(t *testing.T) {
	addr, _ := target(t)
	root := testRoot(t)
	a := newSession(t, addr)
	a.mustCreate(root, nil, 0)
	_, err := a.getData(root, true)
	require.EqualValues(t, 0, err)
	// Re-attach on a new connection: the old connection's watch is gone.
	b := connect(t, addr, connectOpts{sessionID: a.resp.SessionID, passwd: a.resp.Passwd})
	a.waitClosed()
	_, h := b.setData(root, []byte("x"), -1)
	require.EqualValues(t, 0, h.Err)
	b.noEvents()
}
