package zk

import (
	"fmt"

	"github.com/zkcurator/zkcurator/jute"
)

// bodySize returns the encoded size of the request bodies that carry node
// data (creates, sets, and the multis made of them, deletes and checks),
// with exact true; for other bodies it returns 0 and false. It lets a
// request that is over the request limit fail before it is queued, without
// encoding a megabyte only to throw it away; the writer still checks the
// frame length of every request it encodes (appendRequest).
func bodySize(body jute.Record) (n int, exact bool) {
	str := func(s string) int { return 4 + len(s) }
	acls := func(acl []jute.ACL) int {
		n := 4
		for _, a := range acl {
			n += 4 + str(a.ID.Scheme) + str(a.ID.ID)
		}
		return n
	}
	switch r := body.(type) {
	case *jute.CreateRequest:
		return str(r.Path) + 4 + len(r.Data) + acls(r.ACL) + 4, true
	case *jute.CreateTTLRequest:
		return str(r.Path) + 4 + len(r.Data) + acls(r.ACL) + 4 + 8, true
	case *jute.SetDataRequest:
		return str(r.Path) + 4 + len(r.Data) + 4, true
	case *jute.PathVersionRequest:
		return str(r.Path) + 4, true
	case *jute.MultiRequest:
		n := 9 // the closing header: type -1, done, err -1
		for _, op := range r.Ops {
			m, ok := bodySize(op.Record)
			if !ok {
				return 0, false
			}
			n += 9 + m
		}
		return n, true
	}
	return 0, false
}

// tooLarge returns the error of a request whose frame would be longer than
// the request limit, nil when it fits or its size is not known before it
// is encoded. The size is the frame's length field: xid and op code, then
// the body.
func (c *Conn) tooLarge(body jute.Record) error {
	n, ok := bodySize(body)
	if n += 8; ok && n > c.cfg.maxRequest {
		return fmt.Errorf("%w: %d bytes, limit %d (jute.maxbuffer)", ErrRequestTooLarge, n, c.cfg.maxRequest)
	}
	return nil
}
