package zk

import (
	"context"

	"github.com/zkcurator/zkcurator/jute"
)

// ClientInfo is one identity the server has authenticated this session
// as (WhoAmI): the auth scheme ("ip", "digest", "sasl", "x509", ...) and
// the user within it (for digest "user", for ip the client's address).
type ClientInfo struct {
	AuthScheme string
	User       string
}

// WhoAmI returns the identities the server has authenticated this session
// as: every AddAuth credential it accepted and the ip identity (ZooKeeper
// 3.7+).
//
// A server without an op (WhoAmI before 3.7; MultiRead, AddWatch,
// GetEphemerals and AllChildrenNumber before 3.6) answers
// ErrUnimplemented, wrapped with the op and path, and closes the
// connection: the other requests in flight on it fail with
// ErrConnectionLoss (a Client retries them, and reports Suspended then
// Reconnected) and the Conn reconnects with the same session. The Conn
// remembers the refusal and, while connected to that server again, fails
// the op at once without sending it. A Client does not retry
// ErrUnimplemented.
func (c *Conn) WhoAmI(ctx context.Context) ([]ClientInfo, error) {
	resp := &jute.WhoAmIResponse{}
	if err := c.do(ctx, newRequest(jute.OpWhoAmI, nil, resp)); err != nil {
		return nil, wrapErr("whoAmI", "", err)
	}
	out := make([]ClientInfo, len(resp.ClientInfo))
	for i, ci := range resp.ClientInfo {
		out[i] = ClientInfo{AuthScheme: ci.AuthScheme, User: ci.User}
	}
	return out, nil
}

// MultiRead runs reads (GetDataOp, GetChildrenOp) as one request that the
// server answers from one snapshot of the tree: no write lands between
// them (ZooKeeper 3.6+; an older server answers ErrUnimplemented and
// closes the connection). The results have one entry per op, each with
// its own error: a missing node fails only its own read. The returned
// error is for the request as a whole (bad arguments, connection loss,
// ErrUnimplemented). No ops: no request, an empty result.
func (c *Conn) MultiRead(ctx context.Context, ops ...ReadOp) ([]ReadResult, error) {
	req, err := buildMultiReadRequest(ops, c.chroot)
	if err != nil {
		return nil, err
	}
	if len(ops) == 0 {
		if err := c.closedErr(); err != nil {
			return nil, wrapErr("multiRead", "", err)
		}
		return []ReadResult{}, nil
	}
	resp := &jute.MultiResponse{}
	if err := c.do(ctx, newRequest(jute.OpMultiRead, req, resp)); err != nil {
		return nil, wrapErr("multiRead", ops[0].Path, err)
	}
	return multiReadResults(resp, ops)
}
