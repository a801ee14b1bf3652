package zk

import (
	"context"

	"github.com/zkcurator/zkcurator/jute"
)

// PipelineForTest queues, in one batch (so they are written in this order,
// back to back), a getData of each path and then a request with opcode and
// no body (an op the server may not know), after forgetting the ops
// refused so far so that it is sent. It waits for every reply and returns
// the reads' errors and the op's.
func PipelineForTest(ctx context.Context, c *Conn, paths []string, opcode int32) ([]error, error) {
	c.refusals.mu.Lock()
	c.refusals.byHost = nil
	c.refusals.mu.Unlock()
	rs := make([]*request, 0, len(paths)+1)
	for _, p := range paths {
		rs = append(rs, newRequest(jute.OpGetData, &jute.GetDataRequest{Path: c.spath(p)}, &jute.GetDataResponse{}))
	}
	rs = append(rs, newRequest(opcode, nil, nil))
	if err := c.out.pushAll(rs); err != nil {
		return nil, err
	}
	errs := make([]error, len(paths))
	for i, r := range rs {
		select {
		case <-r.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if i < len(paths) {
			errs[i] = r.err
		} else {
			return errs, r.err
		}
	}
	return errs, nil
}

// QueuedForTest returns how many requests wait in c's outgoing queue, not
// yet written (while disconnected they wait for the next connection).
func QueuedForTest(c *Conn) int {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	return c.out.q.Len()
}
