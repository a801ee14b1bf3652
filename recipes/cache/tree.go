package cache

import (
	"context"
	"iter"
	"slices"

	"github.com/zkcurator/zkcurator/zk"
)

// TreeCache keeps a copy of the subtree at a path: the root and every
// descendant (within WithMaxDepth, accepted by WithFilter). The root need
// not exist; it is cached when it is created. Create one with NewTree,
// add listeners, Start it, and Close it when done. Its methods are safe
// for concurrent use.
type TreeCache struct{ e *engine }

// NewTree returns a cache of the subtree at path. It reads nothing until
// Start. It fails, with an error wrapping zk.ErrInvalidPath or
// ErrInvalidArgument, on an invalid path, a nil client or an invalid
// option value.
func NewTree(client *zk.Client, path string, opts ...Option) (*TreeCache, error) {
	cfg, err := checkArgs("tree cache", client, path, opts, true, true)
	if err != nil {
		return nil, err
	}
	return &TreeCache{e: newEngine(client, path, cfg, false)}, nil
}

// Start sets the watch, primes the cache (one NodeCreated per node, then
// Initialized) and returns once primed and the listeners have been handed
// Initialized, or with ctx's error if ctx ends first — the cache then
// keeps priming in the background until Close. It fails with ErrStarted
// when called twice, with ErrClosed after Close or when Close interrupts
// it, at once with an error wrapping zk.ErrClosed when the client is
// closed, and (with WithWatchMode(WatchPersistent)) when the server has no
// persistent watches.
func (t *TreeCache) Start(ctx context.Context) error { return t.e.start(ctx) }

// Close stops the cache: its goroutines end, the persistent watch is
// removed, and events not yet delivered are dropped. The cached data stays
// readable (Get, Children, All and the rest return the last state cached);
// Start returns ErrClosed. Close is idempotent: a second call returns nil.
// Do not call it from a listener of this cache if you need it to wait for
// the listener goroutine.
func (t *TreeCache) Close() error { return t.e.close() }

// Listen adds a listener for the cache's events (node changes, connection
// changes, Initialized, Synced, Error). Listeners are called in order, one
// at a time, on one goroutine of the cache; a listener added after Start
// misses earlier events. The returned function removes the listener.
func (t *TreeCache) Listen(f func(Event)) (unsubscribe func()) { return t.e.listen(f) }

// Get returns the cached node at path.
func (t *TreeCache) Get(path string) (Node, bool) { return t.e.st.get(path) }

// Children returns the sorted names of the cached children of path.
func (t *TreeCache) Children(path string) []string {
	names := t.e.st.children(path)
	slices.Sort(names)
	return names
}

// Mode returns the watch mode in use: WatchPersistent or WatchOneShot once
// Start has chosen, WatchAuto before.
func (t *TreeCache) Mode() WatchMode { return WatchMode(t.e.modeSeen.Load()) }

// Len returns the number of cached nodes.
func (t *TreeCache) Len() int { return t.e.st.len() }

// All returns an iterator over a snapshot of the cache, taken when the
// iteration starts: every cached node by path, parents before children
// (siblings in no particular order).
func (t *TreeCache) All() iter.Seq2[string, Node] {
	return seq(func() []Node { return t.e.st.snapshot(t.e.root, true) })
}

// Subtree is All for the cached subtree at path (path included).
func (t *TreeCache) Subtree(path string) iter.Seq2[string, Node] {
	return seq(func() []Node { return t.e.st.snapshot(path, true) })
}

func seq(snap func() []Node) iter.Seq2[string, Node] {
	return func(yield func(string, Node) bool) {
		for _, n := range snap() {
			if !yield(n.Path, n) {
				return
			}
		}
	}
}
