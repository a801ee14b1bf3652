package zk

import "context"

// WhoAmI returns the identities the server has authenticated the current
// session as (ZooKeeper 3.7+). ErrUnimplemented from an older server is
// not retried.
func (c *Client) WhoAmI(ctx context.Context) (ids []ClientInfo, err error) {
	err = c.do(ctx, "whoAmI", "", func(ctx context.Context, conn *Conn) (err error) {
		ids, err = conn.WhoAmI(ctx)
		return err
	})
	return ids, err
}

// MultiRead runs reads as one request answered from one snapshot of the
// tree, each with its own result and error (ZooKeeper 3.6+; see
// Conn.MultiRead). Reads are retried on connection loss like any read;
// ErrUnimplemented from an older server is not.
func (c *Client) MultiRead(ctx context.Context, ops ...ReadOp) (res []ReadResult, err error) {
	path := ""
	if len(ops) > 0 {
		path = ops[0].Path
	}
	err = c.do(ctx, "multiRead", path, func(ctx context.Context, conn *Conn) (err error) {
		res, err = conn.MultiRead(ctx, ops...)
		return err
	})
	return res, err
}
