package testserver

import (
	"bytes"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkcurator/zkcurator/jute"
)

// outMsg is one queued frame.
type outMsg struct {
	b          []byte
	at         time.Time // not written before (latency)
	closeAfter bool      // close the connection once written
}

// conn is one client TCP connection: a reader goroutine (serve) that
// decodes and processes requests under Server.mu, and a writer goroutine
// draining a bounded queue of frames.
type conn struct {
	s       *Server
	nc      net.Conn
	remote  string
	ip      string
	created time.Time

	// Guarded by Server.mu.
	sess      *session
	auth      []jute.Id
	oldClient bool
	lastZxid  int64
	lastOp    string
	holeID    int64      // session whose blackhole silences this connection
	sasl      *saslState // the connection's SASL exchange (sasl.go), nil before one

	// hole: the connection is blackholed (Server.Blackhole): what the
	// client sends is dropped unread, nothing is sent to it.
	hole atomic.Bool

	recv atomic.Int64
	sent atomic.Int64

	qmu         sync.Mutex
	q           []outMsg
	qbytes      int
	qsize       atomic.Int64 // qbytes, readable without qmu (limits.go)
	dead        bool         // nothing more may be queued
	closeQueued bool         // a closeAfter frame is queued: the writer closes
	wake        chan struct{}

	closeOnce  sync.Once
	closed     chan struct{}
	writerDone chan struct{}
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{
		s:          s,
		nc:         nc,
		remote:     nc.RemoteAddr().String(),
		created:    time.Now(),
		wake:       make(chan struct{}, 1),
		closed:     make(chan struct{}),
		writerDone: make(chan struct{}),
		lastOp:     "NA",
	}
	c.ip = c.remote
	if ta, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		c.ip = ta.IP.String()
	}
	// Every connection carries its ip id, as ZooKeeper's ServerCnxn does.
	c.auth = []jute.Id{{Scheme: "ip", ID: c.ip}}
	return c
}

// abort closes the connection at once, dropping anything queued.
func (c *conn) abort() {
	c.closeOnce.Do(func() {
		close(c.closed)
		_ = c.nc.Close()
		c.qmu.Lock()
		c.dead = true
		c.q = nil
		c.queuedLocked(-c.qbytes)
		c.qmu.Unlock()
	})
}

func (c *conn) isClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// enqueue queues a frame. A connection whose queue exceeds the output limit
// is a slow consumer and is closed. With closeAfter the connection is
// closed once the frame is written and nothing more is queued.
func (c *conn) enqueue(b []byte, closeAfter bool) {
	at := time.Now()
	if l := c.s.latency.Load(); l > 0 {
		at = at.Add(time.Duration(l))
	}
	if c.hole.Load() {
		return // lost in the black hole
	}
	c.s.makeRoom(len(b))
	c.qmu.Lock()
	if c.dead {
		c.qmu.Unlock()
		return
	}
	if queued := c.qbytes; queued > 0 && queued+len(b) > c.s.cfg.outLimit {
		c.qmu.Unlock()
		c.s.log.Warn("closing slow connection: output queue full", "remote", c.remote, "queued", queued)
		c.abort()
		return
	}
	c.q = append(c.q, outMsg{b: b, at: at, closeAfter: closeAfter})
	c.queuedLocked(len(b))
	if closeAfter {
		c.dead = true
		c.closeQueued = true
		// The connection is closing: like ZooKeeper's sessionless
		// connections it gets the handshake deadline to take its last
		// frames (a write already blocked included), so a client that
		// never reads cannot hold it open.
		if d := c.s.cfg.handshakeTimeout; d > 0 {
			_ = c.nc.SetWriteDeadline(time.Now().Add(d))
		}
	}
	c.qmu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// queuedLocked adds d to the bytes queued on c and on the server. Caller
// holds c.qmu.
func (c *conn) queuedLocked(d int) {
	c.qbytes += d
	c.qsize.Add(int64(d))
	c.s.queued.Add(int64(d))
}

// closeGracefully queues a close: frames already queued are written first.
func (c *conn) closeGracefully() { c.enqueue(nil, true) }

// reply queues a reply frame: header, then body when err is 0.
func (c *conn) reply(xid int32, zxid int64, err int32, body jute.Record) {
	c.enqueue(replyFrame(xid, zxid, err, body), false)
}

func replyFrame(xid int32, zxid int64, err int32, body jute.Record) []byte {
	b, start := jute.BeginFrame(make([]byte, 0, 64))
	h := jute.ReplyHeader{Xid: xid, Zxid: zxid, Err: err}
	b = h.Encode(b)
	if err == 0 && body != nil {
		b = body.Encode(b)
	}
	return jute.EndFrame(b, start)
}

// sendEvent queues a watch notification (xid -1) with zxid in its reply
// header: -1 before 3.9 and for events without a transaction, the firing
// transaction's zxid from 3.9 on (Server.notificationZxid).
func (c *conn) sendEvent(typ int32, path string, zxid int64) {
	ev := jute.WatcherEvent{Type: typ, State: jute.StateSyncConnected, Path: path}
	c.enqueue(replyFrame(jute.XidNotification, zxid, 0, &ev), false)
}

// hold waits until at and the end of any stall. It returns false if the
// connection closed meanwhile.
func (c *conn) hold(at time.Time) bool {
	for {
		until := at
		if st := time.Unix(0, c.s.stallUntil.Load()); st.After(until) {
			until = st
		}
		d := time.Until(until)
		if d <= 0 {
			return true
		}
		changed := c.s.faultChanged()
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-changed:
			t.Stop()
		case <-c.closed:
			t.Stop()
			return false
		}
	}
}

func (c *conn) writeLoop() {
	defer close(c.writerDone)
	for {
		c.qmu.Lock()
		for len(c.q) == 0 {
			c.qmu.Unlock()
			select {
			case <-c.wake:
			case <-c.closed:
				return
			}
			c.qmu.Lock()
		}
		head := c.q[0]
		c.qmu.Unlock()
		if !c.hold(head.at) {
			return
		}
		// Take every frame that is due, up to a close marker.
		now := time.Now()
		var bufs net.Buffers
		closeAfter := false
		c.qmu.Lock()
		if len(c.q) == 0 {
			// abort emptied the queue while we were holding.
			c.qmu.Unlock()
			return
		}
		n := 0
		for n < len(c.q) && !c.q[n].at.After(now) {
			m := c.q[n]
			n++
			if m.b != nil {
				bufs = append(bufs, m.b)
				c.queuedLocked(-len(m.b))
			}
			if m.closeAfter {
				closeAfter = true
				break
			}
		}
		if n == 0 { // the head became due in hold; take it anyway
			m := c.q[0]
			n = 1
			if m.b != nil {
				bufs = append(bufs, m.b)
				c.queuedLocked(-len(m.b))
			}
			closeAfter = m.closeAfter
		}
		c.q = c.q[n:]
		c.qmu.Unlock()
		if len(bufs) > 0 {
			cnt := int64(len(bufs))
			if _, err := bufs.WriteTo(c.nc); err != nil {
				c.abort()
				return
			}
			c.sent.Add(cnt)
			c.s.packetsSent.Add(cnt)
		}
		if closeAfter {
			c.abort()
			return
		}
	}
}

// serve runs the connection: the writer goroutine, the read loop, then the
// cleanup.
func (c *conn) serve() {
	s := c.s
	defer s.connWG.Done()
	s.connWG.Add(1)
	go func() {
		defer s.connWG.Done()
		c.writeLoop()
	}()
	c.readLoop()
	c.qmu.Lock()
	graceful := c.closeQueued
	c.qmu.Unlock()
	if !graceful {
		c.abort()
	}
	s.mu.Lock()
	s.detachLocked(c)
	s.mu.Unlock()
	<-c.writerDone
	c.abort()
	s.mu.Lock()
	delete(s.conns, c)
	s.releaseLocked(c)
	s.mu.Unlock()
	s.untrackOutput(c)
}

// detachLocked removes the connection's watches and unlinks it from its
// session; the session itself lives on.
func (s *Server) detachLocked(c *conn) {
	s.dataWatches.removeConn(c)
	s.childWatches.removeConn(c)
	if c.sess != nil && c.sess.conn == c {
		c.sess.conn = nil
	}
}

// readLoop reads the handshake (or a four-letter word), then requests until
// the connection fails or a request asks to stop.
func (c *conn) readLoop() {
	s := c.s
	// The handshake (or four-letter word) must arrive in time.
	if d := s.cfg.handshakeTimeout; d > 0 {
		_ = c.nc.SetReadDeadline(time.Now().Add(d))
	}
	var hdr [4]byte
	if _, err := io.ReadFull(c.nc, hdr[:]); err != nil {
		s.logHandshakeEnd(c, err)
		return
	}
	if cmd, ok := fourLetterWord(hdr); ok {
		s.serveFourLetter(c, cmd)
		return
	}
	frame, err := readFrameBody(c.nc, hdr, s.cfg.maxBuffer)
	if err != nil {
		s.logHandshakeEnd(c, err)
		return
	}
	_ = c.nc.SetReadDeadline(time.Time{})
	s.packetsRecv.Add(1)
	c.recv.Add(1)
	if !s.handshake(c, frame) {
		return
	}
	for {
		// A fresh buffer per frame: decoded records alias it and the tree
		// keeps node data.
		frame, err := readFrame(c.nc, s.cfg.maxBuffer)
		if err != nil {
			if err != io.EOF {
				s.log.Debug("connection read ended", "remote", c.remote, "err", err)
			}
			return
		}
		s.packetsRecv.Add(1)
		c.recv.Add(1)
		if !s.process(c, frame) {
			return
		}
	}
}

// handshake processes the ConnectRequest. It returns false when the
// connection must not read further.
func (s *Server) handshake(c *conn, frame []byte) bool {
	d := jute.NewDecoder(frame)
	var req jute.ConnectRequest
	req.ProtocolVersion = d.Int()
	req.LastZxidSeen = d.Long()
	req.TimeOut = d.Int()
	req.SessionID = d.Long()
	req.Passwd = d.Buffer()
	if d.Err() != nil {
		s.log.Debug("bad connect request", "remote", c.remote, "err", d.Err())
		return false
	}
	oldClient := d.Remaining() == 0
	allowsRO := !oldClient && d.Bool()
	now := time.Now()

	s.mu.Lock()
	defer s.mu.Unlock()
	if c.isClosed() {
		return false
	}
	c.oldClient = oldClient
	if req.SessionID != 0 && s.holes[req.SessionID] {
		// Partitioned: the handshake never arrives; the client times out.
		c.holeID = req.SessionID
		c.hole.Store(true)
		return true
	}
	if req.LastZxidSeen > s.zxid {
		s.log.Info("refusing session: client has seen a later zxid", "remote", c.remote,
			"clientZxid", req.LastZxidSeen, "serverZxid", s.zxid)
		return false
	}
	if s.readOnlyRefusesLocked(allowsRO) {
		s.log.Debug("read-only: refusing a client that does not allow read-only", "remote", c.remote)
		return false
	}
	timeout := s.clampTimeout(req.TimeOut)
	if req.SessionID == 0 {
		sess := s.newSessionLocked(timeout, now)
		s.noteSessionLocked(sess.id)
		sess.conn = c
		c.sess = sess
		s.sendConnectResponse(c, timeout, sess.id, sess.passwd, false)
		return true
	}
	if s.readOnlyRefusesSessionLocked(req.SessionID) {
		s.log.Debug("read-only: refusing global session reconnection", "session", hexID(req.SessionID))
		return false
	}
	sess := s.sessions[req.SessionID]
	if sess != nil && sess.conn != nil {
		// ZooKeeper closes the session's current connection first.
		old := sess.conn
		sess.conn = nil
		old.abort()
	}
	if sess == nil || !bytes.Equal(sess.passwd, req.Passwd) {
		s.log.Debug("re-attach refused: expired or bad password", "session", hexID(req.SessionID))
		s.sendConnectResponse(c, 0, 0, make([]byte, jute.PasswordLen), true)
		return false
	}
	sess.timeout = timeout
	sess.lastHeard = now
	sess.conn = c
	c.sess = sess
	s.log.Debug("session re-attached", "session", hexID(sess.id))
	s.sendConnectResponse(c, timeout, sess.id, sess.passwd, false)
	return true
}

func (s *Server) sendConnectResponse(c *conn, timeout time.Duration, id int64, passwd []byte, closeAfter bool) {
	resp := jute.ConnectResponse{TimeOut: int32(timeout / time.Millisecond), SessionID: id, Passwd: passwd,
		ReadOnly: timeout > 0 && s.ro.on.Load()}
	b, start := jute.BeginFrame(nil)
	b = resp.Encode(b)
	if c.oldClient {
		b = b[:len(b)-1] // no readOnly byte for clients that did not send one
	}
	b = jute.EndFrame(b, start)
	c.enqueue(b, closeAfter)
}
