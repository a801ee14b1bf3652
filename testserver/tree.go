package testserver

import (
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
	stat jute.Stat
	// children is nil until the first child is added, then a
	// HashSet<String>(8) as in DataNode, which keeps its table size when
	// it empties again: its iteration order is the order getChildren
	// answers with.
	children *javaSet
}

// addChild is DataNode.addChild.
func (n *node) addChild(name string) {
	if n.children == nil {
		n.children = newJavaSet(8)
	}
	n.children.Add(name)
}

// numChildren returns the number of children.
func (n *node) numChildren() int { return n.children.Len() }

// copyStat returns the Stat a client sees (DataNode.copyStat): cversion
// converted to the number of child changes (2*creations - children), and
// ephemeralOwner 0 for container and TTL nodes.
func (n *node) copyStat() jute.Stat {
	st := n.stat
	st.DataLength = int32(len(n.data))
	st.NumChildren = int32(n.children.Len())
	st.Cversion = n.stat.Cversion*2 - st.NumChildren
	if kindOf(st.EphemeralOwner) != ownerSession {
		st.EphemeralOwner = 0
	}
	return st
}

// childList returns the children in the order ZooKeeper lists them
// (DataTree.getChildren copies the HashSet into a list).
func (n *node) childList() []string { return n.children.List() }

// ACLs ZooKeeper predefines (ZooDefs.Ids).
var (
	openACLUnsafe = []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "world", ID: "anyone"}}}
	readACLUnsafe = []jute.ACL{{Perms: jute.PermRead, ID: jute.Id{Scheme: "world", ID: "anyone"}}}
)

// tree is the in-memory data tree with the bookkeeping DataTree keeps:
// ephemerals per session, containers and TTL nodes.
type tree struct {
	nodes      map[string]*node
	ephemerals map[int64]*javaSet // a HashSet<String>() per session, as in DataTree
	containers map[string]struct{}
	ttls       map[string]struct{}
	quotas     map[string]struct{} // paths with a quota (DataTree's pTrie)
}

// newTree returns a tree holding what a fresh standalone ZooKeeper holds:
// "/", "/zookeeper", "/zookeeper/quota" and "/zookeeper/config".
func newTree() *tree {
	t := &tree{
		nodes:      map[string]*node{},
		ephemerals: map[int64]*javaSet{},
		containers: map[string]struct{}{},
		ttls:       map[string]struct{}{},
		quotas:     map[string]struct{}{},
	}
	mk := func(acl []jute.ACL) *node {
		return &node{data: []byte{}, acl: acl}
	}
	root := mk(openACLUnsafe)
	zk := mk(openACLUnsafe)
	quota := mk(openACLUnsafe)
	config := mk(readACLUnsafe)
	config.stat.Aversion = -1 // DataTree sets the config ACL with version -1
	root.addChild("zookeeper")
	zk.addChild("quota")
	zk.addChild("config")
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
		data: data,
		acl:  acl,
		stat: jute.Stat{
			Czxid: zxid, Mzxid: zxid, Pzxid: zxid,
			Ctime: now, Mtime: now,
			EphemeralOwner: owner,
		},
	}
	parent.addChild(childName)
	t.nodes[path] = n
	switch kindOf(owner) {
	case ownerContainer:
		t.containers[path] = struct{}{}
	case ownerTTL:
		t.ttls[path] = struct{}{}
	case ownerSession:
		set := t.ephemerals[owner]
		if set == nil {
			set = newJavaSet(0)
			t.ephemerals[owner] = set
		}
		set.Add(path)
	}
	t.quotaCreated(path, parentPath, childName, len(data))
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
	parent.children.Remove(childName)
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
		// DataTree keeps a session's emptied set until the session
		// ends.
		t.ephemerals[owner].Remove(path)
	}
	t.quotaDeleted(path, parentPath, childName, len(n.data))
}

// ephemeralsOf returns the session's ephemeral paths in the order
// DataTree.getEphemerals gives them: a clone of the session's HashSet.
func (t *tree) ephemeralsOf(session int64) []string {
	return t.ephemerals[session].Clone().List()
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
