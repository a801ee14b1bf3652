package testserver

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

func reattach(t *testing.T, addr string, c *tclient) *tclient {
	t.Helper()
	r := connect(t, addr, connectOpts{sessionID: c.resp.SessionID, passwd: c.resp.Passwd})
	require.Equal(t, c.resp.SessionID, r.resp.SessionID, "session still alive")
	return r
}

func TestDropConnections(t *testing.T) {
	s := embedded(t)
	root := testRoot(t)
	a := newSession(t, s.Addr())
	b := newSession(t, s.Addr())
	eph := a.mustCreate(root, nil, jute.FlagEphemeral)
	require.Equal(t, 2, s.DropConnections())
	a.waitClosed()
	b.waitClosed()
	a2 := reattach(t, s.Addr(), a)
	require.Equal(t, a.resp.SessionID, a2.stat(eph).EphemeralOwner)
	reattach(t, s.Addr(), b)
	require.Len(t, s.Sessions(), 2)
}

func TestDropSession(t *testing.T) {
	s := embedded(t)
	a := newSession(t, s.Addr())
	b := newSession(t, s.Addr())
	require.True(t, s.DropSession(a.resp.SessionID))
	a.waitClosed()
	require.EqualValues(t, 0, b.ping().Err, "other sessions unaffected")
	waitUntil(t, func() bool { return !s.DropSession(a.resp.SessionID) }, "no connection left to drop")
	require.False(t, s.DropSession(12345))
	reattach(t, s.Addr(), a)
}

func TestStall(t *testing.T) {
	s := embedded(t)
	root := testRoot(t)
	c := connect(t, s.Addr(), connectOpts{timeout: 300})
	s.Stall(time.Hour)
	c.xid++
	c.send(c.xid, jute.OpCreate, &jute.CreateRequest{Path: root, ACL: openACLUnsafe})
	c.send(jute.XidPing, jute.OpPing, nil)
	// The create is applied although nothing is answered.
	waitUntil(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.tree.nodes[root] != nil
	}, "create applied during the stall")
	// Pings keep the session alive through a stall longer than its timeout.
	for i := 0; i < 12; i++ {
		c.send(jute.XidPing, jute.OpPing, nil)
		time.Sleep(50 * time.Millisecond) // ping cadence, not synchronisation
	}
	require.Contains(t, s.Sessions(), c.resp.SessionID)
	select {
	case f := <-c.frames:
		t.Fatalf("frame during stall: %+v", f.Header)
	default:
	}
	s.Stall(0)
	f := c.await(c.xid)
	require.EqualValues(t, 0, f.Header.Err)
	for i := 0; i < 13; i++ {
		require.Equal(t, jute.XidPing, c.await(jute.XidPing).Header.Xid, "queued replies arrive in order")
	}
}

func TestSetLatency(t *testing.T) {
	s := embedded(t)
	c := newSession(t, s.Addr())
	s.SetLatency(150 * time.Millisecond)
	start := time.Now()
	c.xid++
	c.send(c.xid, jute.OpExists, &jute.ExistsRequest{Path: "/"})
	c.send(jute.XidPing, jute.OpPing, nil)
	require.EqualValues(t, 0, c.await(c.xid).Header.Err)
	require.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
	c.await(jute.XidPing)
	s.SetLatency(0)
	require.EqualValues(t, 0, c.ping().Err)
}

func TestRejectConnections(t *testing.T) {
	s := embedded(t)
	s.RejectConnections(time.Hour)
	nc := dialRaw(t, s.Addr())
	req := jute.ConnectRequest{TimeOut: 5000}
	b, start := jute.BeginFrame(nil)
	_, _ = nc.Write(jute.EndFrame(req.Encode(b), start))
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := jute.ReadFrame(nc, nil, 0)
	require.Error(t, err)
	var ne net.Error
	require.False(t, ne != nil && ne.Timeout())
	s.RejectConnections(0)
	newSession(t, s.Addr())
}

func TestDropAfterApply(t *testing.T) {
	s := embedded(t)
	root := testRoot(t)
	c := newSession(t, s.Addr())
	s.DropAfterApply(jute.OpCreate)
	c.xid++
	c.send(c.xid, jute.OpCreate, &jute.CreateRequest{Path: root, ACL: openACLUnsafe})
	require.Empty(t, c.waitClosed(), "no reply")
	c2 := reattach(t, s.Addr(), c)
	c2.stat(root) // the write happened
	// One shot: the next create is answered.
	c2.mustCreate(root+"/b", nil, 0)
}

func TestStopRestart(t *testing.T) {
	s := embedded(t)
	root := testRoot(t)
	c := newSession(t, s.Addr())
	c.mustCreate(root, []byte("keep"), 0)
	eph := c.mustCreate(root+"/e", nil, jute.FlagEphemeral)
	require.NoError(t, s.Stop())
	c.waitClosed()
	_, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	require.Error(t, err)
	require.NoError(t, s.Restart())
	require.NoError(t, s.Restart(), "restart while running is a no-op")
	c2 := reattach(t, s.Addr(), c)
	d, e := c2.getData(root, false)
	require.EqualValues(t, 0, e)
	require.Equal(t, []byte("keep"), d.Data)
	c2.stat(eph)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close())
	require.ErrorIs(t, s.Restart(), ErrClosed)
}

func TestSessionExpiresWhileStopped(t *testing.T) {
	s := embedded(t)
	c := connect(t, s.Addr(), connectOpts{timeout: 300})
	require.NoError(t, s.Stop())
	waitUntil(t, func() bool { return len(s.Sessions()) == 0 }, "session timer keeps running")
	require.NoError(t, s.Restart())
	r := connect(t, s.Addr(), connectOpts{sessionID: c.resp.SessionID, passwd: c.resp.Passwd})
	require.EqualValues(t, 0, r.resp.TimeOut)
}

func TestSlowClientIsDropped(t *testing.T) {
	s := embedded(t, withOutputLimit(256<<10))
	root := testRoot(t)
	fast := newSession(t, s.Addr())
	fast.mustCreate(root, make([]byte, 64<<10), 0)
	slow := newSession(t, s.Addr())
	// The slow client sends many reads and never reads the replies.
	req := jute.GetDataRequest{Path: root}
	var batch []byte
	for i := 1; i <= 2000; i++ {
		b, start := jute.BeginFrame(nil)
		h := jute.RequestHeader{Xid: int32(i), Type: jute.OpGetData}
		batch = append(batch, jute.EndFrame(req.Encode(h.Encode(b)), start)...)
	}
	go func() { _, _ = slow.nc.Write(batch) }()
	waitUntil(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return slow.resp.SessionID != 0 && s.sessions[slow.resp.SessionID].conn == nil
	}, "slow connection closed")
	for i := 0; i < 20; i++ {
		_, err := fast.getData(root, false)
		require.EqualValues(t, 0, err)
	}
}

func TestVersionEmulation(t *testing.T) {
	s35 := embedded(t, WithVersion("3.5"))
	for _, op := range []int32{jute.OpAddWatch, jute.OpMultiRead, jute.OpGetEphemerals, jute.OpGetAllChildrenNumber, jute.OpSetWatches2, jute.OpWhoAmI} {
		c := newSession(t, s35.Addr())
		c.send(1, op, &jute.AddWatchRequest{Path: "/", Type: 0})
		frames := c.waitClosed()
		require.Len(t, frames, 1, "op %d", op)
		require.Equal(t, jute.ErrUnimplemented, frames[0].Header.Err)
	}
	c := newSession(t, s35.Addr())
	c.mustCreate("/ok", nil, 0)

	s36 := embedded(t, WithVersion("3.6"))
	c = newSession(t, s36.Addr())
	require.EqualValues(t, 0, c.addWatch("/", jute.AddWatchPersistent))
	c.send(9, jute.OpWhoAmI, nil)
	frames := c.waitClosed()
	require.Len(t, frames, 1)
	require.Equal(t, jute.ErrUnimplemented, frames[0].Header.Err)

	_, err := Start(WithVersion("4.0"))
	require.Error(t, err)
	_, err = Start(WithAddr("256.0.0.1:0"))
	require.Error(t, err)
}
