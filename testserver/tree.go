package testserver

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/zk"
)

// Special ephemeralOwner values (ZooKeeper's EphemeralType).
const (
	containerOwner int64 = -1 << 63 // 0x8000000000000000
	ttlOwnerMask   int64 = -1 << 56 // 0xff00000000000000
	ttlValueMask   int64 = 0xFFFFFFFFFF
)

// ownerKind classifies an ephemeralOwner as ZooKeeper does with extended
// types enabled.
type ownerKind int

const (
	ownerNone ownerKind = iota
	ownerSession
	ownerContainer
	ownerTTL
)

func kindOf(owner int64) ownerKind {
	switch {
	case owner == 0:
		return ownerNone
	case owner == containerOwner:
		return ownerContainer
	case owner&ttlOwnerMask == ttlOwnerMask && owner&0x00ffff0000000000 == 0:
		return ownerTTL
	}
	return ownerSession
}

func ttlOwner(ttl int64) int64 { return ttlOwnerMask | ttl }

func ttlOf(owner int64) int64 { return owner & ttlValueMask }

// node is one znode.
type node struct {
	data []byte
	acl  []jute.ACL
	// stat is ZooKeeper's StatPersisted: Cversion counts child creations
	// (it numbers sequential children) and EphemeralOwner holds the raw
	// owner, including the container and TTL markers. DataLength and
	// NumChildren are not kept.
	stat     jute.Stat
	children map[string]struct{}
}

// copyStat returns the Stat a client sees (DataNode.copyStat): cversion
// converted to the number of child changes (2*creations - children), and
// ephemeralOwner 0 for container and TTL nodes.
func (n *node) copyStat() jute.Stat {
	st := n.stat
	st.DataLength = int32(len(n.data))
	st.NumChildren = int32(len(n.children))
	st.Cversion = n.stat.Cversion*2 - st.NumChildren
	if kindOf(st.EphemeralOwner) != ownerSession {
		st.EphemeralOwner = 0
	}
	return st
}

func (n *node) childList() []string {
	out := make([]string, 0, len(n.children))
	for c := range n.children {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// ACLs ZooKeeper predefines (ZooDefs.Ids).
var (
	openACLUnsafe = []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "world", ID: "anyone"}}}
	readACLUnsafe = []jute.ACL{{Perms: jute.PermRead, ID: jute.Id{Scheme: "world", ID: "anyone"}}}
)

// tree is the in-memory data tree with the bookkeeping DataTree keeps:
// ephemerals per session, containers and TTL nodes.
type tree struct {
	nodes      map[string]*node
	ephemerals map[int64]map[string]struct{}
	containers map[string]struct{}
	ttls       map[string]struct{}
}

// newTree returns a tree holding what a fresh standalone ZooKeeper holds:
// "/", "/zookeeper", "/zookeeper/quota" and "/zookeeper/config".
func newTree() *tree {
	t := &tree{
		nodes:      map[string]*node{},
		ephemerals: map[int64]map[string]struct{}{},
		containers: map[string]struct{}{},
		ttls:       map[string]struct{}{},
	}
	mk := func(acl []jute.ACL) *node {
		return &node{data: []byte{}, acl: acl, children: map[string]struct{}{}}
	}
	root := mk(openACLUnsafe)
	zk := mk(openACLUnsafe)
	quota := mk(openACLUnsafe)
	config := mk(readACLUnsafe)
	config.stat.Aversion = -1 // DataTree sets the config ACL with version -1
	root.children["zookeeper"] = struct{}{}
	zk.children["quota"] = struct{}{}
	zk.children["config"] = struct{}{}
	t.nodes["/"] = root
	t.nodes["/zookeeper"] = zk
	t.nodes["/zookeeper/quota"] = quota
	t.nodes["/zookeeper/config"] = config
	return t
}

func (t *tree) get(path string) *node { return t.nodes[lookupKey(path)] }

// aclOf returns the ACL of the node at path, nil (no check) if none.
func (t *tree) aclOf(path string) []jute.ACL {
	if n := t.get(path); n != nil {
		return n.acl
	}
	return nil
}

// lookupKey maps "" to the root, as DataTree does (a client may read "").
func lookupKey(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

// isSpecialPath reports the paths ZooKeeper refuses to delete.
func isSpecialPath(path string) bool {
	switch path {
	case "/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config":
		return true
	}
	return false
}

// createNode adds a node; the caller has validated everything.
func (t *tree) createNode(path string, data []byte, acl []jute.ACL, owner int64, parentCversion int32, zxid, now int64) jute.Stat {
	parentPath, childName := zk.SplitPath(path)
	parent := t.get(parentPath)
	if parentCversion > parent.stat.Cversion {
		parent.stat.Cversion = parentCversion
		parent.stat.Pzxid = zxid
	}
	n := &node{
		data:     data,
		acl:      acl,
		children: map[string]struct{}{},
		stat: jute.Stat{
			Czxid: zxid, Mzxid: zxid, Pzxid: zxid,
			Ctime: now, Mtime: now,
			EphemeralOwner: owner,
		},
	}
	parent.children[childName] = struct{}{}
	t.nodes[path] = n
	switch kindOf(owner) {
	case ownerContainer:
		t.containers[path] = struct{}{}
	case ownerTTL:
		t.ttls[path] = struct{}{}
	case ownerSession:
		set := t.ephemerals[owner]
		if set == nil {
			set = map[string]struct{}{}
			t.ephemerals[owner] = set
		}
		set[path] = struct{}{}
	}
	return n.copyStat()
}

// deleteNode removes a node; the caller has validated everything.
func (t *tree) deleteNode(path string, zxid int64) {
	parentPath, childName := zk.SplitPath(path)
	parent := t.get(parentPath)
	n := t.nodes[path]
	if parent == nil || n == nil {
		return
	}
	delete(parent.children, childName)
	if zxid > parent.stat.Pzxid {
		parent.stat.Pzxid = zxid
	}
	delete(t.nodes, path)
	owner := n.stat.EphemeralOwner
	switch kindOf(owner) {
	case ownerContainer:
		delete(t.containers, path)
	case ownerTTL:
		delete(t.ttls, path)
	case ownerSession:
		if set := t.ephemerals[owner]; set != nil {
			delete(set, path)
			if len(set) == 0 {
				delete(t.ephemerals, owner)
			}
		}
	}
}

// ephemeralsOf returns the session's ephemeral paths, sorted.
func (t *tree) ephemeralsOf(session int64) []string {
	set := t.ephemerals[session]
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// countDescendants implements getAllChildrenNumber.
func (t *tree) countDescendants(path string) int32 {
	switch path {
	case "":
		// DataTree's map holds "" and "/" for the root: every key but ""
		// starts with "/".
		return int32(len(t.nodes))
	case "/":
		// DataTree counts its node map minus the two root keys.
		return int32(len(t.nodes) - 1)
	}
	prefix := path + "/"
	var n int32
	for p := range t.nodes {
		if strings.HasPrefix(p, prefix) {
			n++
		}
	}
	return n
}

// validatePath applies ZooKeeper's PathUtils.validatePath. It returns false
// for an invalid path.
func validatePath(path string) bool {
	if path == "" || path[0] != '/' {
		return false
	}
	if len(path) == 1 {
		return true
	}
	if path[len(path)-1] == '/' {
		return false
	}
	// Work on UTF-16-like code points as Java does; runes outside the BMP
	// are surrogate pairs there, which are rejected.
	runes := []rune(path)
	last := '/'
	for i := 1; i < len(runes); i++ {
		c := runes[i]
		switch {
		case c == 0:
			return false
		case c == '/' && last == '/':
			return false
		case c == '.' && last == '.':
			if runes[i-2] == '/' && (i+1 == len(runes) || runes[i+1] == '/') {
				return false
			}
		case c == '.':
			if runes[i-1] == '/' && (i+1 == len(runes) || runes[i+1] == '/') {
				return false
			}
		case c > 0 && c <= 0x1f, c >= 0x7f && c <= 0x9f,
			c >= 0xd800 && c <= 0xf8ff, c >= 0xfff0 && c <= 0xffff,
			c > 0xffff, c == utf8.RuneError:
			return false
		}
		last = c
	}
	return true
}
