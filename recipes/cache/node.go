package cache

import (
	"context"

	"github.com/zkcurator/zkcurator/zk"
)

// NodeCache keeps a copy of one node (Curator's NodeCache); the node need
// not exist. Its methods are safe for concurrent use.
type NodeCache struct{ e *engine }

// NewNode returns a cache of the node at path. It reads nothing until
// Start. It fails, with an error wrapping zk.ErrInvalidPath or
// ErrInvalidArgument, on an invalid path, a nil client, an invalid option
// value, or WithMaxDepth or WithFilter (which do not apply to one node).
func NewNode(client *zk.Client, path string, opts ...Option) (*NodeCache, error) {
	cfg, err := checkArgs("node cache", client, path, opts, false, false)
	if err != nil {
		return nil, err
	}
	cfg.maxDepth = 0
	return &NodeCache{e: newEngine(client, path, cfg, false)}, nil
}

// Start sets the watch, reads the node (NodeCreated if it exists, then
// Initialized) and returns once done or when ctx ends; see
// TreeCache.Start.
func (c *NodeCache) Start(ctx context.Context) error { return c.e.start(ctx) }

// Close stops the cache; see TreeCache.Close. It is idempotent.
func (c *NodeCache) Close() error { return c.e.close() }

// Listen adds a listener; see TreeCache.Listen.
func (c *NodeCache) Listen(f func(Event)) (unsubscribe func()) { return c.e.listen(f) }

// Get returns the cached node, and false if it does not exist (as far as
// the cache knows). After Close it returns the last state cached.
func (c *NodeCache) Get() (Node, bool) { return c.e.st.get(c.e.root) }
