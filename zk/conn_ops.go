package zk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zkcurator/zkcurator/jute"
)

// do queues r and waits for its reply or for ctx to end. When ctx ends
// first, do returns ctx.Err() at once; the request stays in the pending
// queue (so xid matching stays right) and its late reply is discarded.
// r must not be used after do returns.
func (c *Conn) do(ctx context.Context, r *request) error {
	if err := c.precheck(ctx, r); err != nil {
		r.release()
		return err
	}
	if err := c.out.push(r); err != nil {
		r.release()
		return err
	}
	if done := ctx.Done(); done != nil {
		select {
		case <-r.done:
		case <-done:
			if r.state.CompareAndSwap(reqWaiting, reqAbandoned) {
				return ctx.Err()
			}
			<-r.done // completed concurrently: take the result
		}
	} else {
		<-r.done
	}
	err := r.err
	r.release()
	return err
}

// roundTrip validates path, sends one request (opcode, body) and waits for
// its reply, decoded into a new R. Its error is wrapped with op and path.
func roundTrip[R any, P interface {
	*R
	jute.Record
}](ctx context.Context, c *Conn, op, path string, opcode int32, body jute.Record) (*R, error) {
	if err := ValidatePath(path, false); err != nil {
		return nil, wrapErr(op, path, err)
	}
	resp := new(R)
	if err := c.do(ctx, newRequest(opcode, body, P(resp))); err != nil {
		return nil, wrapErr(op, path, err)
	}
	return resp, nil
}

func (c *Conn) spath(p string) string { return chrootPath(c.chroot, p) }

// aclOrDefault returns acl, or for nil the default ACL (WithDefaultACL,
// else OpenACLUnsafe).
func (c *Conn) aclOrDefault(acl []ACL) []ACL {
	if acl != nil {
		return acl
	}
	if c.cfg.defaultACL != nil {
		return c.cfg.defaultACL
	}
	return OpenACLUnsafe
}

func checkCreate(op, path string, mode CreateMode, acl []ACL) error {
	if !mode.valid() {
		return wrapErr(op, path, fmt.Errorf("%w: unknown create mode %d", ErrBadArguments, int32(mode)))
	}
	if err := ValidatePath(path, mode.IsSequential()); err != nil {
		return wrapErr(op, path, err)
	}
	if len(acl) == 0 {
		return wrapErr(op, path, fmt.Errorf("%w: empty ACL", ErrInvalidACL))
	}
	return nil
}

// Create creates a node and returns its path (with the sequence number for
// sequential modes). acl nil means the default ACL (WithDefaultACL, else
// OpenACLUnsafe); every create of a Conn, CreateOp included, reads nil so.
// ModeContainer uses createContainer; TTL modes need CreateTTL.
func (c *Conn) Create(ctx context.Context, path string, data []byte, mode CreateMode, acl []ACL) (string, error) {
	acl = c.aclOrDefault(acl)
	if mode.IsTTL() {
		return "", wrapErr("create", path, fmt.Errorf("%w: mode %v needs CreateTTL", ErrBadArguments, mode))
	}
	if mode.IsContainer() {
		p, _, err := c.create2("create", ctx, path, data, mode, acl)
		return p, err
	}
	if err := checkCreate("create", path, mode, acl); err != nil {
		return "", err
	}
	resp := &jute.CreateResponse{}
	body := &jute.CreateRequest{Path: c.spath(path), Data: data, ACL: toWireACL(acl), Flags: int32(mode)}
	if err := c.do(ctx, newRequest(jute.OpCreate, body, resp)); err != nil {
		return "", wrapErr("create", path, err)
	}
	return stripChroot(c.chroot, resp.Path), nil
}

// Create2 is Create that also returns the new node's Stat.
func (c *Conn) Create2(ctx context.Context, path string, data []byte, mode CreateMode, acl []ACL) (string, *Stat, error) {
	if mode.IsTTL() {
		return "", nil, wrapErr("create", path, fmt.Errorf("%w: mode %v needs CreateTTL", ErrBadArguments, mode))
	}
	return c.create2("create", ctx, path, data, mode, acl)
}

func (c *Conn) create2(op string, ctx context.Context, path string, data []byte, mode CreateMode, acl []ACL) (string, *Stat, error) {
	acl = c.aclOrDefault(acl)
	if err := checkCreate(op, path, mode, acl); err != nil {
		return "", nil, err
	}
	r, resp := c.newCreate2Request(path, data, mode, acl)
	if err := c.do(ctx, r); err != nil {
		return "", nil, wrapErr(op, path, err)
	}
	return stripChroot(c.chroot, resp.Path), statOf(&resp.Stat), nil
}

// newCreate2Request builds a create2 (createContainer for containers) of a
// checked path.
func (c *Conn) newCreate2Request(path string, data []byte, mode CreateMode, acl []ACL) (*request, *jute.Create2Response) {
	opcode := jute.OpCreate2
	if mode.IsContainer() {
		opcode = jute.OpCreateContainer
	}
	resp := &jute.Create2Response{}
	body := &jute.CreateRequest{Path: c.spath(path), Data: data, ACL: toWireACL(acl), Flags: int32(mode)}
	return newRequest(opcode, body, resp), resp
}

// CreateTTL creates a node with a time to live (mode ModePersistentTTL or
// ModePersistentSequentialTTL; 0 < ttl <= 2^40-1 ms). The server
// deletes it once it has had no children for ttl. Needs a server started
// with zookeeper.extendedTypesEnabled=true (else ErrUnimplemented).
func (c *Conn) CreateTTL(ctx context.Context, path string, data []byte, mode CreateMode, acl []ACL, ttl time.Duration) (string, *Stat, error) {
	if !mode.IsTTL() {
		return "", nil, wrapErr("createTTL", path, fmt.Errorf("%w: mode %v is not a TTL mode", ErrBadArguments, mode))
	}
	ms := ttl.Milliseconds()
	if ms <= 0 || ms > jute.MaxTTL {
		return "", nil, wrapErr("createTTL", path, fmt.Errorf("%w: ttl %v out of range", ErrBadArguments, ttl))
	}
	acl = c.aclOrDefault(acl)
	if err := checkCreate("createTTL", path, mode, acl); err != nil {
		return "", nil, err
	}
	resp := &jute.Create2Response{}
	body := &jute.CreateTTLRequest{Path: c.spath(path), Data: data, ACL: toWireACL(acl), Flags: int32(mode), TTL: ms}
	if err := c.do(ctx, newRequest(jute.OpCreateTTL, body, resp)); err != nil {
		return "", nil, wrapErr("createTTL", path, err)
	}
	return stripChroot(c.chroot, resp.Path), statOf(&resp.Stat), nil
}

// Delete deletes a node if its version matches (-1 matches any version).
func (c *Conn) Delete(ctx context.Context, path string, version int32) error {
	if err := ValidatePath(path, false); err != nil {
		return wrapErr("delete", path, err)
	}
	body := &jute.DeleteRequest{Path: c.spath(path), Version: version}
	return wrapErr("delete", path, c.do(ctx, newRequest(jute.OpDelete, body, nil)))
}

// Exists reports whether a node exists, with its Stat when it does.
func (c *Conn) Exists(ctx context.Context, path string) (bool, *Stat, error) {
	resp, err := roundTrip[jute.ExistsResponse](ctx, c, "exists", path, jute.OpExists, &jute.ExistsRequest{Path: c.spath(path)})
	if errors.Is(err, ErrNoNode) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, err
	}
	return true, statOf(&resp.Stat), nil
}

// Get returns a node's data and Stat.
func (c *Conn) Get(ctx context.Context, path string) ([]byte, *Stat, error) {
	if err := ValidatePath(path, false); err != nil {
		return nil, nil, wrapErr("get", path, err)
	}
	// Request and reply in one allocation: Get is the hottest call.
	call := &struct {
		req  jute.GetDataRequest
		resp jute.GetDataResponse
	}{req: jute.GetDataRequest{Path: c.spath(path)}}
	if err := c.do(ctx, newRequest(jute.OpGetData, &call.req, &call.resp)); err != nil {
		return nil, nil, wrapErr("get", path, err)
	}
	return call.resp.Data, statOf(&call.resp.Stat), nil
}

// Set replaces a node's data if its version matches (-1 matches any
// version) and returns the new Stat.
func (c *Conn) Set(ctx context.Context, path string, data []byte, version int32) (*Stat, error) {
	body := &jute.SetDataRequest{Path: c.spath(path), Data: data, Version: version}
	resp, err := roundTrip[jute.SetDataResponse](ctx, c, "set", path, jute.OpSetData, body)
	if err != nil {
		return nil, err
	}
	return statOf(&resp.Stat), nil
}

// Children returns a node's child names (unordered) and its Stat.
func (c *Conn) Children(ctx context.Context, path string) ([]string, *Stat, error) {
	resp, err := roundTrip[jute.GetChildren2Response](ctx, c, "children", path, jute.OpGetChildren2, &jute.GetChildren2Request{Path: c.spath(path)})
	if err != nil {
		return nil, nil, err
	}
	return resp.Children, statOf(&resp.Stat), nil
}

// GetACL returns a node's ACL and Stat.
func (c *Conn) GetACL(ctx context.Context, path string) ([]ACL, *Stat, error) {
	resp, err := roundTrip[jute.GetACLResponse](ctx, c, "getACL", path, jute.OpGetACL, &jute.GetACLRequest{Path: c.spath(path)})
	if err != nil {
		return nil, nil, err
	}
	return fromWireACL(resp.ACL), statOf(&resp.Stat), nil
}

// SetACL replaces a node's ACL if its ACL version (aversion) matches (-1
// matches any) and returns the new Stat.
func (c *Conn) SetACL(ctx context.Context, path string, acl []ACL, version int32) (*Stat, error) {
	if err := ValidatePath(path, false); err != nil {
		return nil, wrapErr("setACL", path, err)
	}
	if len(acl) == 0 {
		return nil, wrapErr("setACL", path, fmt.Errorf("%w: empty ACL", ErrInvalidACL))
	}
	resp := &jute.SetACLResponse{}
	body := &jute.SetACLRequest{Path: c.spath(path), ACL: toWireACL(acl), Version: version}
	if err := c.do(ctx, newRequest(jute.OpSetACL, body, resp)); err != nil {
		return nil, wrapErr("setACL", path, err)
	}
	return statOf(&resp.Stat), nil
}

// Sync makes the connected server catch up with the leader for path, so a
// read after it sees every write committed before it. It returns the path.
func (c *Conn) Sync(ctx context.Context, path string) (string, error) {
	resp, err := roundTrip[jute.SyncResponse](ctx, c, "sync", path, jute.OpSync, &jute.SyncRequest{Path: c.spath(path)})
	if err != nil {
		return "", err
	}
	return stripChroot(c.chroot, resp.Path), nil
}

// Multi runs ops atomically: all succeed or none is applied. The results
// have one entry per op. When the transaction fails, the error is the
// failing op's (wrapped with its name and path; errors.Is works) and the
// results say which op failed.
func (c *Conn) Multi(ctx context.Context, ops ...Op) ([]OpResult, error) {
	req, err := buildMultiRequest(ops, c.chroot, c.aclOrDefault(nil))
	if err != nil {
		return nil, err
	}
	resp := &jute.MultiResponse{}
	if err := c.do(ctx, newRequest(jute.OpMulti, req, resp)); err != nil {
		return nil, wrapErr("multi", "", err)
	}
	return multiResults(resp, ops, c.chroot)
}

// GetEphemerals returns the paths of this session's ephemeral nodes whose
// path starts with prefix ("/" for all). Needs ZooKeeper 3.6+.
func (c *Conn) GetEphemerals(ctx context.Context, prefix string) ([]string, error) {
	resp, err := roundTrip[jute.GetEphemeralsResponse](ctx, c, "getEphemerals", prefix, jute.OpGetEphemerals, &jute.GetEphemeralsRequest{Path: c.spath(prefix)})
	if err != nil {
		return nil, err
	}
	for i, p := range resp.Items {
		resp.Items[i] = stripChroot(c.chroot, p)
	}
	return resp.Items, nil
}

// AllChildrenNumber returns the number of descendants of path (not
// counting path itself). Needs ZooKeeper 3.6+.
func (c *Conn) AllChildrenNumber(ctx context.Context, path string) (int32, error) {
	resp, err := roundTrip[jute.GetAllChildrenNumberResponse](ctx, c, "allChildrenNumber", path, jute.OpGetAllChildrenNumber, &jute.GetAllChildrenNumberRequest{Path: c.spath(path)})
	if err != nil {
		return 0, err
	}
	return resp.Value, nil
}

// AddAuth adds a credential to the session (e.g. "digest", "user:pass")
// and waits for the server's answer. Accepted credentials are re-sent after
// every reconnect. ErrAuthFailed means the server rejected it and closed the
// session: the Conn is dead.
func (c *Conn) AddAuth(ctx context.Context, scheme string, auth []byte) error {
	a := authCred{scheme: scheme, auth: append([]byte(nil), auth...)}
	r := newRequest(jute.OpAuth, &jute.AuthPacket{Scheme: a.scheme, Auth: a.auth}, nil)
	r.auth = &a
	return wrapErr("addAuth", scheme, c.do(ctx, r))
}
