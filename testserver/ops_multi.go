package testserver

import (
	"github.com/zkcurator/zkcurator/jute"
)

// multiOp is one decoded op of a multi or multiRead request. typ is the
// effective op as ZooKeeper's MultiOperationRecord rebuilds it: creates are
// retyped from their flags (TTL flags: createTTL, container flag:
// createContainer, else create), whatever opcode the client sent.
type multiOp struct {
	typ     int32
	read    bool
	create  jute.CreateTTLRequest // creates (TTL -1 unless createTTL)
	hasTTL  bool                  // sent as createTTL
	path    string
	version int32
	data    []byte
}

// decodeMulti parses a MultiOperationRecord. ok is false for a malformed
// record, an op that cannot appear in a multi, or read and write ops mixed.
func decodeMulti(b []byte) (ops []multiOp, ok bool) {
	d := jute.NewDecoder(b)
	var h jute.MultiHeader
	h.Decode(d)
	reads, writes := 0, 0
	for d.Err() == nil && !h.Done {
		var op multiOp
		switch h.Type {
		case jute.OpCreate, jute.OpCreate2, jute.OpCreateContainer, jute.OpCreateTTL:
			if h.Type == jute.OpCreateTTL {
				op.create.Decode(d)
				op.hasTTL = true
			} else {
				var cr jute.CreateRequest
				cr.Decode(d)
				op.create = jute.CreateTTLRequest{Path: cr.Path, Data: cr.Data, ACL: cr.ACL, Flags: cr.Flags, TTL: -1}
			}
			mode, _ := parseCreateFlags(op.create.Flags)
			switch {
			case mode.ttl:
				op.typ = jute.OpCreateTTL
			case mode.container:
				op.typ = jute.OpCreateContainer
			default:
				op.typ = jute.OpCreate
			}
			if !mode.ttl {
				op.create.TTL = -1 // a non-TTL create drops the ttl
			}
			op.path = op.create.Path
			writes++
		case jute.OpDelete, jute.OpCheck:
			var r jute.PathVersionRequest
			r.Decode(d)
			op.typ, op.path, op.version = h.Type, r.Path, r.Version
			writes++
		case jute.OpSetData:
			var r jute.SetDataRequest
			r.Decode(d)
			op.typ, op.path, op.data, op.version = h.Type, r.Path, r.Data, r.Version
			writes++
		case jute.OpGetChildren, jute.OpGetData:
			var r jute.PathWatchRequest
			r.Decode(d) // the watch flag is dropped, as Op.getData/getChildren do
			op.typ, op.path, op.read = h.Type, r.Path, true
			reads++
		default:
			return nil, false
		}
		if d.Err() != nil {
			return nil, false
		}
		ops = append(ops, op)
		h.Decode(d)
	}
	if d.Err() != nil || (reads > 0 && writes > 0) {
		return nil, false
	}
	return ops, true
}

// doMulti handles multi (14): all ops or none, one zxid either way. A failed
// multi still has reply err 0; its results are all errors: 0 before the
// failing op, its code, then RuntimeInconsistency.
func (s *Server) doMulti(r request) (int32, jute.Record) {
	s.zxid++
	zxid := s.zxid
	ops, ok := decodeMulti(r.body)
	if !ok {
		return jute.ErrMarshallingError, nil
	}
	for _, op := range ops {
		if op.read {
			return jute.ErrMarshallingError, nil
		}
		if op.typ == jute.OpCreateTTL && !op.hasTTL {
			// A TTL create sent without a TTL: the 3.8 server fails the
			// whole request.
			return jute.ErrMarshallingError, nil
		}
	}
	nowMs := r.now.UnixMilli()
	v := s.newView(r.c, zxid, nowMs)
	changes := make([]change, 0, len(ops))
	results := make([]jute.MultiResult, len(ops))
	failed := -1
	for i, op := range ops {
		if failed >= 0 {
			results[i] = jute.MultiResult{Type: jute.OpError, Err: jute.ErrRuntimeInconsistency}
			continue
		}
		var (
			ch   change
			code int32
		)
		switch op.typ {
		case jute.OpCreate, jute.OpCreateContainer, jute.OpCreateTTL:
			c := op.create
			ch, code = v.prepCreate(op.typ, c.Path, c.Data, c.ACL, c.Flags, c.TTL)
		case jute.OpDelete:
			ch, code = v.prepDelete(op.path, op.version)
		case jute.OpSetData:
			ch, code = v.prepSetData(op.path, op.data, op.version)
		case jute.OpCheck:
			ch, code = v.prepCheck(op.path, op.version)
		}
		if code != 0 {
			failed = i
			results[i] = jute.MultiResult{Type: jute.OpError, Err: code}
			continue
		}
		changes = append(changes, ch)
	}
	if failed >= 0 {
		for i := 0; i < failed; i++ {
			results[i] = jute.MultiResult{Type: jute.OpError, Err: 0}
		}
		return 0, &jute.MultiResponse{Results: results}
	}
	for i, ch := range changes {
		path, st := s.applyLocked(ch, zxid, nowMs)
		switch ch.resultType {
		case jute.OpCreate:
			results[i] = jute.MultiResult{Type: jute.OpCreate, Record: &jute.CreateResponse{Path: path}}
		case jute.OpCreate2:
			results[i] = jute.MultiResult{Type: jute.OpCreate2, Record: &jute.Create2Response{Path: path, Stat: st}}
		case jute.OpSetData:
			results[i] = jute.MultiResult{Type: jute.OpSetData, Record: &jute.SetDataResponse{Stat: st}}
		default: // delete, check
			results[i] = jute.MultiResult{Type: ch.resultType}
		}
	}
	return 0, &jute.MultiResponse{Results: results}
}

// doMultiRead handles multiRead (22): each read has its own result or
// error; no watches are left.
func (s *Server) doMultiRead(r request) (int32, jute.Record) {
	ops, ok := decodeMulti(r.body)
	if !ok {
		return jute.ErrMarshallingError, nil
	}
	results := make([]jute.MultiResult, 0, len(ops))
	for _, op := range ops {
		if !op.read {
			return jute.ErrMarshallingError, nil
		}
		n := s.tree.get(op.path)
		switch {
		case n == nil:
			results = append(results, jute.MultiResult{Type: jute.OpError, Err: jute.ErrNoNode})
		case !checkACL(n.acl, jute.PermRead, r.c.auth):
			results = append(results, jute.MultiResult{Type: jute.OpError, Err: jute.ErrNoAuth})
		case op.typ == jute.OpGetChildren:
			results = append(results, jute.MultiResult{Type: jute.OpGetChildren,
				Record: &jute.GetChildrenResponse{Items: n.childList()}})
		default:
			results = append(results, jute.MultiResult{Type: jute.OpGetData,
				Record: &jute.GetDataResponse{Data: n.data, Stat: n.copyStat()}})
		}
	}
	return 0, &jute.MultiResponse{Results: results}
}
