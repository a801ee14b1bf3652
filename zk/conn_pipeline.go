package zk

import (
	"context"
	"fmt"

	"github.com/zkcurator/zkcurator/jute"
)

// doAll queues reqs back to back and waits for all their replies: they go
// out in one write and ZooKeeper answers a session's requests in order, so
// n requests cost about one round trip instead of n, and each one sees
// the effects of those before it. It returns each request's error. When
// ctx ends first, every request not answered yet gets ctx's error (its
// late reply is discarded). reqs must not be used after doAll returns.
func (c *Conn) doAll(ctx context.Context, reqs ...*request) []error {
	errs := make([]error, len(reqs))
	fail := func(err error) []error {
		for i, r := range reqs {
			errs[i] = err
			r.release()
		}
		return errs
	}
	if c.out == nil {
		return fail(errNotDialed)
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	if err := c.out.pushAll(reqs); err != nil {
		return fail(err)
	}
	done := ctx.Done()
	for i, r := range reqs {
		select {
		case <-r.done:
		case <-done:
			for j := i; j < len(reqs); j++ {
				rj := reqs[j]
				if rj.state.CompareAndSwap(reqWaiting, reqAbandoned) {
					errs[j] = ctx.Err()
					continue
				}
				<-rj.done // completed concurrently: take the result
				errs[j] = rj.err
				rj.release()
			}
			return errs
		}
		errs[i] = r.err
		r.release()
	}
	return errs
}

// CreateAndList creates a node (as Create2 does; no TTL modes) and lists
// the children of its parent, sending both requests back to back: the
// pair costs one round trip, and the list, read after the create,
// includes the new node. This is the first step of every lock and
// election recipe, which would otherwise pay two round trips. createErr
// is the create's error; listErr the list's (the children are nil when
// either failed: a list after a failed create says nothing useful).
func (c *Conn) CreateAndList(ctx context.Context, path string, data []byte, mode CreateMode, acl []ACL) (created string, st *Stat, children []string, createErr, listErr error) {
	if mode.IsTTL() {
		err := wrapErr("create", path, fmt.Errorf("%w: mode %v needs CreateTTL", ErrBadArguments, mode))
		return "", nil, nil, err, err
	}
	acl = c.aclOrDefault(acl)
	if err := checkCreate("create", path, mode, acl); err != nil {
		return "", nil, nil, err, err
	}
	parent := ParentPath(path)
	cr, cresp := c.newCreate2Request(path, data, mode, acl)
	lresp := &jute.GetChildren2Response{}
	lr := newRequest(jute.OpGetChildren2, &jute.GetChildren2Request{Path: c.spath(parent)}, lresp)
	errs := c.doAll(ctx, cr, lr)
	if errs[0] != nil {
		return "", nil, nil, wrapErr("create", path, errs[0]), wrapErr("children", parent, errs[1])
	}
	created, st = stripChroot(c.chroot, cresp.Path), statOf(&cresp.Stat)
	if errs[1] != nil {
		return created, st, nil, nil, wrapErr("children", parent, errs[1])
	}
	return created, st, lresp.Children, nil, nil
}
