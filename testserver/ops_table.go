package testserver

import "github.com/zkcurator/zkcurator/jute"

// handler answers one request (other than ping and closeSession, which the
// dispatcher handles itself): the reply's error code and body. The server
// lock is held.
type handler func(s *Server, r *request) (errCode int32, body jute.Record)

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

// decodeBody unmarshals body into a new R. ok is false for a malformed body,
// which ZooKeeper answers with MarshallingError.
func decodeBody[R any, P decodable[R]](body []byte) (req *R, ok bool) {
	req = new(R)
	return req, jute.Unmarshal(body, P(req)) == nil
}

// withBody makes a handler that decodes the request body into an R and
// answers MarshallingError when it cannot, before calling h.
func withBody[R any, P decodable[R]](h func(s *Server, r *request, req *R) (int32, jute.Record)) handler {
	return func(s *Server, r *request) (int32, jute.Record) {
		req, ok := decodeBody[R, P](r.body)
		if !ok {
			return jute.ErrMarshallingError, nil
		}
		return h(s, r, req)
	}
}
