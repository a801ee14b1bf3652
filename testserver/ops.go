package testserver

import (
	"encoding/binary"
	"time"

	"github.com/zkcurator/zkcurator/jute"
)

// request is one decoded request header with its body.
type request struct {
	c    *conn
	xid  int32
	op   int32
	body []byte
	now  time.Time
}

// process handles one request frame. It returns false when the connection
// must stop reading (it is closing).
func (s *Server) process(c *conn, frame []byte) bool {
	d := jute.NewDecoder(frame)
	var h jute.RequestHeader
	h.Decode(d)
	if d.Err() != nil {
		return false // ZooKeeper closes on an unreadable header
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.hole.Load() {
		return true // dropped unread: the session is not touched
	}
	if c.isClosed() || c.sess == nil {
		return false
	}
	r := &request{c: c, xid: h.Xid, op: h.Type, body: frame[d.Offset():], now: time.Now()}
	c.sess.lastHeard = r.now
	return s.dispatchLocked(r)
}

func (s *Server) dispatchLocked(r *request) bool {
	c := r.c
	switch {
	case r.op == jute.OpAuth:
		return s.doAuth(r)
	case r.op == jute.OpSASL:
		return s.doSASL(r)
	case !s.saslAuthorized(c):
		return s.refuseUnauthenticated(r)
	case r.op == jute.OpCreateSession:
		s.createSessionOp(r)
		return true
	case !knownOp(r.op) || !s.ver.hasOps(r.op):
		s.log.Debug("unimplemented op", "op", r.op, "remote", c.remote)
		c.reply(r.xid, -1, jute.ErrUnimplemented, nil)
		c.closeGracefully()
		return false
	}
	xid := r.xid
	var (
		errCode int32
		body    jute.Record
		closing bool
	)
	switch r.op {
	case jute.OpPing:
		xid = jute.XidPing
	case jute.OpCloseSession:
		if sess := c.sess; sess != nil && s.sessions[sess.id] == sess {
			sess.conn = nil
			s.killSessionLocked(sess)
		}
		closing = true
	default:
		if s.readOnlyRejects(r.op) {
			errCode = jute.ErrNotReadOnly
			break
		}
		errCode, body = handlers[r.op](s, *r)
	}
	c.lastOp = opName(r.op)
	c.lastZxid = s.zxid
	if s.dropArmed && s.dropOp == r.op {
		s.dropArmed = false
		s.log.Debug("dropping connection after apply", "op", r.op, "remote", c.remote)
		c.closeGracefully()
		return false
	}
	if errCode != errNoReply {
		c.reply(xid, s.zxid, errCode, body)
	}
	if closing {
		c.closeGracefully()
		return false
	}
	return true
}

// doAuth handles an AuthPacket (xid -4): digest and ip succeed; any other
// scheme gets AuthFailed and the connection is closed.
func (s *Server) doAuth(r *request) bool {
	var p jute.AuthPacket
	if jute.Unmarshal(r.body, &p) != nil {
		return false
	}
	c := r.c
	var id jute.Id
	switch p.Scheme {
	case "digest":
		id = jute.Id{Scheme: "digest", ID: digestOf(string(p.Auth))}
	case "ip":
		id = jute.Id{Scheme: "ip", ID: c.ip}
	default:
		c.reply(r.xid, 0, jute.ErrAuthFailed, nil)
		c.closeGracefully()
		return false
	}
	found := false
	for _, have := range c.auth {
		if have == id {
			found = true
		}
	}
	if !found {
		c.auth = javaSetOrder(append(c.auth, id))
	}
	c.reply(r.xid, 0, jute.ErrOK, nil)
	return true
}

// opName is the 4-letter name ZooKeeper reports as a connection's last op.
func opName(op int32) string {
	switch op {
	case jute.OpPing:
		return "PING"
	case jute.OpCreate, jute.OpCreate2, jute.OpCreateContainer, jute.OpCreateTTL:
		return "CREA"
	case jute.OpDelete:
		return "DELE"
	case jute.OpSetData:
		return "SETD"
	case jute.OpGetData:
		return "GETD"
	case jute.OpExists:
		return "EXIS"
	case jute.OpGetChildren, jute.OpGetChildren2:
		return "GETC"
	case jute.OpMulti:
		return "MULT"
	case jute.OpMultiRead:
		return "MLTR"
	case jute.OpSync:
		return "SYNC"
	case jute.OpCloseSession:
		return "CLOS"
	case jute.OpSetWatches:
		return "SETW"
	case jute.OpSetWatches2:
		return "STW2"
	case jute.OpAddWatch:
		return "ADDW"
	case jute.OpGetACL:
		return "GETA"
	case jute.OpSetACL:
		return "SETA"
	case jute.OpCheck:
		return "CHEC"
	}
	return "NA"
}

// nullToken is the body of a SASL reply without a token (a null buffer).
type nullToken struct{}

func (nullToken) Encode(b []byte) []byte { return jute.AppendBuffer(b, nil) }
func (nullToken) Decode(*jute.Decoder)   {}

// createSessionOp answers createSession sent as a request, as 3.8 does:
// it is a transaction (a zxid is used) whose body's first int is a
// timeout. Without one, MarshallingError. With one, the session's expiry
// is moved to now plus that many milliseconds (its timeout is unchanged)
// and the server answers with a bare ConnectResponse frame for the
// connection's session (finishSessionInit), no reply header. The
// connection stays open either way.
func (s *Server) createSessionOp(r *request) {
	c := r.c
	s.zxid++
	if len(r.body) < 4 {
		c.reply(r.xid, s.zxid, jute.ErrMarshallingError, nil)
		return
	}
	to := time.Duration(int32(binary.BigEndian.Uint32(r.body))) * time.Millisecond
	sess := c.sess
	sess.lastHeard = r.now.Add(to - sess.timeout)
	s.sendConnectResponse(c, sess.timeout, sess.id, sess.passwd, false)
}
