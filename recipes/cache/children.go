package cache

import (
	"context"
	"iter"
	"slices"

	"github.com/zkcurator/zkcurator/zk"
)

// ChildrenCache keeps a copy of the children of a path (Curator's
// PathChildrenCache): their data and Stats, not the parent's, and nothing
// deeper. Events are sent for the children only. Its methods are safe for
// concurrent use.
type ChildrenCache struct{ e *engine }

// NewChildren returns a cache of the children of path; WithFilter selects
// children. It reads nothing until Start. It fails, with an error wrapping
// zk.ErrInvalidPath or ErrInvalidArgument, on an invalid path, a nil
// client, an invalid option value, or WithMaxDepth (the depth is 1).
func NewChildren(client *zk.Client, path string, opts ...Option) (*ChildrenCache, error) {
	cfg, err := checkArgs("children cache", client, path, opts, false, true)
	if err != nil {
		return nil, err
	}
	cfg.maxDepth = 1
	return &ChildrenCache{e: newEngine(client, path, cfg, true)}, nil
}

// Start sets the watch, primes the cache (a NodeCreated per child, then
// Initialized) and returns once primed or when ctx ends; see
// TreeCache.Start.
func (c *ChildrenCache) Start(ctx context.Context) error { return c.e.start(ctx) }

// Close stops the cache; see TreeCache.Close. It is idempotent.
func (c *ChildrenCache) Close() error { return c.e.close() }

// Listen adds a listener; see TreeCache.Listen.
func (c *ChildrenCache) Listen(f func(Event)) (unsubscribe func()) { return c.e.listen(f) }

// Get returns the cached child at path (the child's full path).
func (c *ChildrenCache) Get(path string) (Node, bool) {
	if path == c.e.root {
		return Node{}, false
	}
	return c.e.st.get(path)
}

// Names returns the sorted names of the cached children.
func (c *ChildrenCache) Names() []string {
	names := c.e.st.children(c.e.root)
	slices.Sort(names)
	return names
}

// All returns an iterator over a snapshot of the cached children, by full
// path, in no particular order.
func (c *ChildrenCache) All() iter.Seq2[string, Node] {
	return seq(func() []Node { return c.e.st.snapshot(c.e.root, false) })
}
