package testserver

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/zk"
)

// WithSnapshot starts the server with the nodes and sessions of snap (see
// Snapshot; zktestserver -load) instead of an empty tree. Start fails if
// the snapshot is inconsistent: a node before its parent, an invalid
// path or mode, an ephemeral node of a session it does not list.
func WithSnapshot(snap *Snapshot) Option { return func(c *config) { c.snapshot = snap } }

// loadSnapshot replaces the fresh tree of s (not yet serving) with snap's.
func (s *Server) loadSnapshot(snap *Snapshot, now time.Time) error {
	t := newTree()
	zxid := snap.Zxid
	sessions := map[int64]*session{}
	for _, ss := range snap.Sessions {
		id := int64(ss.ID)
		if id == 0 || kindOf(id) != ownerSession || sessions[id] != nil {
			return fmt.Errorf("testserver: snapshot: bad or duplicate session id %s", hexID(id))
		}
		timeout := s.clampTimeout(int32(min(ss.TimeoutMs, 1<<31-1)))
		passwd := ss.Password
		if len(passwd) == 0 {
			passwd = make([]byte, jute.PasswordLen)
			_, _ = rand.Read(passwd)
		}
		sessions[id] = &session{id: id, passwd: passwd, timeout: timeout, lastHeard: now}
	}
	for i, ns := range snap.Nodes {
		if err := t.loadNode(ns, sessions); err != nil {
			return fmt.Errorf("testserver: snapshot: node %d (%q): %w", i, ns.Path, err)
		}
		zxid = max(zxid, ns.Stat.Czxid, ns.Stat.Mzxid, ns.Stat.Pzxid)
	}
	t.setupQuotas()
	s.tree = t
	s.zxid = zxid
	s.sessions = sessions
	return nil
}

// loadNode adds or (for the nodes a fresh tree has) updates one node.
func (t *tree) loadNode(ns NodeState, sessions map[int64]*session) error {
	if !validatePath(ns.Path) {
		return fmt.Errorf("invalid path")
	}
	var owner int64
	switch ns.Mode {
	case ModePersistent, "":
	case ModeEphemeral:
		owner = int64(ns.Owner)
		if sessions[owner] == nil {
			return fmt.Errorf("ephemeral node of session %s, which the snapshot does not list", hexID(owner))
		}
	case ModeContainer:
		owner = containerOwner
	case ModeTTL:
		if ns.TTLMs <= 0 || ns.TTLMs > jute.MaxTTL {
			return fmt.Errorf("ttlMs %d out of range", ns.TTLMs)
		}
		owner = ttlOwner(ns.TTLMs)
	default:
		return fmt.Errorf("unknown mode %q", ns.Mode)
	}
	acl := make([]jute.ACL, 0, len(ns.ACL))
	for _, a := range ns.ACL {
		acl = append(acl, jute.ACL{Perms: a.Perms, ID: jute.Id{Scheme: a.Scheme, ID: a.ID}})
	}
	if len(acl) == 0 {
		return fmt.Errorf("no ACL")
	}
	data := ns.Data
	if data == nil {
		data = []byte{}
	}
	st := jute.Stat{
		Czxid: ns.Stat.Czxid, Mzxid: ns.Stat.Mzxid, Pzxid: ns.Stat.Pzxid,
		Ctime: ns.Stat.Ctime, Mtime: ns.Stat.Mtime,
		Version: ns.Stat.Version, Cversion: ns.Stat.Cversion, Aversion: ns.Stat.Aversion,
		EphemeralOwner: owner,
	}
	if n := t.nodes[ns.Path]; n != nil {
		if !isSpecialPath(ns.Path) {
			return fmt.Errorf("listed twice")
		}
		if owner != 0 {
			return fmt.Errorf("%s must be persistent", ns.Path)
		}
		n.data, n.acl, n.stat = data, acl, st
		return nil
	}
	parentPath, _ := zk.SplitPath(ns.Path)
	parent := t.get(parentPath)
	if parent == nil {
		return fmt.Errorf("its parent is not listed before it")
	}
	if kindOf(parent.stat.EphemeralOwner) == ownerSession {
		return fmt.Errorf("a child of an ephemeral node")
	}
	t.createNode(ns.Path, data, acl, owner, 0, st.Czxid, st.Ctime)
	n := t.nodes[ns.Path]
	n.stat = st
	return nil
}
