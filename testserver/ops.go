package testserver

import (
	"strings"
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

// knownOp reports the opcodes a 3.8 server accepts from clients
// (Request.isValid); anything else gets Unimplemented and a closed
// connection.
func knownOp(op int32) bool {
	switch op {
	case jute.OpCheck, jute.OpCloseSession, jute.OpCreate, jute.OpCreate2,
		jute.OpCreateTTL, jute.OpCreateContainer, jute.OpDeleteContainer, jute.OpDelete, jute.OpExists,
		jute.OpGetACL, jute.OpGetChildren, jute.OpGetAllChildrenNumber,
		jute.OpGetChildren2, jute.OpGetData, jute.OpGetEphemerals, jute.OpMulti,
		jute.OpMultiRead, jute.OpPing, jute.OpReconfig, jute.OpSetACL,
		jute.OpSetData, jute.OpSetWatches, jute.OpSetWatches2, jute.OpSync,
		jute.OpCheckWatches, jute.OpRemoveWatches, jute.OpAddWatch, jute.OpWhoAmI:
		return true
	}
	return false
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
		// A 3.8 server without SASL configured answers with a null
		// token, then closes the connection.
		c.reply(r.xid, 0, 0, nullToken{})
		c.closeGracefully()
		return false
	case r.op == jute.OpCreateSession:
		// 3.8 takes createSession from a client as a transaction (a zxid
		// is used), fails to decode it, answers MarshallingError and
		// closes the connection.
		s.zxid++
		c.reply(r.xid, s.zxid, jute.ErrMarshallingError, nil)
		c.closeGracefully()
		return false
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
	case jute.OpCreate, jute.OpCreate2, jute.OpCreateContainer, jute.OpCreateTTL,
		jute.OpDelete, jute.OpSetData, jute.OpSetACL, jute.OpCheck, jute.OpReconfig:
		errCode, body = s.doWrite(r)
	case jute.OpDeleteContainer:
		// Server-internal: 3.8 refuses it from a client with
		// BadArguments, after taking a zxid, whatever the body.
		s.zxid++
		errCode = jute.ErrBadArguments
	case jute.OpMulti:
		errCode, body = s.doMulti(r)
	case jute.OpMultiRead:
		errCode, body = s.doMultiRead(r)
	default:
		errCode, body = s.doRead(r)
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

// doRead handles the non-transactional ops.
func (s *Server) doRead(r *request) (int32, jute.Record) {
	c := r.c
	switch r.op {
	case jute.OpSync:
		var req jute.SyncRequest
		if jute.Unmarshal(r.body, &req) != nil {
			return jute.ErrMarshallingError, nil
		}
		return 0, &jute.SyncResponse{Path: req.Path}
	case jute.OpExists:
		var req jute.ExistsRequest
		if jute.Unmarshal(r.body, &req) != nil {
			return jute.ErrMarshallingError, nil
		}
		if strings.IndexByte(req.Path, 0) >= 0 {
			return jute.ErrBadArguments, nil
		}
		if req.Watch {
			s.dataWatches.add(req.Path, c, modeStandard)
		}
		n := s.tree.get(req.Path)
		if n == nil {
			return jute.ErrNoNode, nil
		}
		return 0, &jute.ExistsResponse{Stat: n.copyStat()}
	case jute.OpGetData:
		var req jute.GetDataRequest
		if jute.Unmarshal(r.body, &req) != nil {
			return jute.ErrMarshallingError, nil
		}
		return s.getData(c, req.Path, req.Watch)
	case jute.OpGetChildren, jute.OpGetChildren2:
		var req jute.GetChildrenRequest
		if jute.Unmarshal(r.body, &req) != nil {
			return jute.ErrMarshallingError, nil
		}
		n := s.tree.get(req.Path)
		if n == nil {
			return jute.ErrNoNode, nil
		}
		if !checkACL(n.acl, jute.PermRead, c.auth) {
			return jute.ErrNoAuth, nil
		}
		if req.Watch {
			s.childWatches.add(req.Path, c, modeStandard)
		}
		if r.op == jute.OpGetChildren {
			return 0, &jute.GetChildrenResponse{Items: n.childList()}
		}
		return 0, &jute.GetChildren2Response{Children: n.childList(), Stat: n.copyStat()}
	case jute.OpGetACL:
		var req jute.GetACLRequest
		if jute.Unmarshal(r.body, &req) != nil {
			return jute.ErrMarshallingError, nil
		}
		n := s.tree.get(req.Path)
		if n == nil {
			return jute.ErrNoNode, nil
		}
		if !checkACL(n.acl, jute.PermRead|jute.PermAdmin, c.auth) {
			return jute.ErrNoAuth, nil
		}
		acl := n.acl
		if !checkACL(n.acl, jute.PermAdmin, c.auth) {
			acl = maskDigests(acl)
		}
		return 0, &jute.GetACLResponse{ACL: acl, Stat: n.copyStat()}
	case jute.OpGetAllChildrenNumber:
		var req jute.GetAllChildrenNumberRequest
		if jute.Unmarshal(r.body, &req) != nil {
			return jute.ErrMarshallingError, nil
		}
		n := s.tree.get(req.Path)
		if n == nil {
			return jute.ErrNoNode, nil
		}
		if !checkACL(n.acl, jute.PermRead, c.auth) {
			return jute.ErrNoAuth, nil
		}
		return 0, &jute.GetAllChildrenNumberResponse{Value: s.tree.countDescendants(req.Path)}
	case jute.OpGetEphemerals:
		var req jute.GetEphemeralsRequest
		if jute.Unmarshal(r.body, &req) != nil {
			return jute.ErrMarshallingError, nil
		}
		all := s.tree.ephemeralsOf(c.sess.id)
		prefix := strings.TrimSpace(req.Path)
		out := make([]string, 0, len(all))
		for _, p := range all {
			if prefix == "" || prefix == "/" || strings.HasPrefix(p, req.Path) {
				out = append(out, p)
			}
		}
		return 0, &jute.GetEphemeralsResponse{Items: out}
	case jute.OpWhoAmI:
		return 0, &jute.WhoAmIResponse{ClientInfo: clientInfos(c.auth)}
	case jute.OpAddWatch:
		var req jute.AddWatchRequest
		if jute.Unmarshal(r.body, &req) != nil {
			return jute.ErrMarshallingError, nil
		}
		var mode watchMode
		switch req.Type {
		case jute.AddWatchPersistent:
			mode = modePersistent
		case jute.AddWatchPersistentRecursive:
			mode = modeRecursive
		default:
			return jute.ErrMarshallingError, nil
		}
		// 3.8.0 registers both kinds in both managers.
		s.dataWatches.add(req.Path, c, mode)
		s.childWatches.add(req.Path, c, mode)
		return 0, &jute.ErrorResponse{Value: 0}
	case jute.OpCheckWatches, jute.OpRemoveWatches:
		var req jute.CheckWatchesRequest
		if jute.Unmarshal(r.body, &req) != nil {
			return jute.ErrMarshallingError, nil
		}
		var mgrs []*watchManager
		switch req.Type {
		case jute.WatcherChildren:
			mgrs = []*watchManager{s.childWatches}
		case jute.WatcherData:
			mgrs = []*watchManager{s.dataWatches}
		case jute.WatcherAny:
			mgrs = []*watchManager{s.childWatches, s.dataWatches}
		default:
			return jute.ErrMarshallingError, nil
		}
		if r.op == jute.OpCheckWatches && req.Path != "" && !strings.Contains(req.Path, "/") {
			// 3.8's containsWatcher walks the path's parents and throws
			// on a path without a slash: the server answers
			// MarshallingError.
			return jute.ErrMarshallingError, nil
		}
		found := false
		for _, m := range mgrs {
			if r.op == jute.OpCheckWatches {
				found = m.contains(req.Path) || found
			} else {
				found = m.remove(req.Path, c) || found
			}
		}
		if !found {
			return jute.ErrNoWatcher, nil
		}
		return 0, nil
	case jute.OpSetWatches, jute.OpSetWatches2:
		var req jute.SetWatches2
		if r.op == jute.OpSetWatches {
			var sw jute.SetWatches
			if jute.Unmarshal(r.body, &sw) != nil {
				return jute.ErrMarshallingError, nil
			}
			req = jute.SetWatches2{RelativeZxid: sw.RelativeZxid, DataWatches: sw.DataWatches,
				ExistWatches: sw.ExistWatches, ChildWatches: sw.ChildWatches}
		} else if jute.Unmarshal(r.body, &req) != nil {
			return jute.ErrMarshallingError, nil
		}
		s.setWatchesLocked(c, &req)
		return 0, nil
	}
	return jute.ErrUnimplemented, nil
}

func (s *Server) getData(c *conn, path string, watch bool) (int32, jute.Record) {
	n := s.tree.get(path)
	if n == nil {
		return jute.ErrNoNode, nil
	}
	if !checkACL(n.acl, jute.PermRead, c.auth) {
		return jute.ErrNoAuth, nil
	}
	if watch {
		s.dataWatches.add(path, c, modeStandard)
	}
	return 0, &jute.GetDataResponse{Data: n.data, Stat: n.copyStat()}
}

// setWatchesLocked re-registers watches after a reconnect, firing at once
// the events the client missed since relativeZxid (DataTree.setWatches).
func (s *Server) setWatchesLocked(c *conn, req *jute.SetWatches2) {
	rel := req.RelativeZxid
	for _, p := range req.DataWatches {
		switch n := s.tree.get(p); {
		case n == nil:
			c.sendEvent(jute.EventNodeDeleted, p)
		case n.stat.Mzxid > rel:
			c.sendEvent(jute.EventNodeDataChanged, p)
		default:
			s.dataWatches.add(p, c, modeStandard)
		}
	}
	for _, p := range req.ExistWatches {
		if s.tree.get(p) != nil {
			c.sendEvent(jute.EventNodeCreated, p)
		} else {
			s.dataWatches.add(p, c, modeStandard)
		}
	}
	for _, p := range req.ChildWatches {
		switch n := s.tree.get(p); {
		case n == nil:
			c.sendEvent(jute.EventNodeDeleted, p)
		case n.stat.Pzxid > rel:
			c.sendEvent(jute.EventNodeChildrenChanged, p)
		default:
			s.childWatches.add(p, c, modeStandard)
		}
	}
	for _, p := range req.PersistentWatches {
		s.childWatches.add(p, c, modePersistent)
		s.dataWatches.add(p, c, modePersistent)
	}
	for _, p := range req.PersistentRecursiveWatches {
		s.childWatches.add(p, c, modeRecursive)
		s.dataWatches.add(p, c, modeRecursive)
	}
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
