package testserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver/internal/rawclient"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// realAddr is set (ZK_REAL_ADDR=127.0.0.1:port) to run the conformance
// subset of the tests against a real ZooKeeper 3.8 started with
// -Dzookeeper.extendedTypesEnabled=true and tickTime=100.
var realAddr = os.Getenv("ZK_REAL_ADDR")

// testDefaults are the options target and embedded start a server with,
// matching the real server those tests are written against: TTL nodes
// enabled and a frequent container check (as the realzk launcher sets
// them). opts given to target or embedded come after, so they win.
var testDefaults = []Option{WithExtendedTypes(true), WithContainerCheckInterval(100 * time.Millisecond)}

// target returns the address to test against: a fresh embedded server, or
// the real ZooKeeper when ZK_REAL_ADDR is set (srv is then nil).
func target(t *testing.T, opts ...Option) (string, *Server) {
	t.Helper()
	if realAddr != "" {
		return realAddr, nil
	}
	s := New(t, append(append([]Option(nil), testDefaults...), opts...)...)
	return s.Addr(), s
}

// embedded returns an embedded server; the test is skipped in real mode
// (it needs fault injection or server internals).
func embedded(t *testing.T, opts ...Option) *Server {
	t.Helper()
	if realAddr != "" {
		t.Skip("needs the embedded server")
	}
	return New(t, append(append([]Option(nil), testDefaults...), opts...)...)
}

// testRoot returns a unique path for the test, so runs against a real
// server (whose data persists) do not collide.
func testRoot(t *testing.T) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	return "/" + name + "-" + hex.EncodeToString(b[:])
}

// oneSession is the start of most tests here: a session on the target
// server (see target) and the test's root path (testRoot).
func oneSession(t *testing.T) (root string, c *tclient) {
	t.Helper()
	addr, _ := target(t)
	return testRoot(t), newSession(t, addr)
}

// twoSessions is oneSession with two sessions on the same server, e.g. a
// watcher and a writer.
func twoSessions(t *testing.T) (root string, a, b *tclient) {
	t.Helper()
	addr, _ := target(t)
	return testRoot(t), newSession(t, addr), newSession(t, addr)
}

// frame is one frame read by a test client.
type frame = rawclient.Frame

// tclient is a raw ZooKeeper client for tests: rawclient with testing
// helpers, xid bookkeeping and an event stash.
type tclient struct {
	t      testing.TB
	rc     *rawclient.Client
	nc     net.Conn
	resp   jute.ConnectResponse
	xid    int32
	frames <-chan frame
	events []jute.WatcherEvent
	closed bool
}

type connectOpts struct {
	sessionID  int64
	passwd     []byte
	timeout    int32
	lastZxid   int64
	noReadOnly bool
}

// dialRaw opens a TCP connection to addr.
func dialRaw(t testing.TB, addr string) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { _ = nc.Close() })
	return nc
}

// connect performs the handshake and starts the frame reader. The returned
// client may have an expired response (TimeOut 0): check c.resp.
func connect(t testing.TB, addr string, o connectOpts) *tclient {
	t.Helper()
	if o.timeout == 0 {
		o.timeout = 10000
	}
	rc, err := rawclient.Dial(context.Background(), addr, rawclient.Options{
		SessionID: o.sessionID, Passwd: o.passwd, LastZxid: o.lastZxid,
		Timeout: time.Duration(o.timeout) * time.Millisecond, NoReadOnlyFlag: o.noReadOnly,
	})
	require.NoError(t, err, "handshake")
	c := &tclient{t: t, rc: rc, nc: rc.Conn(), resp: rc.Response(), frames: rc.Frames()}
	t.Cleanup(c.close)
	return c
}

// newSession opens a new session and fails the test if it is not granted.
func newSession(t testing.TB, addr string) *tclient {
	t.Helper()
	c := connect(t, addr, connectOpts{})
	require.NotZero(t, c.resp.SessionID)
	require.Positive(t, c.resp.TimeOut)
	return c
}

func (c *tclient) close() {
	if !c.closed {
		c.closed = true
		if c.resp.SessionID != 0 {
			// Best effort: end the session now rather than leave it to
			// expire during a later test (matters against a real server).
			_ = c.rc.Send(c.xid+1, jute.OpCloseSession, nil)
		}
		_ = c.rc.Close()
	}
}

// next returns the next frame, failing after a timeout; ok is false when
// the connection closed.
func (c *tclient) next(timeout time.Duration) (frame, bool) {
	c.t.Helper()
	select {
	case f, ok := <-c.frames:
		return f, ok
	case <-time.After(timeout):
		c.t.Fatalf("no frame within %v", timeout)
		return frame{}, false
	}
}

// send writes one request frame.
func (c *tclient) send(xid, op int32, req jute.Record) {
	c.t.Helper()
	require.NoError(c.t, c.rc.Send(xid, op, req))
}

func (c *tclient) sendRaw(b []byte) {
	c.t.Helper()
	require.NoError(c.t, c.rc.SendRaw(b))
}

// await reads frames until the reply with xid, stashing events.
func (c *tclient) await(xid int32) frame {
	c.t.Helper()
	for {
		f, ok := c.next(10 * time.Second)
		if !ok {
			c.t.Fatalf("connection closed while waiting for xid %d", xid)
		}
		if f.Header.Xid == jute.XidNotification {
			var ev jute.WatcherEvent
			require.NoError(c.t, jute.Unmarshal(f.Body, &ev))
			c.events = append(c.events, ev)
			continue
		}
		require.Equal(c.t, xid, f.Header.Xid, "reply out of order")
		return f
	}
}

// call sends a request and decodes the reply body into resp when err is
// 0. It returns the reply header.
func (c *tclient) call(op int32, req, resp jute.Record) jute.ReplyHeader {
	c.t.Helper()
	c.xid++
	c.send(c.xid, op, req)
	f := c.await(c.xid)
	if f.Header.Err == 0 && resp != nil {
		require.NoError(c.t, jute.Unmarshal(f.Body, resp), "op %d reply body", op)
	}
	return f.Header
}

// errOf runs a request and returns only its error code.
func (c *tclient) errOf(op int32, req jute.Record) int32 {
	c.t.Helper()
	return c.call(op, req, nil).Err
}

func (c *tclient) ping() jute.ReplyHeader {
	c.t.Helper()
	c.send(jute.XidPing, jute.OpPing, nil)
	return c.await(jute.XidPing).Header
}

// sync makes sure every frame the server sent before now has been read: a
// ping's reply comes after them.
func (c *tclient) sync() { c.t.Helper(); c.ping() }

// event returns the next watch event.
func (c *tclient) event() jute.WatcherEvent {
	c.t.Helper()
	if len(c.events) == 0 {
		f, ok := c.next(10 * time.Second)
		require.True(c.t, ok, "connection closed while waiting for an event")
		require.Equal(c.t, jute.XidNotification, f.Header.Xid, "expected an event, got reply %+v", f.Header)
		require.EqualValues(c.t, -1, f.Header.Zxid)
		var ev jute.WatcherEvent
		require.NoError(c.t, jute.Unmarshal(f.Body, &ev))
		return ev
	}
	ev := c.events[0]
	c.events = c.events[1:]
	return ev
}

// expectEvents checks the next events, in order, then that no other event
// was sent before a ping.
func (c *tclient) expectEvents(want ...jute.WatcherEvent) {
	c.t.Helper()
	for _, w := range want {
		require.Equal(c.t, w, c.event())
	}
	c.noEvents()
}

// noEvents checks that no event is pending (after a ping round trip).
func (c *tclient) noEvents() {
	c.t.Helper()
	c.sync()
	require.Empty(c.t, c.events, "unexpected events")
}

func ev(typ int32, path string) jute.WatcherEvent {
	return jute.WatcherEvent{Type: typ, State: jute.StateSyncConnected, Path: path}
}

// waitClosed waits for the server to close the connection, collecting
// frames sent before.
func (c *tclient) waitClosed() []frame {
	c.t.Helper()
	var got []frame
	for {
		f, ok := c.next(10 * time.Second)
		if !ok {
			return got
		}
		got = append(got, f)
	}
}

// Request helpers.

func (c *tclient) create(path string, data []byte, flags int32) (string, int32) {
	c.t.Helper()
	var resp jute.CreateResponse
	h := c.call(jute.OpCreate, &jute.CreateRequest{Path: path, Data: data, ACL: openACLUnsafe, Flags: flags}, &resp)
	return resp.Path, h.Err
}

func (c *tclient) mustCreate(path string, data []byte, flags int32) string {
	c.t.Helper()
	p, err := c.create(path, data, flags)
	require.EqualValues(c.t, 0, err, "create %s", path)
	return p
}

func (c *tclient) create2(op int32, path string, data []byte, flags int32, ttl int64) (jute.Create2Response, jute.ReplyHeader) {
	c.t.Helper()
	var resp jute.Create2Response
	var req jute.Record = &jute.CreateRequest{Path: path, Data: data, ACL: openACLUnsafe, Flags: flags}
	if op == jute.OpCreateTTL {
		req = &jute.CreateTTLRequest{Path: path, Data: data, ACL: openACLUnsafe, Flags: flags, TTL: ttl}
	}
	h := c.call(op, req, &resp)
	return resp, h
}

func (c *tclient) exists(path string, watch bool) (jute.Stat, int32) {
	c.t.Helper()
	var resp jute.ExistsResponse
	h := c.call(jute.OpExists, &jute.ExistsRequest{Path: path, Watch: watch}, &resp)
	return resp.Stat, h.Err
}

func (c *tclient) stat(path string) jute.Stat {
	c.t.Helper()
	st, err := c.exists(path, false)
	require.EqualValues(c.t, 0, err, "exists %s", path)
	return st
}

func (c *tclient) getData(path string, watch bool) (jute.GetDataResponse, int32) {
	c.t.Helper()
	var resp jute.GetDataResponse
	h := c.call(jute.OpGetData, &jute.GetDataRequest{Path: path, Watch: watch}, &resp)
	return resp, h.Err
}

func (c *tclient) setData(path string, data []byte, version int32) (jute.Stat, jute.ReplyHeader) {
	c.t.Helper()
	var resp jute.SetDataResponse
	h := c.call(jute.OpSetData, &jute.SetDataRequest{Path: path, Data: data, Version: version}, &resp)
	return resp.Stat, h
}

func (c *tclient) delete(path string, version int32) int32 {
	c.t.Helper()
	return c.errOf(jute.OpDelete, &jute.DeleteRequest{Path: path, Version: version})
}

func (c *tclient) children(path string, watch bool) ([]string, int32) {
	c.t.Helper()
	var resp jute.GetChildrenResponse
	h := c.call(jute.OpGetChildren, &jute.GetChildrenRequest{Path: path, Watch: watch}, &resp)
	return resp.Items, h.Err
}

func (c *tclient) addWatch(path string, mode int32) int32 {
	c.t.Helper()
	var resp jute.ErrorResponse
	h := c.call(jute.OpAddWatch, &jute.AddWatchRequest{Path: path, Type: mode}, &resp)
	if h.Err == 0 {
		require.EqualValues(c.t, 0, resp.Value)
	}
	return h.Err
}

func (c *tclient) auth(scheme, cred string) int32 {
	c.t.Helper()
	c.send(jute.XidAuth, jute.OpAuth, &jute.AuthPacket{Scheme: scheme, Auth: []byte(cred)})
	return c.await(jute.XidAuth).Header.Err
}

func (c *tclient) closeSession() {
	c.t.Helper()
	h := c.call(jute.OpCloseSession, nil, nil)
	require.EqualValues(c.t, 0, h.Err)
	c.waitClosed()
}

// waitUntil polls cond until it holds or the deadline passes.
func waitUntil(t testing.TB, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, 5*time.Millisecond, msg)
}
