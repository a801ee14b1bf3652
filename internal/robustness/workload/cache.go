package workload

import (
	"context"
	"fmt"
	"sync"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
	"github.com/zkcurator/zkcurator/recipes/cache"
	"github.com/zkcurator/zkcurator/zk"
)

// TreeRoot is the subtree the cache workload writes and watches.
func TreeRoot(root string) string { return root + "/tree" }

// SetupTree creates the watched subtree's root.
func SetupTree(ctx context.Context, c *zk.Client, root string) error {
	if _, _, err := c.CreateWith(ctx, TreeRoot(root), nil, zk.CreateOptions{CreateParents: true}); err != nil {
		return fmt.Errorf("workload: setup tree: %w", err)
	}
	return nil
}

// TreeWriter creates, sets and deletes nodes two levels deep under
// TreeRoot, for a TreeCache to follow.
func TreeWriter(ctx context.Context, env *Env) error {
	base := TreeRoot(env.Root)
	var n int
	for env.think(ctx) {
		n++
		p := fmt.Sprintf("%s/a%d", base, env.Rand.IntN(4))
		if env.Rand.IntN(2) == 0 {
			p = fmt.Sprintf("%s/b%d", p, env.Rand.IntN(3))
		}
		data := []byte(fmt.Sprintf("%s-%d", env.Name, n))
		octx, cancel := env.opCtx(ctx)
		var err error
		op := [...]string{"tree-create", "tree-set", "tree-delete"}[env.Rand.IntN(3)]
		switch op {
		case "tree-create":
			_, err = env.Client.Create(octx, p, data, zk.ModePersistent, nil)
		case "tree-set":
			_, err = env.Client.Set(octx, p, data, zk.AnyVersion)
		default:
			err = env.Client.Delete(octx, p, zk.AnyVersion)
		}
		cancel()
		if err == nil {
			env.Sink.Emit(history.Event{Kind: history.Progress, Op: op})
		}
		env.unexpected("tree write "+p, err, zk.ErrNodeExists, zk.ErrNoNode, zk.ErrNotEmpty)
	}
	return nil
}

// CachedNode is what a tree holds of one node for comparison.
type CachedNode struct {
	Data    string
	Version int32
	Czxid   int64
}

// Watcher is a TreeCache on TreeRoot with every event it sent recorded.
type Watcher struct {
	Cache *cache.TreeCache
	unsub func()

	mu     sync.Mutex
	events []cache.Event
}

// NewWatcher starts a TreeCache on TreeRoot(root) with c.
func NewWatcher(ctx context.Context, c *zk.Client, root string) (*Watcher, error) {
	tc, err := newTreeCache(c, TreeRoot(root))
	if err != nil {
		return nil, err
	}
	w := &Watcher{Cache: tc}
	w.unsub = tc.Listen(func(e cache.Event) {
		w.mu.Lock()
		w.events = append(w.events, e)
		w.mu.Unlock()
	})
	if err := tc.Start(ctx); err != nil {
		w.unsub()
		return nil, fmt.Errorf("workload: start tree cache: %w", err)
	}
	return w, nil
}

// Close closes the cache.
func (w *Watcher) Close() error {
	w.unsub()
	return w.Cache.Close()
}

// Snapshot returns the cache's content.
func (w *Watcher) Snapshot() map[string]CachedNode {
	out := map[string]CachedNode{}
	for p, n := range w.Cache.All() {
		out[p] = CachedNode{Data: string(n.Data), Version: n.Stat.Version, Czxid: n.Stat.Czxid}
	}
	return out
}

// Replayed returns the tree the cache's events describe when applied in
// order to an empty tree, and an error for an event that does not fit
// (a change or delete of a node not there, a create of one that is).
func (w *Watcher) Replayed() (map[string]CachedNode, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]CachedNode{}
	for i, e := range w.events {
		n := CachedNode{Data: string(e.Data), Version: e.Stat.Version, Czxid: e.Stat.Czxid}
		_, had := out[e.Path]
		switch e.Type {
		case cache.NodeCreated:
			if had {
				return out, fmt.Errorf("event %d: %v: node already there", i, e)
			}
			out[e.Path] = n
		case cache.NodeChanged:
			if !had {
				return out, fmt.Errorf("event %d: %v: node not there", i, e)
			}
			out[e.Path] = n
		case cache.NodeDeleted:
			if !had {
				return out, fmt.Errorf("event %d: %v: node not there", i, e)
			}
			delete(out, e.Path)
		}
	}
	return out, nil
}

// ServerTree reads the subtree at TreeRoot(root) from the server.
func ServerTree(ctx context.Context, c *zk.Client, root string) (map[string]CachedNode, error) {
	out := map[string]CachedNode{}
	var walk func(p string) error
	walk = func(p string) error {
		data, st, err := c.Get(ctx, p)
		if err != nil {
			return err
		}
		out[p] = CachedNode{Data: string(data), Version: st.Version, Czxid: st.Czxid}
		kids, _, err := c.Children(ctx, p)
		if err != nil {
			return err
		}
		for _, k := range kids {
			if err := walk(p + "/" + k); err != nil {
				return err
			}
		}
		return nil
	}
	if _, err := c.Sync(ctx, TreeRoot(root)); err != nil {
		return nil, err
	}
	return out, walk(TreeRoot(root))
}
