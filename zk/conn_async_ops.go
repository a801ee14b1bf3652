package zk

import (
	"context"
	"errors"
	"fmt"

	"github.com/zkcurator/zkcurator/jute"
)

// GetFuture is the pending result of GetAsync.
type GetFuture struct {
	a    asyncCall
	req  jute.GetDataRequest
	resp jute.GetDataResponse
}

// GetAsync queues a Get of path and returns at once. The request goes out
// after every request queued before it on c, and its result is ready no
// later than theirs. An invalid path, a closed Conn, a ctx already ended
// return a future that is already done with that error. When ctx ends
// before the reply, the future completes with ctx's error and the reply
// is discarded.
func (c *Conn) GetAsync(ctx context.Context, path string) *GetFuture {
	f := &GetFuture{}
	if err := ValidatePath(path, false); err != nil {
		f.a.failEarly(wrapErr("get", path, err))
		return f
	}
	f.req.Path = c.spath(path)
	c.start(ctx, &f.a, "get", path, jute.OpGetData, &f.req, &f.resp)
	return f
}

// Done returns a channel that is closed once the result is in: Result
// then returns without blocking.
func (f *GetFuture) Done() <-chan struct{} { return f.a.done() }

// Result waits for the reply and returns what Get would have returned:
// the node's data and Stat, or an error wrapped with the op and path
// ("zk: get /x: node does not exist"; errors.Is(err, ErrNoNode)). It may
// be called any number of times, from any goroutine; every call returns
// the same values (the Stat is shared, do not modify it).
func (f *GetFuture) Result() ([]byte, *Stat, error) {
	if err := f.a.wait(); err != nil {
		return nil, nil, err
	}
	return f.resp.Data, statOf(&f.resp.Stat), nil
}

// SetFuture is the pending result of SetAsync.
type SetFuture struct {
	a    asyncCall
	req  jute.SetDataRequest
	resp jute.SetDataResponse
}

// SetAsync queues a Set of path (data, if its version matches; -1 matches
// any) and returns at once; see GetAsync for order, errors and ctx.
func (c *Conn) SetAsync(ctx context.Context, path string, data []byte, version int32) *SetFuture {
	f := &SetFuture{}
	if err := ValidatePath(path, false); err != nil {
		f.a.failEarly(wrapErr("set", path, err))
		return f
	}
	f.req = jute.SetDataRequest{Path: c.spath(path), Data: data, Version: version}
	c.start(ctx, &f.a, "set", path, jute.OpSetData, &f.req, &f.resp)
	return f
}

// Done returns a channel that is closed once the result is in.
func (f *SetFuture) Done() <-chan struct{} { return f.a.done() }

// Result waits for the reply and returns what Set would have returned:
// the node's new Stat, or an error wrapped with the op and path
// (errors.Is(err, ErrBadVersion) when the version did not match).
func (f *SetFuture) Result() (*Stat, error) {
	if err := f.a.wait(); err != nil {
		return nil, err
	}
	return statOf(&f.resp.Stat), nil
}

// CreateFuture is the pending result of CreateAsync.
type CreateFuture struct {
	a      asyncCall
	req    jute.CreateRequest
	resp   jute.CreateResponse  // OpCreate
	resp2  jute.Create2Response // OpCreateContainer
	chroot string
}

// CreateAsync queues a Create (same arguments and modes as Create: nil
// acl is the default ACL, TTL modes need CreateTTL) and returns at once;
// see GetAsync for order, errors and ctx.
func (c *Conn) CreateAsync(ctx context.Context, path string, data []byte, mode CreateMode, acl []ACL) *CreateFuture {
	f := &CreateFuture{chroot: c.chroot}
	if mode.IsTTL() {
		f.a.failEarly(wrapErr("create", path, fmt.Errorf("%w: mode %v needs CreateTTL", ErrBadArguments, mode)))
		return f
	}
	acl = c.aclOrDefault(acl)
	if err := checkCreate("create", path, mode, acl); err != nil {
		f.a.failEarly(err)
		return f
	}
	f.req = jute.CreateRequest{Path: c.spath(path), Data: data, ACL: toWireACL(acl), Flags: int32(mode)}
	if mode.IsContainer() {
		c.start(ctx, &f.a, "create", path, jute.OpCreateContainer, &f.req, &f.resp2)
	} else {
		c.start(ctx, &f.a, "create", path, jute.OpCreate, &f.req, &f.resp)
	}
	return f
}

// Done returns a channel that is closed once the result is in.
func (f *CreateFuture) Done() <-chan struct{} { return f.a.done() }

// Result waits for the reply and returns what Create would have returned:
// the created path (with the sequence number for sequential modes), or an
// error wrapped with the op and path (errors.Is(err, ErrNodeExists), ...).
func (f *CreateFuture) Result() (string, error) {
	if err := f.a.wait(); err != nil {
		return "", err
	}
	p := f.resp.Path
	if f.a.r.opcode == jute.OpCreateContainer {
		p = f.resp2.Path
	}
	return stripChroot(f.chroot, p), nil
}

// DeleteFuture is the pending result of DeleteAsync.
type DeleteFuture struct {
	a   asyncCall
	req jute.DeleteRequest
}

// DeleteAsync queues a Delete of path (if its version matches; -1 matches
// any) and returns at once; see GetAsync for order, errors and ctx.
func (c *Conn) DeleteAsync(ctx context.Context, path string, version int32) *DeleteFuture {
	f := &DeleteFuture{}
	if err := ValidatePath(path, false); err != nil {
		f.a.failEarly(wrapErr("delete", path, err))
		return f
	}
	f.req = jute.DeleteRequest{Path: c.spath(path), Version: version}
	c.start(ctx, &f.a, "delete", path, jute.OpDelete, &f.req, nil)
	return f
}

// Done returns a channel that is closed once the result is in.
func (f *DeleteFuture) Done() <-chan struct{} { return f.a.done() }

// Result waits for the reply and returns what Delete would have returned.
func (f *DeleteFuture) Result() error { return f.a.wait() }

// ExistsFuture is the pending result of ExistsAsync.
type ExistsFuture struct {
	a    asyncCall
	req  jute.ExistsRequest
	resp jute.ExistsResponse
}

// ExistsAsync queues an Exists of path and returns at once; see GetAsync
// for order, errors and ctx.
func (c *Conn) ExistsAsync(ctx context.Context, path string) *ExistsFuture {
	f := &ExistsFuture{}
	if err := ValidatePath(path, false); err != nil {
		f.a.failEarly(wrapErr("exists", path, err))
		return f
	}
	f.req.Path = c.spath(path)
	c.start(ctx, &f.a, "exists", path, jute.OpExists, &f.req, &f.resp)
	return f
}

// Done returns a channel that is closed once the result is in.
func (f *ExistsFuture) Done() <-chan struct{} { return f.a.done() }

// Result waits for the reply and returns what Exists would have returned:
// whether the node exists, with its Stat when it does (a missing node is
// not an error).
func (f *ExistsFuture) Result() (bool, *Stat, error) {
	err := f.a.wait()
	if errors.Is(err, ErrNoNode) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, err
	}
	return true, statOf(&f.resp.Stat), nil
}

// ChildrenFuture is the pending result of ChildrenAsync.
type ChildrenFuture struct {
	a    asyncCall
	req  jute.GetChildren2Request
	resp jute.GetChildren2Response
}

// ChildrenAsync queues a Children of path and returns at once; see
// GetAsync for order, errors and ctx.
func (c *Conn) ChildrenAsync(ctx context.Context, path string) *ChildrenFuture {
	f := &ChildrenFuture{}
	if err := ValidatePath(path, false); err != nil {
		f.a.failEarly(wrapErr("children", path, err))
		return f
	}
	f.req.Path = c.spath(path)
	c.start(ctx, &f.a, "children", path, jute.OpGetChildren2, &f.req, &f.resp)
	return f
}

// Done returns a channel that is closed once the result is in.
func (f *ChildrenFuture) Done() <-chan struct{} { return f.a.done() }

// Result waits for the reply and returns what Children would have
// returned: the child names (unordered; shared, do not modify) and the
// node's Stat.
func (f *ChildrenFuture) Result() ([]string, *Stat, error) {
	if err := f.a.wait(); err != nil {
		return nil, nil, err
	}
	return f.resp.Children, statOf(&f.resp.Stat), nil
}
