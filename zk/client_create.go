package zk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ProtectedPrefix starts the name of every node made by a protected create,
// followed by a UUID and a dash, as in Curator.
const ProtectedPrefix = "_c_"

// CreateOptions says how CreateWith makes a node.
type CreateOptions struct {
	Mode CreateMode
	ACL  []ACL         // nil: the default ACL (WithDefaultACL; open by default)
	TTL  time.Duration // for the TTL modes
	// Protected prefixes the node's name with _c_<uuid>- so that a create
	// whose reply was lost can be found again on retry instead of leaking a
	// node (Curator's withProtection). A node found that belongs to another
	// session (an earlier, lost one) is deleted and created again.
	Protected bool
	// ProtectedID is the UUID in a protected node's name; empty generates
	// one. A caller that gives its own (NewUUID) can find the node
	// again after abandoning the create, e.g. when its context ended while
	// the reply was in flight, as Curator does in the background.
	ProtectedID string
	// CreateParents creates missing parents as persistent nodes (Curator's
	// creatingParentsIfNeeded), with the default ACL.
	CreateParents bool
	// CreateParentContainers creates missing parents as containers, which
	// the server deletes once their last child is gone, falling back to
	// persistent nodes on servers without containers (Curator's
	// creatingParentContainersIfNeeded). Recipes use it. At most one of
	// CreateParents and CreateParentContainers may be set.
	CreateParentContainers bool
}

// parents reports whether missing parents are to be created, and as
// containers or not.
func (o CreateOptions) parents() (create, containers bool) {
	return o.CreateParents || o.CreateParentContainers, o.CreateParentContainers
}

// CreateWith creates a node as opts say, and returns its path and Stat.
// data nil means the client's default data (WithDefaultData).
func (c *Client) CreateWith(ctx context.Context, path string, data []byte, opts CreateOptions) (string, *Stat, error) {
	return c.createWith(ctx, path, data, opts, c.createOnce)
}

// CreateAndList is CreateWith followed by a list of the new node's
// parent, which includes the new node: the children of the parent as
// they were right after the create, in the same session. Both requests
// go out back to back (Conn.CreateAndList), so the pair costs one round
// trip where a create and then a Children call cost two — the first step
// of a lock or an election. When the pipelined list cannot be used (its
// parents had to be created, a retry found the node by its protected
// name, a TTL mode), the list is read after the create instead.
func (c *Client) CreateAndList(ctx context.Context, path string, data []byte, opts CreateOptions) (created string, st *Stat, children []string, err error) {
	listed := false
	created, st, err = c.createWith(ctx, path, data, opts,
		func(ctx context.Context, conn *Conn, target string, data []byte, acl []ACL, opts CreateOptions) (string, *Stat, error) {
			if opts.Mode.IsTTL() {
				return c.createOnce(ctx, conn, target, data, acl, opts)
			}
			p, st, kids, cerr, lerr := conn.CreateAndList(ctx, target, data, opts.Mode, acl)
			if mk, _ := opts.parents(); mk && errors.Is(cerr, ErrNoNode) {
				return c.createOnce(ctx, conn, target, data, acl, opts)
			}
			if cerr == nil && lerr == nil {
				children, listed = kids, true
			}
			return p, st, cerr
		})
	if err != nil || listed {
		return created, st, children, err
	}
	children, _, err = c.Children(ctx, ParentPath(created))
	if err != nil {
		return "", nil, nil, err
	}
	return created, st, children, nil
}

// createAttempt is one attempt at a create of target (protected prefix
// applied), made by createWith on the current Conn.
type createAttempt func(ctx context.Context, conn *Conn, target string, data []byte, acl []ACL, opts CreateOptions) (string, *Stat, error)

// createWith is CreateWith with its attempts made by once.
func (c *Client) createWith(ctx context.Context, path string, data []byte, opts CreateOptions, once createAttempt) (string, *Stat, error) {
	if c.done == nil {
		return "", nil, wrapErr("create", path, errNotConnected)
	}
	if opts.CreateParents && opts.CreateParentContainers {
		return "", nil, wrapErr("create", path, fmt.Errorf("%w: both CreateParents and CreateParentContainers", ErrInvalidArgument))
	}
	if data == nil {
		data = c.cfg.client.defaultData
	}
	acl := opts.ACL
	if acl == nil {
		acl = c.defaultACL()
	}
	target := path
	var prefix string // protected name prefix, "" when not protected
	if opts.Protected {
		i := strings.LastIndexByte(path, '/')
		if i < 0 {
			return "", nil, wrapErr("create", path, fmt.Errorf("%w %q", ErrInvalidPath, path))
		}
		id := opts.ProtectedID
		if id == "" {
			id = NewUUID()
		}
		prefix = ProtectedPrefix + id + "-"
		target = path[:i+1] + prefix + path[i+1:]
	}
	if err := ValidatePath(target, opts.Mode.IsSequential()); err != nil {
		return "", nil, wrapErr("create", path, err)
	}
	var (
		created  string
		st       *Stat
		mustFind bool // an earlier attempt may have created the node
	)
	err := c.do(ctx, "create", path, func(ctx context.Context, conn *Conn) error {
		if mustFind {
			p, s, err := c.findProtected(ctx, conn, target, prefix)
			if err != nil {
				return err
			}
			if p != "" {
				created, st = p, s
				return nil
			}
		}
		var err error
		created, st, err = once(ctx, conn, target, data, acl, opts)
		if prefix != "" && (IsRetryable(err) || errors.Is(err, ErrSessionExpired)) {
			mustFind = true
		}
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return created, st, nil
}

// parentRounds bounds how often one create attempt makes its missing
// parents and tries again. One round is enough for persistent parents, but
// a container parent made by the last round can be reaped by the server
// before the create reaches it (it is empty until then), so a create that
// asked for parents tries a few rounds before it reports NoNode.
const parentRounds = 4

// createOnce is one create attempt, creating parents on NoNode if asked.
func (c *Client) createOnce(ctx context.Context, conn *Conn, path string, data []byte, acl []ACL, opts CreateOptions) (string, *Stat, error) {
	for round := 1; ; round++ {
		var p string
		var st *Stat
		var err error
		if opts.Mode.IsTTL() {
			p, st, err = conn.CreateTTL(ctx, path, data, opts.Mode, acl, opts.TTL)
		} else {
			p, st, err = conn.Create2(ctx, path, data, opts.Mode, acl)
		}
		mk, containers := opts.parents()
		if !mk || round > parentRounds || !errors.Is(err, ErrNoNode) {
			return p, st, err
		}
		parent := path[:strings.LastIndexByte(path, '/')]
		if parent == "" {
			return p, st, err
		}
		if err := c.ensurePath(ctx, conn, "create", parent, containers); err != nil {
			return "", nil, err
		}
	}
}

// findProtected looks for a node made by an earlier attempt of a protected
// create: a child of target's parent whose name starts with prefix. A node
// owned by the current session is the result; an ephemeral one owned by
// another (lost) session is deleted so the create can run again.
func (c *Client) findProtected(ctx context.Context, conn *Conn, target, prefix string) (string, *Stat, error) {
	i := strings.LastIndexByte(target, '/')
	parent := target[:i]
	if parent == "" {
		parent = "/"
	}
	children, _, err := conn.Children(ctx, parent)
	if errors.Is(err, ErrNoNode) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	for _, name := range children {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		p := JoinPath(parent, name)
		ok, st, err := conn.Exists(ctx, p)
		if err != nil {
			return "", nil, err
		}
		if !ok {
			continue
		}
		if st.EphemeralOwner != 0 && st.EphemeralOwner != conn.SessionID() {
			// Made by a session that is gone (CURATOR-498): not ours.
			if err := conn.Delete(ctx, p, -1); err != nil && !errors.Is(err, ErrNoNode) {
				return "", nil, err
			}
			continue
		}
		return p, st, nil
	}
	return "", nil, nil
}

// EnsurePath creates path and any missing parents as persistent nodes
// with the default ACL (WithDefaultACL), like Curator's
// creatingParentsIfNeeded. Existing nodes are fine.
func (c *Client) EnsurePath(ctx context.Context, path string) error {
	return c.do(ctx, "ensurePath", path, func(ctx context.Context, conn *Conn) error {
		return c.ensurePath(ctx, conn, "ensurePath", path, false)
	})
}

// EnsureContainers creates path and any missing parents as containers
// (Curator's createContainers): the server deletes a container once its
// last child is gone, so use it for the parents of ephemeral or
// short-lived nodes, not for nodes that must stay. On servers without
// containers (before 3.5) persistent nodes are created instead. Existing
// nodes are fine.
func (c *Client) EnsureContainers(ctx context.Context, path string) error {
	return c.do(ctx, "ensureContainers", path, func(ctx context.Context, conn *Conn) error {
		return c.ensurePath(ctx, conn, "ensureContainers", path, true)
	})
}

// ensurePath creates every missing node of path, as containers or as
// persistent nodes, with the default ACL. Errors are wrapped with op.
func (c *Client) ensurePath(ctx context.Context, conn *Conn, op, path string, containers bool) error {
	if err := ValidatePath(path, false); err != nil {
		return wrapErr(op, path, err)
	}
	if path == "/" {
		return nil
	}
	for round := 1; ; round++ {
		err := c.ensurePathOnce(ctx, conn, path, containers)
		// NoNode: an ancestor made a moment ago (a container, still empty)
		// was reaped before its child was made; make the path again.
		if err == nil || round >= parentRounds || !errors.Is(err, ErrNoNode) {
			return err
		}
	}
}

// ensurePathOnce creates every missing node of path, top down, once.
func (c *Client) ensurePathOnce(ctx context.Context, conn *Conn, path string, containers bool) error {
	acl := c.defaultACL()
	for i := 1; i <= len(path); i++ {
		if i < len(path) && path[i] != '/' {
			continue
		}
		p := path[:i]
		mode := ModePersistent
		if containers && !c.noContainers.Load() {
			mode = ModeContainer
		}
		_, _, err := conn.Create2(ctx, p, nil, mode, acl)
		if errors.Is(err, ErrUnimplemented) && mode == ModeContainer {
			c.noContainers.Store(true)
			_, _, err = conn.Create2(ctx, p, nil, ModePersistent, acl)
		}
		if err != nil && !errors.Is(err, ErrNodeExists) {
			return err
		}
	}
	return nil
}

// defaultACL is the ACL of nodes created with a nil ACL.
func (c *Client) defaultACL() []ACL {
	if c.cfg.defaultACL != nil {
		return c.cfg.defaultACL
	}
	return OpenACLUnsafe
}

// NewUUID returns a random (version 4) UUID in its text form (as Java's
// UUID.randomUUID().toString()), as used in protected node names and in
// recipes' member names.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// CreateOrSet makes sure path holds data: it creates the node as opts say
// (Mode, ACL, TTL, parents), and when the node already exists it sets its
// data with AnyVersion instead (Curator's create().orSetData()). It
// returns the node's Stat after the create or the set. A node deleted
// between the two is created again. data nil means the default data
// (WithDefaultData). Sequential modes and Protected make no sense here
// (they always create a new node) and fail with ErrInvalidArgument.
func (c *Client) CreateOrSet(ctx context.Context, path string, data []byte, opts CreateOptions) (*Stat, error) {
	if opts.Mode.IsSequential() || opts.Protected {
		return nil, wrapErr("createOrSet", path, fmt.Errorf("%w: sequential or protected create", ErrInvalidArgument))
	}
	if data == nil && c.cfg != nil {
		data = c.cfg.client.defaultData
	}
	for {
		_, st, err := c.CreateWith(ctx, path, data, opts)
		if !errors.Is(err, ErrNodeExists) {
			return st, err
		}
		st, err = c.Set(ctx, path, data, AnyVersion)
		if !errors.Is(err, ErrNoNode) {
			return st, err
		}
		// Deleted since the create failed: create it again.
	}
}
