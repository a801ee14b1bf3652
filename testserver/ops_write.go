package testserver

import (
	"fmt"
	"strings"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/zk"
)

// record is a node's state as seen while preparing a transaction: the tree
// plus the changes of earlier ops of the same multi (PrepRequestProcessor's
// ChangeRecord).
type record struct {
	stat       jute.Stat
	childCount int32
	acl        []jute.ACL
}

// view prepares write ops against the tree without modifying it.
type view struct {
	s       *Server
	auth    []jute.Id
	session int64
	zxid    int64
	now     int64              // ms
	changes map[string]*record // nil value: deleted
}

// newView returns the view for preparing one write (or multi) of c. There
// is one per Server, reused: writes are prepared one at a time under s.mu,
// and a view is dropped once its changes are applied.
func (s *Server) newView(c *conn, zxid, nowMs int64) *view {
	changes := s.scratch.changes
	if changes == nil || len(changes) > 1024 {
		changes = map[string]*record{} // a large multi's map is not kept
	}
	clear(changes)
	s.scratch = view{s: s, auth: c.auth, session: c.sess.id, zxid: zxid, now: nowMs, changes: changes}
	return &s.scratch
}

func (v *view) get(path string) (*record, bool) {
	key := lookupKey(path)
	if r, ok := v.changes[key]; ok {
		return r, r != nil
	}
	n := v.s.tree.nodes[key]
	if n == nil {
		return nil, false
	}
	return &record{stat: n.stat, childCount: int32(n.numChildren()), acl: n.acl}, true
}

func (v *view) set(path string, r *record) { v.changes[lookupKey(path)] = r }

// change is a prepared write, applied to the tree once the whole
// transaction is known to succeed.
type change struct {
	op             int32 // OpCreate (every create), OpDelete, OpSetData, OpSetACL, OpCheck
	resultType     int32 // multi result type: OpCreate or OpCreate2 for creates
	path           string
	data           []byte
	acl            []jute.ACL
	owner          int64
	parentCversion int32
	version        int32
}

// createFlags decodes CreateMode flags.
type createFlags struct{ ephemeral, sequential, container, ttl bool }

func parseCreateFlags(f int32) (createFlags, bool) {
	switch f {
	case jute.FlagPersistent:
		return createFlags{}, true
	case jute.FlagEphemeral:
		return createFlags{ephemeral: true}, true
	case jute.FlagPersistentSequential:
		return createFlags{sequential: true}, true
	case jute.FlagEphemeralSequential:
		return createFlags{ephemeral: true, sequential: true}, true
	case jute.FlagContainer:
		return createFlags{container: true}, true
	case jute.FlagPersistentWithTTL:
		return createFlags{ttl: true}, true
	case jute.FlagPersistentSequentialTTL:
		return createFlags{ttl: true, sequential: true}, true
	}
	return createFlags{}, false
}

// prepCreate is pRequest2TxnCreate. op is the effective create op: it
// decides the node type (createContainer: container, createTTL: TTL).
func (v *view) prepCreate(op int32, path string, data []byte, acl []jute.ACL, flags int32, ttl int64) (change, int32) {
	mode, ok := parseCreateFlags(flags)
	if !ok {
		return change{}, jute.ErrBadArguments
	}
	if mode.ttl && !v.s.cfg.extendedTypes {
		// validateCreateRequest: TTL modes need extended types.
		return change{}, jute.ErrUnimplemented
	}
	if mode.ttl {
		if ttl <= 0 || ttl > jute.MaxTTL {
			return change{}, jute.ErrBadArguments
		}
	} else if ttl >= 0 || op == jute.OpCreateTTL {
		return change{}, jute.ErrBadArguments
	}
	if !strings.Contains(path, "/") || strings.IndexByte(path, 0) >= 0 {
		return change{}, jute.ErrBadArguments
	}
	parentPath := zk.ParentPath(path)
	fixed, ok := fixupACL(acl, v.auth, v.s.saslEnabled())
	if !ok {
		return change{}, jute.ErrInvalidACL
	}
	parent, ok := v.get(parentPath)
	if !ok {
		return change{}, jute.ErrNoNode
	}
	if !checkACL(parent.acl, jute.PermCreate, v.auth) {
		return change{}, jute.ErrNoAuth
	}
	if mode.sequential {
		path += fmt.Sprintf(jute.SequentialSuffixFormat, parent.stat.Cversion)
	}
	if !validatePath(path) {
		return change{}, jute.ErrBadArguments
	}
	if _, exists := v.get(path); exists {
		return change{}, jute.ErrNodeExists
	}
	if kindOf(parent.stat.EphemeralOwner) == ownerSession {
		return change{}, jute.ErrNoChildrenForEphemerals
	}
	var owner int64
	switch {
	case op == jute.OpCreateContainer:
		owner = containerOwner
	case op == jute.OpCreateTTL:
		owner = ttlOwner(ttl)
	case mode.ephemeral:
		owner = v.session
	}
	newCversion := parent.stat.Cversion + 1
	pr := *parent
	pr.childCount++
	pr.stat.Cversion = newCversion
	pr.stat.Pzxid = v.zxid
	v.set(parentPath, &pr)
	v.set(path, &record{
		stat: jute.Stat{Czxid: v.zxid, Mzxid: v.zxid, Pzxid: v.zxid, Ctime: v.now, Mtime: v.now,
			EphemeralOwner: owner},
		acl: fixed,
	})
	rt := jute.OpCreate2
	if op == jute.OpCreate {
		rt = jute.OpCreate
	}
	return change{op: jute.OpCreate, resultType: rt, path: path, data: data, acl: fixed,
		owner: owner, parentCversion: newCversion}, 0
}

// prepDelete is pRequest2Txn for delete.
func (v *view) prepDelete(path string, version int32) (change, int32) {
	if !strings.Contains(path, "/") || strings.IndexByte(path, 0) >= 0 || isSpecialPath(path) {
		return change{}, jute.ErrBadArguments
	}
	parentPath := zk.ParentPath(path)
	parent, ok := v.get(parentPath)
	if !ok {
		return change{}, jute.ErrNoNode
	}
	if !checkACL(parent.acl, jute.PermDelete, v.auth) {
		return change{}, jute.ErrNoAuth
	}
	n, ok := v.get(path)
	if !ok {
		return change{}, jute.ErrNoNode
	}
	if version != -1 && version != n.stat.Version {
		return change{}, jute.ErrBadVersion
	}
	if n.childCount > 0 {
		return change{}, jute.ErrNotEmpty
	}
	pr := *parent
	pr.childCount--
	pr.stat.Pzxid = v.zxid
	v.set(parentPath, &pr)
	v.set(path, nil)
	return change{op: jute.OpDelete, resultType: jute.OpDelete, path: path}, 0
}

// prepSetData is pRequest2Txn for setData.
func (v *view) prepSetData(path string, data []byte, version int32) (change, int32) {
	if !validatePath(path) {
		return change{}, jute.ErrBadArguments
	}
	n, ok := v.get(path)
	if !ok {
		return change{}, jute.ErrNoNode
	}
	if !checkACL(n.acl, jute.PermWrite, v.auth) {
		return change{}, jute.ErrNoAuth
	}
	if version != -1 && version != n.stat.Version {
		return change{}, jute.ErrBadVersion
	}
	nr := *n
	nr.stat.Version++
	nr.stat.Mtime = v.now
	nr.stat.Mzxid = v.zxid
	v.set(path, &nr)
	return change{op: jute.OpSetData, resultType: jute.OpSetData, path: path, data: data, version: nr.stat.Version}, 0
}

// prepSetACL is pRequest2Txn for setACL.
func (v *view) prepSetACL(path string, acl []jute.ACL, version int32) (change, int32) {
	if !validatePath(path) {
		return change{}, jute.ErrBadArguments
	}
	fixed, ok := fixupACL(acl, v.auth, v.s.saslEnabled())
	if !ok {
		return change{}, jute.ErrInvalidACL
	}
	n, ok := v.get(path)
	if !ok {
		return change{}, jute.ErrNoNode
	}
	if !checkACL(n.acl, jute.PermAdmin, v.auth) {
		return change{}, jute.ErrNoAuth
	}
	if version != -1 && version != n.stat.Aversion {
		return change{}, jute.ErrBadVersion
	}
	nr := *n
	nr.stat.Aversion++
	nr.acl = fixed
	v.set(path, &nr)
	return change{op: jute.OpSetACL, resultType: jute.OpSetACL, path: path, acl: fixed, version: nr.stat.Aversion}, 0
}

// prepCheck is pRequest2Txn for check.
func (v *view) prepCheck(path string, version int32) (change, int32) {
	if !validatePath(path) {
		return change{}, jute.ErrBadArguments
	}
	n, ok := v.get(path)
	if !ok {
		return change{}, jute.ErrNoNode
	}
	if !checkACL(n.acl, jute.PermRead, v.auth) {
		return change{}, jute.ErrNoAuth
	}
	if version != -1 && version != n.stat.Version {
		return change{}, jute.ErrBadVersion
	}
	return change{op: jute.OpCheck, resultType: jute.OpCheck, path: path}, 0
}

// applyLocked applies a prepared change to the tree, firing watches, and
// returns the resulting path and Stat.
func (s *Server) applyLocked(ch change, zxid, nowMs int64) (string, jute.Stat) {
	switch ch.op {
	case jute.OpCreate:
		st := s.tree.createNode(ch.path, ch.data, ch.acl, ch.owner, ch.parentCversion, zxid, nowMs)
		parent := zk.ParentPath(ch.path)
		s.dataWatches.trigger(ch.path, jute.EventNodeCreated, ch.acl, nil)
		s.childWatches.trigger(parent, jute.EventNodeChildrenChanged, s.tree.aclOf(parent), nil)
		return ch.path, st
	case jute.OpDelete:
		s.deleteNodeLocked(ch.path, zxid)
	case jute.OpSetData:
		n := s.tree.nodes[ch.path]
		s.tree.setData(ch.path, n, ch.data)
		n.stat.Mtime = nowMs
		n.stat.Mzxid = zxid
		n.stat.Version = ch.version
		s.dataWatches.trigger(ch.path, jute.EventNodeDataChanged, n.acl, nil)
		return ch.path, n.copyStat()
	case jute.OpSetACL:
		n := s.tree.nodes[ch.path]
		n.acl = ch.acl
		n.stat.Aversion = ch.version
		return ch.path, n.copyStat()
	}
	return ch.path, jute.Stat{}
}

// deleteNodeLocked deletes a node and fires NodeDeleted (once per
// connection across data and child watches) and the parent's
// NodeChildrenChanged.
func (s *Server) deleteNodeLocked(path string, zxid int64) {
	n := s.tree.nodes[path]
	if n == nil {
		return
	}
	parent := zk.ParentPath(path)
	s.tree.deleteNode(path, zxid)
	parentACL := s.tree.aclOf(parent)
	hit := s.dataWatches.trigger(path, jute.EventNodeDeleted, n.acl, nil)
	s.childWatches.trigger(path, jute.EventNodeDeleted, n.acl, hit)
	s.childWatches.trigger(parent, jute.EventNodeChildrenChanged, parentACL, nil)
}

// writeOp makes the handler of a single write op: it takes a zxid (whether
// the write succeeds or not), decodes the body into an R (MarshallingError
// when it cannot), lets prep check the write against the tree, applies it
// and answers as the opcode asks.
func writeOp[R any, P decodable[R]](prep func(v *view, op int32, req *R) (change, int32)) handler {
	apply := withBody[R, P](func(s *Server, r request, req *R) (int32, jute.Record) {
		zxid, nowMs := s.zxid, r.now.UnixMilli()
		ch, code := prep(s.newView(r.c, zxid, nowMs), r.op, req)
		if code != 0 {
			return code, nil
		}
		path, st := s.applyLocked(ch, zxid, nowMs)
		return writeReply(r.op, path, st)
	})
	return func(s *Server, r request) (int32, jute.Record) {
		s.zxid++
		return apply(s, r)
	}
}

// writeReply is the reply to a single write op that was applied.
func writeReply(op int32, path string, st jute.Stat) (int32, jute.Record) {
	switch op {
	case jute.OpCreate:
		return 0, &jute.CreateResponse{Path: path}
	case jute.OpCreate2, jute.OpCreateContainer, jute.OpCreateTTL:
		return 0, &jute.Create2Response{Path: path, Stat: st}
	case jute.OpSetData, jute.OpSetACL:
		return 0, &jute.StatResponse{Stat: st}
	case jute.OpCheck:
		return standaloneCheckReply()
	}
	return 0, nil
}

// The prep functions of the single write ops, for writeOp.

func prepCreate(v *view, op int32, req *jute.CreateRequest) (change, int32) {
	return v.prepCreate(op, req.Path, req.Data, req.ACL, req.Flags, -1)
}

func prepCreateTTL(v *view, op int32, req *jute.CreateTTLRequest) (change, int32) {
	return v.prepCreate(op, req.Path, req.Data, req.ACL, req.Flags, req.TTL)
}

func prepDelete(v *view, _ int32, req *jute.DeleteRequest) (change, int32) {
	return v.prepDelete(req.Path, req.Version)
}

func prepSetData(v *view, _ int32, req *jute.SetDataRequest) (change, int32) {
	return v.prepSetData(req.Path, req.Data, req.Version)
}

func prepSetACL(v *view, _ int32, req *jute.SetACLRequest) (change, int32) {
	return v.prepSetACL(req.Path, req.ACL, req.Version)
}

func prepCheck(v *view, _ int32, req *jute.CheckVersionRequest) (change, int32) {
	return v.prepCheck(req.Path, req.Version)
}

// opReconfig answers reconfig: ReconfigRequest{joiningServers,
// leavingServers, newMembers, curConfigId} is decoded before a zxid is
// taken; a standalone server then refuses it (reconfig disabled).
func (s *Server) opReconfig(r request) (int32, jute.Record) {
	d := jute.NewDecoder(r.body)
	_ = d.String()
	_ = d.String()
	_ = d.String()
	_ = d.Long()
	if d.Err() != nil {
		return jute.ErrMarshallingError, nil
	}
	s.zxid++
	return jute.ErrReconfigDisabled, nil
}

// opDeleteContainer answers deleteContainer, which is server-internal: 3.8
// refuses it from a client with BadArguments, after taking a zxid, whatever
// the body.
func (s *Server) opDeleteContainer(request) (int32, jute.Record) {
	s.zxid++
	return jute.ErrBadArguments, nil
}

// errNoReply is an internal result code: send no reply at all.
const errNoReply int32 = -1 << 31

// standaloneCheckReply is the reply to a successful check (13) sent outside
// a multi. ZooKeeper 3.8.0 applies it (a zxid is used) but fails to
// serialise its reply (a null Stat), so the client never gets one and the
// connection stays open. We do the same.
func standaloneCheckReply() (int32, jute.Record) { return errNoReply, nil }
