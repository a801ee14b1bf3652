// Package cache keeps a local, eventually consistent copy of ZooKeeper
// nodes and tells listeners about every change: NodeCache follows one node,
// ChildrenCache the children of a node, TreeCache a whole subtree (with an
// optional depth limit and path filter).
//
// # Watches
//
// On ZooKeeper 3.6+ a cache sets one persistent watch (recursive for
// ChildrenCache and TreeCache, WithWatchMode overrides the choice). On older
// servers, or when the server answers addWatch with Unimplemented, it falls
// back to one-shot data and child watches per node, re-armed after each
// event. Watch events carry no data, so each event is followed by a read.
//
// # Consistency
//
// Reads are pipelined (many in flight at once, bounded by WithConcurrency)
// and race with watch events; results are ordered by the node's zxids
// (Czxid for the incarnation, Mzxid for data, Pzxid for the children), so
// an older read never overwrites newer state, and a read sent before a
// delete event is never applied after it. After every reconnect — same
// session (watch events may have been missed while disconnected) or a new
// one (the watches are gone and are set again) — the cache re-reads the
// subtree and emits exactly the differences. A node deleted and re-created
// while the client was away is seen by its new Czxid and reported as
// NodeDeleted followed by NodeCreated (CURATOR-391).
//
// # Events
//
// Listeners are called in order, one at a time, on one goroutine owned by
// the cache; an unbounded queue stands between the cache and that
// goroutine, so a slow listener delays other listeners but never the cache
// or the session. The event stream, replayed over an empty tree, always
// reproduces the cache: NodeCreated for a path not cached, NodeChanged or
// NodeDeleted for a cached one, children deleted before their parent.
//
// # Memory
//
// A cached node is one small struct (path, sibling links, data, a compact
// Stat) in one map; there is no goroutine or map per node, and a parent may
// have any number of children (CURATOR-374, CURATOR-690). A getChildren
// reply for a very large parent can exceed the client's 1 MiB frame limit
// (the names, not the data, count): raise it with zk.WithMaxBuffer.
package cache
