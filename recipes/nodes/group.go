package nodes

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/zkcurator/zkcurator/recipes/cache"
	"github.com/zkcurator/zkcurator/zk"
)

// GroupMember is Curator's GroupMember: membership of a group. The member
// keeps an ephemeral node <group>/<memberID> holding its payload (a
// PersistentNode, so it comes back after a new session), and reads the
// members from a ChildrenCache of the group.
type GroupMember struct {
	group string
	id    string
	node  *PersistentNode
	cache *cache.ChildrenCache
	// closed is set by Close: Members answers nil from then on.
	closed atomic.Bool
}

// NewGroupMember returns the membership of memberID in the group at
// groupPath, with payload; Start joins. memberID must be a valid node name
// (not empty, "." or "..", no "/"). It fails with zk.ErrInvalidArgument (nil client, bad id) or
// zk.ErrInvalidPath.
func NewGroupMember(client *zk.Client, groupPath, memberID string, payload []byte) (*GroupMember, error) {
	if memberID == "" || memberID == "." || memberID == ".." || strings.Contains(memberID, "/") {
		return nil, fmt.Errorf("nodes: new group member %q of %s: bad member id: %w", memberID, groupPath, zk.ErrInvalidArgument)
	}
	if err := zk.ValidatePath(groupPath, false); err != nil {
		return nil, fmt.Errorf("nodes: new group member %q of %s: %w", memberID, groupPath, err)
	}
	n, err := NewPersistentNode(client, zk.JoinPath(groupPath, memberID), zk.ModeEphemeral, payload, WithProtection(false))
	if err != nil {
		return nil, err
	}
	c, err := cache.NewChildren(client, groupPath)
	if err != nil {
		return nil, fmt.Errorf("nodes: new group member %q of %s: %w", memberID, groupPath, err)
	}
	return &GroupMember{group: groupPath, id: memberID, node: n, cache: c}, nil
}

// ID returns this member's id.
func (g *GroupMember) ID() string { return g.id }

// Start joins the group (the node is created in the background; see
// WaitForJoin) and primes the cache of members; it returns when the cache
// is primed or ctx ends.
func (g *GroupMember) Start(ctx context.Context) error {
	if err := g.node.Start(); err != nil {
		return err
	}
	if err := g.cache.Start(ctx); err != nil {
		return fmt.Errorf("nodes: group member %q of %s: %w", g.id, g.group, err)
	}
	return nil
}

// WaitForJoin waits until this member's node has been created.
func (g *GroupMember) WaitForJoin(ctx context.Context) error { return g.node.WaitForInitialCreate(ctx) }

// SetPayload changes this member's payload.
func (g *GroupMember) SetPayload(ctx context.Context, payload []byte) error {
	return g.node.SetData(ctx, payload)
}

// Members returns the members as the cache sees them, id to payload. This
// member is always included (with its own payload if the cache has not seen
// its node yet), as in Curator. After Close it returns nil: a member that
// left the group no longer follows it.
func (g *GroupMember) Members() map[string][]byte {
	if g.closed.Load() {
		return nil
	}
	m := make(map[string][]byte)
	for p, node := range g.cache.All() {
		_, name := zk.SplitPath(p)
		m[name] = node.Data
	}
	if _, ok := m[g.id]; !ok {
		m[g.id] = g.node.Data()
	}
	return m
}

// Listen subscribes f to the events of the members cache (NodeCreated: a
// member joined; NodeChanged: its payload changed; NodeDeleted: it left).
func (g *GroupMember) Listen(f func(cache.Event)) (unsubscribe func()) { return g.cache.Listen(f) }

// Close leaves the group (deletes this member's node) and stops the cache.
// Idempotent.
func (g *GroupMember) Close() error {
	g.closed.Store(true)
	cerr := g.cache.Close()
	nerr := g.node.Close()
	if nerr != nil {
		return nerr
	}
	return cerr
}
