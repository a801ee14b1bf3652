package cache

import (
	"context"

	"github.com/zkcurator/zkcurator/zk"
)

// NodeCache keeps a copy of one node (Curator's NodeCache); the node need
// not exist. Its methods are safe for concurrent use.
type NodeCache struct{ e *engine }

// NewNode returns a cache of the node at path. WithMaxDepth and WithFilter
// are ignored. It reads nothing until Start.
func NewNode(client *zk.Client, path string, opts ...Option) *NodeCache {
	cfg := newConfig(opts)
	cfg.maxDepth, cfg.filter = 0, nil
	return &NodeCache{e: newEngine(client, path, cfg, false)}
}

// Start sets the watch, reads the node (NodeCreated if it exists, then
// Initialized) and returns once done or when ctx ends; see
// TreeCache.Start.
func (c *NodeCache) Start(ctx context.Context) error { return c.e.start(ctx) }

// Close stops the cache; see TreeCache.Close.
func (c *NodeCache) Close() error { return c.e.close() }

// Listen adds a listener; see TreeCache.Listen.
func (c *NodeCache) Listen(f func(Event)) (unsubscribe func()) { return c.e.disp.Listen(f) }

// Get returns the cached node, and false if it does not exist (as far as
// the cache knows).
func (c *NodeCache) Get() (Node, bool) { return c.e.st.get(c.e.root) }
