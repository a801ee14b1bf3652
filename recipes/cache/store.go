package cache

import (
	"strings"
	"sync"

	"github.com/zkcurator/zkcurator/zk"
)

// stat is zk.Stat without padding (68 bytes).
type stat struct {
	czxid, mzxid, pzxid, ctime, mtime, owner     int64
	version, cversion, aversion, dlen, nchildren int32
}

func compact(s *zk.Stat) stat {
	return stat{
		czxid: s.Czxid, mzxid: s.Mzxid, pzxid: s.Pzxid, ctime: s.Ctime, mtime: s.Mtime,
		owner: s.EphemeralOwner, version: s.Version, cversion: s.Cversion,
		aversion: s.Aversion, dlen: s.DataLength, nchildren: s.NumChildren,
	}
}

func (s *stat) expand() zk.Stat {
	return zk.Stat{
		Czxid: s.czxid, Mzxid: s.mzxid, Pzxid: s.pzxid, Ctime: s.ctime, Mtime: s.mtime,
		EphemeralOwner: s.owner, Version: s.version, Cversion: s.cversion,
		Aversion: s.aversion, DataLength: s.dlen, NumChildren: s.nchildren,
	}
}

// node is one cached znode. Children form a doubly linked sibling list, so
// a parent with any number of children costs nothing extra and a child is
// unlinked in O(1). The parent is found through the map. 144 bytes.
type node struct {
	path              string
	first, next, prev *node
	data              []byte
	st                stat
}

func (n *node) public() Node { return Node{Path: n.path, Data: n.data, Stat: n.st.expand()} }

// store is the cached tree: every node by path. The cache's goroutine is
// its only writer (under mu); readers take mu.RLock.
type store struct {
	mu    sync.RWMutex
	root  string
	nodes map[string]*node
}

func newStore(root string) *store {
	return &store{root: root, nodes: make(map[string]*node)}
}

// insert adds a node under parent (nil only for the root). Caller holds mu.
func (s *store) insert(parent *node, path string, data []byte, st stat) *node {
	n := &node{path: path, data: data, st: st}
	s.nodes[path] = n
	if parent != nil {
		n.next = parent.first
		if parent.first != nil {
			parent.first.prev = n
		}
		parent.first = n
	}
	return n
}

// unlink removes a childless node from the map and from its parent's
// list. Caller holds mu.
func (s *store) unlink(n *node) {
	delete(s.nodes, n.path)
	if n.prev != nil {
		n.prev.next = n.next
	} else if n.path != s.root {
		if p := s.nodes[zk.ParentPath(n.path)]; p != nil && p.first == n {
			p.first = n.next
		}
	}
	if n.next != nil {
		n.next.prev = n.prev
	}
	n.next, n.prev = nil, nil
}

// postorder calls f for every node of n's subtree except n, children
// before parents. f may unlink the node it is given.
func postorder(n *node, f func(*node)) {
	for c := n.first; c != nil; {
		next := c.next
		postorder(c, f)
		f(c)
		c = next
	}
}

// get returns the cached node at path. Callers take mu.RLock.
func (s *store) get(path string) (Node, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := s.nodes[path]
	if n == nil {
		return Node{}, false
	}
	return n.public(), true
}

// snapshot copies the subtree of path (the whole tree when path is the
// root), parents before children, skipping the root when withRoot is
// false.
func (s *store) snapshot(path string, withRoot bool) []Node {
	s.mu.RLock()
	defer s.mu.RUnlock()
	top := s.nodes[path]
	if top == nil {
		return nil
	}
	out := make([]Node, 0, min(len(s.nodes), 1<<16))
	if withRoot {
		out = append(out, top.public())
	}
	var walk func(*node)
	walk = func(n *node) {
		for c := n.first; c != nil; c = c.next {
			out = append(out, c.public())
			walk(c)
		}
	}
	walk(top)
	return out
}

// children returns the names of path's cached children.
func (s *store) children(path string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := s.nodes[path]
	if n == nil {
		return nil
	}
	var names []string
	for c := n.first; c != nil; c = c.next {
		names = append(names, c.path[strings.LastIndexByte(c.path, '/')+1:])
	}
	return names
}

func (s *store) len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.nodes)
}
