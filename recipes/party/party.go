// Package party is kazoo's Party and ShallowParty: a pool of processes that
// join and leave, where anyone can list the current members.
//
// A member is an ephemeral node under the party path, kept by a
// nodes.PersistentNode, so it comes back by itself after the Client's
// session was lost and a new one began (kazoo's does not). Party
// (New) names the node "<uuid hex>__party__" and stores the member's
// identifier as its data, as kazoo does; ShallowParty (NewShallow) puts the
// identifier in the name, "<uuid hex>-<identifier>", so Members costs one
// call instead of one per member. Both layouts are kazoo's, so Python
// processes using kazoo can be members of the same party.
package party

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/zkcurator/zkcurator/recipes/nodes"
	"github.com/zkcurator/zkcurator/zk"
)

// partyMarker is in the name of every Party member node (kazoo's
// _NODE_NAME).
const partyMarker = "__party__"

// Party is one process's membership of a party. It is safe for concurrent
// use. Close leaves the party; it is idempotent and every later call fails
// with zk.ErrClosed.
type Party struct {
	c       *zk.Client
	path    string
	id      string
	node    string // this member's node name
	shallow bool

	mu     sync.Mutex
	member *nodes.PersistentNode // nil while not joined
	closed bool
}

// New returns a Party at path whose member data is id (kazoo's Party). It
// fails with zk.ErrInvalidArgument for a nil client and zk.ErrInvalidPath
// for an invalid path.
func New(c *zk.Client, path, id string) (*Party, error) {
	return newParty(c, path, id, false)
}

// NewShallow returns a ShallowParty at path: the member's id is part of its
// node name, so it must be usable in one (no '/', and the name must pass
// ZooKeeper's path rules), else NewShallow fails with zk.ErrInvalidPath.
func NewShallow(c *zk.Client, path, id string) (*Party, error) {
	return newParty(c, path, id, true)
}

func newParty(c *zk.Client, path, id string, shallow bool) (*Party, error) {
	if c == nil {
		return nil, fmt.Errorf("party: new %s: nil client: %w", path, zk.ErrInvalidArgument)
	}
	if err := zk.ValidatePath(path, false); err != nil {
		return nil, fmt.Errorf("party: new %s: %w", path, err)
	}
	uuid := strings.ReplaceAll(zk.NewUUID(), "-", "")
	node := uuid + partyMarker
	if shallow {
		node = uuid + "-" + id
		if strings.Contains(id, "/") {
			return nil, fmt.Errorf("party: new %s: id %q has a '/': %w", path, id, zk.ErrInvalidPath)
		}
		if err := zk.ValidatePath(zk.JoinPath(path, node), false); err != nil {
			return nil, fmt.Errorf("party: new %s: id %q: %w", path, id, err)
		}
	}
	return &Party{c: c, path: path, id: id, node: node, shallow: shallow}, nil
}

// ID returns this member's identifier.
func (p *Party) ID() string { return p.id }

// Join makes this process a member and waits until its node exists (or ctx
// ends: the node is then still being created in the background until Leave
// or Close). The node is re-created after someone deletes it and after a
// new session. Joining twice is a no-op.
func (p *Party) Join(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return fmt.Errorf("party: join %s: %w", p.path, zk.ErrClosed)
	}
	m := p.member
	if m == nil {
		var data []byte
		if !p.shallow {
			data = []byte(p.id)
		}
		var err error
		m, err = nodes.NewPersistentNode(p.c, zk.JoinPath(p.path, p.node), zk.ModeEphemeral, data)
		if err == nil {
			err = m.Start()
		}
		if err != nil {
			p.mu.Unlock()
			return fmt.Errorf("party: join %s: %w", p.path, err)
		}
		p.member = m
	}
	p.mu.Unlock()
	if err := m.WaitForInitialCreate(ctx); err != nil {
		return fmt.Errorf("party: join %s: %w", p.path, err)
	}
	return nil
}

// Leave ends this process's membership and deletes its node; leaving when
// not a member is a no-op. The Party can Join again.
func (p *Party) Leave(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return fmt.Errorf("party: leave %s: %w", p.path, zk.ErrClosed)
	}
	m := p.member
	p.member = nil
	p.mu.Unlock()
	return p.leave(m)
}

func (p *Party) leave(m *nodes.PersistentNode) error {
	if m == nil {
		return nil
	}
	if err := m.Close(); err != nil {
		return fmt.Errorf("party: leave %s: %w", p.path, err)
	}
	return nil
}

// Joined reports whether this process is a member (Join was called and no
// Leave since).
func (p *Party) Joined() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.member != nil
}

// Members returns the ids of the party's members, this one included once
// its node exists, in no particular order. A party nobody joined yet has
// no members.
func (p *Party) Members(ctx context.Context) ([]string, error) {
	children, err := p.children(ctx, "members")
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(children))
	for _, child := range children {
		if p.shallow {
			ids = append(ids, child[strings.Index(child, "-")+1:])
			continue
		}
		data, _, err := p.c.Get(ctx, zk.JoinPath(p.path, child))
		if errors.Is(err, zk.ErrNoNode) {
			continue // left meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("party: members %s: %w", p.path, err)
		}
		ids = append(ids, string(data))
	}
	return ids, nil
}

// Len returns the number of members.
func (p *Party) Len(ctx context.Context) (int, error) {
	children, err := p.children(ctx, "len")
	return len(children), err
}

// children lists the member nodes (kazoo's Party ignores names without its
// marker; ShallowParty needs a '-').
func (p *Party) children(ctx context.Context, op string) ([]string, error) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("party: %s %s: %w", op, p.path, zk.ErrClosed)
	}
	children, _, err := p.c.Children(ctx, p.path)
	if errors.Is(err, zk.ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("party: %s %s: %w", op, p.path, err)
	}
	kept := children[:0]
	for _, c := range children {
		if (p.shallow && strings.Contains(c, "-")) || (!p.shallow && strings.Contains(c, partyMarker)) {
			kept = append(kept, c)
		}
	}
	return kept, nil
}

// Close leaves the party (deleting this member's node) and ends the Party.
// It is idempotent.
func (p *Party) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	m := p.member
	p.member = nil
	p.mu.Unlock()
	return p.leave(m)
}
