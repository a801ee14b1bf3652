package testserver

import (
	"sync"

	"github.com/zkcurator/zkcurator/jute"
)

// handler answers one request (other than ping and closeSession, which the
// dispatcher handles itself): the reply's error code and body. The server
// lock is held.
type handler func(s *Server, r request) (errCode int32, body jute.Record)

// handlers maps every opcode a 3.8 server accepts from a client
// (Request.isValid), except ping and closeSession, to its handler. An
// opcode missing here gets Unimplemented and a closed connection.
var handlers = map[int32]handler{
	// Reads.
	jute.OpSync:                 withBody((*Server).opSync),
	jute.OpExists:               withBody((*Server).opExists),
	jute.OpGetData:              withBody((*Server).opGetData),
	jute.OpGetChildren:          withBody((*Server).opGetChildren),
	jute.OpGetChildren2:         withBody((*Server).opGetChildren),
	jute.OpGetACL:               withBody((*Server).opGetACL),
	jute.OpGetAllChildrenNumber: withBody((*Server).opGetAllChildrenNumber),
	jute.OpGetEphemerals:        withBody((*Server).opGetEphemerals),
	jute.OpWhoAmI:               (*Server).opWhoAmI,
	jute.OpAddWatch:             withBody((*Server).opAddWatch),
	jute.OpCheckWatches:         withBody((*Server).opCheckWatches),
	jute.OpRemoveWatches:        withBody((*Server).opCheckWatches),
	jute.OpSetWatches:           withBody((*Server).opSetWatches),
	jute.OpSetWatches2:          withBody((*Server).opSetWatches2),

	// Single writes: each takes a zxid, whether it succeeds or not.
	jute.OpCreate:          writeOp(prepCreate),
	jute.OpCreate2:         writeOp(prepCreate),
	jute.OpCreateContainer: writeOp(prepCreate),
	jute.OpCreateTTL:       writeOp(prepCreateTTL),
	jute.OpDelete:          writeOp(prepDelete),
	jute.OpSetData:         writeOp(prepSetData),
	jute.OpSetACL:          writeOp(prepSetACL),
	jute.OpCheck:           writeOp(prepCheck),
	jute.OpReconfig:        (*Server).opReconfig,
	jute.OpDeleteContainer: (*Server).opDeleteContainer,

	// Transactions.
	jute.OpMulti:     (*Server).doMulti,
	jute.OpMultiRead: (*Server).doMultiRead,
}

// knownOp reports the opcodes a 3.8 server accepts from clients
// (Request.isValid); anything else gets Unimplemented and a closed
// connection.
func knownOp(op int32) bool {
	return op == jute.OpPing || op == jute.OpCloseSession || handlers[op] != nil
}

// decodable is a request body type R whose pointer decodes itself.
type decodable[R any] interface {
	*R
	jute.Record
}

// scratch is a request body and the decoder that fills it, reused across
// requests (see withBody).
type scratch[R any] struct {
	req R
	d   jute.Decoder
}

// withBody makes a handler that decodes the request body into an R and
// answers MarshallingError when it cannot, before calling h. The body is
// decoded into a pooled scratch value, so a request costs no allocation
// for it (a generic decode cannot keep it on the stack): h must not keep
// req after it returns.
func withBody[R any, P decodable[R]](h func(s *Server, r request, req *R) (int32, jute.Record)) handler {
	pool := sync.Pool{New: func() any { return new(scratch[R]) }}
	return func(s *Server, r request) (int32, jute.Record) {
		sc := pool.Get().(*scratch[R])
		defer func() {
			var zero R
			sc.req = zero
			sc.d.Reset(nil)
			pool.Put(sc)
		}()
		sc.d.Reset(r.body)
		P(&sc.req).Decode(&sc.d)
		if sc.d.Err() != nil {
			return jute.ErrMarshallingError, nil
		}
		return h(s, r, &sc.req)
	}
}
