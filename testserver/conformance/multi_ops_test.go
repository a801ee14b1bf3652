package conformance

import (
	"fmt"
	"strings"

	"github.com/zkcurator/zkcurator/jute"
)

// mop is one op of a multi or multiRead request.
type mop struct {
	typ int32
	rec jute.Record
}

func mCreate(path, d string, flags int32) mop {
	return mop{jute.OpCreate, &jute.CreateRequest{Path: path, Data: bytesOf(d), ACL: openACL, Flags: flags}}
}

func mCreateOp(op int32, path, d string, flags int32) mop {
	return mop{op, &jute.CreateRequest{Path: path, Data: bytesOf(d), ACL: openACL, Flags: flags}}
}

func mCreateTTL(path string, flags int32, ttl int64) mop {
	return mop{jute.OpCreateTTL, &jute.CreateTTLRequest{Path: path, ACL: openACL, Flags: flags, TTL: ttl}}
}

func mDelete(path string, version int32) mop {
	return mop{jute.OpDelete, &jute.DeleteRequest{Path: path, Version: version}}
}

func mSet(path, d string, version int32) mop {
	return mop{jute.OpSetData, &jute.SetDataRequest{Path: path, Data: bytesOf(d), Version: version}}
}

func mCheck(path string, version int32) mop {
	return mop{jute.OpCheck, &jute.CheckVersionRequest{Path: path, Version: version}}
}

func mGet(path string) mop {
	return mop{jute.OpGetData, &jute.GetDataRequest{Path: path}}
}

func mChildren(path string) mop {
	return mop{jute.OpGetChildren, &jute.GetChildrenRequest{Path: path}}
}

// multi sends a multi (op 14) and logs every result.
func (s *session) multi(ops ...mop) int32 { return s.multiOp(jute.OpMulti, ops) }

// multiRead sends a multiRead (op 22) and logs every result.
func (s *session) multiRead(ops ...mop) int32 { return s.multiOp(jute.OpMultiRead, ops) }

func (s *session) multiOp(op int32, ops []mop) int32 {
	s.e.t.Helper()
	req := &jute.MultiRequest{}
	names := make([]string, len(ops))
	for i, o := range ops {
		req.Ops = append(req.Ops, jute.MultiOp{Type: o.typ, Record: o.rec})
		names[i] = opName(o.typ)
	}
	h, body, ok := s.call(op, req)
	extra := ""
	if ok && h.Err == 0 {
		var resp jute.MultiResponse
		if s.decode(body, &resp) {
			extra = s.multiResults(resp.Results)
		}
	}
	s.result(fmt.Sprintf("%s [%s]", opName(op), strings.Join(names, " ")), h, ok, extra)
	return h.Err
}

func (s *session) multiResults(rs []jute.MultiResult) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		p := opName(r.Type)
		if r.Type == jute.OpError {
			p += ":" + codeName(r.Err)
		} else if r.Err != 0 {
			p += fmt.Sprintf("(hdr err %d)", r.Err)
		}
		switch rec := r.Record.(type) {
		case *jute.CreateResponse:
			p += ":" + s.e.norm(rec.Path)
		case *jute.Create2Response:
			p += ":" + s.e.norm(rec.Path) + s.e.stat(rec.Stat)
		case *jute.SetDataResponse:
			p += ":" + s.e.stat(rec.Stat)
		case *jute.GetDataResponse:
			p += ":" + data(rec.Data) + s.e.stat(rec.Stat)
		case *jute.GetChildrenResponse:
			p += ":" + s.e.list(rec.Items)
		}
		parts[i] = p
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
