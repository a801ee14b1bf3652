package testserver

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// SnapshotFormat is the Format of the snapshots this package writes and
// reads.
const SnapshotFormat = "zkcurator-testserver/1"

// Snapshot is a copy of a server's state: what Dump returns, what
// WriteSnapshot saves as JSON and what WithSnapshot (zktestserver -load)
// starts a server with. In JSON:
//
//	{
//	  "format": "zkcurator-testserver/1",
//	  "zxid": 42,
//	  "sessions": [{"id": "0x1000000a1b20000", "timeoutMs": 10000,
//	                "password": "<base64>", "connected": true,
//	                "ephemerals": ["/app/worker-1"]}],
//	  "nodes": [{"path": "/app", "data": "<base64>",
//	             "acl": [{"perms": 31, "scheme": "world", "id": "anyone"}],
//	             "mode": "persistent",
//	             "stat": {"czxid": 3, "mzxid": 3, "pzxid": 7, "ctime": 1700000000000,
//	                      "mtime": 1700000000000, "version": 0, "cversion": 2, "aversion": 0}},
//	            {"path": "/app/worker-1", "mode": "ephemeral", "owner": "0x1000000a1b20000", ...}],
//	  "watches": [{"path": "/app", "session": "0x1000000a1b20000", "kind": "child"}]
//	}
//
// Nodes are listed depth first, each node's children in the order the
// server lists them, as a ZooKeeper snapshot stores them. Loading adds each
// node's children in that order to a fresh set, as a real server restoring
// its snapshot does: children then list in the order a restarted server
// lists them (which can differ from before the save when a node once had
// many more children). A parent must come before its children; "/" and
// the /zookeeper nodes are
// included (loading replaces their data, ACL and stat). Data is base64
// (JSON of []byte); a missing "data" is empty. Mode is "persistent",
// "ephemeral" (owned by "owner", one of "sessions"), "container" or "ttl"
// (with "ttlMs"). Stat's cversion is the number of children ever created,
// which numbers the next sequential child (ZooKeeper's persisted
// cversion); dataLength and numChildren follow from the rest. Sessions and
// watches are informational except that loading recreates the sessions
// (id, timeout, password): they expire after their timeout unless a client
// reattaches with the id and password, and their ephemeral nodes go with
// them, as after a real server's restart. Watches are not loaded.
type Snapshot struct {
	Format   string         `json:"format"`
	Zxid     int64          `json:"zxid"`
	Sessions []SessionState `json:"sessions"`
	Nodes    []NodeState    `json:"nodes"`
	Watches  []WatchState   `json:"watches,omitempty"`
}

// SessionID is a session id, written in JSON as a hex string ("0x…") like
// ZooKeeper's logs and four-letter words.
type SessionID int64

// MarshalText writes the id as 0x-prefixed hex.
func (id SessionID) MarshalText() ([]byte, error) { return []byte(hexID(int64(id))), nil }

// UnmarshalText reads a 0x-prefixed hex id or a decimal one.
func (id *SessionID) UnmarshalText(b []byte) error {
	s := string(b)
	var v uint64
	var err error
	if h, ok := strings.CutPrefix(s, "0x"); ok {
		v, err = strconv.ParseUint(h, 16, 64)
	} else {
		var n int64
		n, err = strconv.ParseInt(s, 10, 64)
		v = uint64(n)
	}
	if err != nil {
		return fmt.Errorf("testserver: session id %q: %w", s, err)
	}
	*id = SessionID(v)
	return nil
}

// SessionState is one live session.
type SessionState struct {
	ID        SessionID `json:"id"`
	TimeoutMs int64     `json:"timeoutMs"`
	Password  []byte    `json:"password,omitempty"`
	Connected bool      `json:"connected"`
	// Ephemerals are its ephemeral nodes, in getEphemerals order.
	Ephemerals []string `json:"ephemerals,omitempty"`
}

// NodeState is one znode.
type NodeState struct {
	Path  string     `json:"path"`
	Data  []byte     `json:"data,omitempty"`
	ACL   []ACLEntry `json:"acl"`
	Mode  string     `json:"mode"`
	Owner SessionID  `json:"owner,omitempty"`
	TTLMs int64      `json:"ttlMs,omitempty"`
	Stat  NodeStat   `json:"stat"`
}

// ACLEntry is one ACL entry: permission bits (READ 1, WRITE 2, CREATE 4,
// DELETE 8, ADMIN 16) for scheme:id.
type ACLEntry struct {
	Perms  int32  `json:"perms"`
	Scheme string `json:"scheme"`
	ID     string `json:"id"`
}

// NodeStat holds the persisted fields of a znode's Stat. Cversion counts
// child creations (see Snapshot).
type NodeStat struct {
	Czxid    int64 `json:"czxid"`
	Mzxid    int64 `json:"mzxid"`
	Pzxid    int64 `json:"pzxid"`
	Ctime    int64 `json:"ctime"`
	Mtime    int64 `json:"mtime"`
	Version  int32 `json:"version"`
	Cversion int32 `json:"cversion"`
	Aversion int32 `json:"aversion"`
}

// WatchState is one watch a session holds. Kind is "data" (getData and
// exists watches), "child", "persistent" or "persistentRecursive".
type WatchState struct {
	Path    string    `json:"path"`
	Session SessionID `json:"session"`
	Kind    string    `json:"kind"`
}

// Node modes of NodeState.Mode.
const (
	ModePersistent = "persistent"
	ModeEphemeral  = "ephemeral"
	ModeContainer  = "container"
	ModeTTL        = "ttl"
)

// Dump returns a copy of the server's state: every node, the live sessions
// with their ephemeral nodes, and the watches. After Close it holds the
// data as it was (sessions are gone).
func (s *Server) Dump() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := Snapshot{Format: SnapshotFormat, Zxid: s.zxid, Sessions: []SessionState{}}
	for _, id := range slices.Sorted(maps.Keys(s.sessions)) {
		sess := s.sessions[id]
		snap.Sessions = append(snap.Sessions, SessionState{
			ID: SessionID(id), TimeoutMs: sess.timeout.Milliseconds(),
			Password: slices.Clone(sess.passwd), Connected: sess.conn != nil,
			Ephemerals: s.tree.ephemeralsOf(id),
		})
	}
	var walk func(path string)
	walk = func(path string) {
		n := s.tree.nodes[path]
		snap.Nodes = append(snap.Nodes, nodeState(path, n))
		n.children.Each(func(c string) {
			if path == "/" {
				walk("/" + c)
			} else {
				walk(path + "/" + c)
			}
		})
	}
	walk("/")
	snap.Watches = s.watchStates()
	return snap
}

func nodeState(path string, n *node) NodeState {
	ns := NodeState{
		Path: path, Data: slices.Clone(n.data), Mode: ModePersistent,
		Stat: NodeStat{
			Czxid: n.stat.Czxid, Mzxid: n.stat.Mzxid, Pzxid: n.stat.Pzxid,
			Ctime: n.stat.Ctime, Mtime: n.stat.Mtime,
			Version: n.stat.Version, Cversion: n.stat.Cversion, Aversion: n.stat.Aversion,
		},
	}
	for _, a := range n.acl {
		ns.ACL = append(ns.ACL, ACLEntry{Perms: a.Perms, Scheme: a.ID.Scheme, ID: a.ID.ID})
	}
	switch owner := n.stat.EphemeralOwner; kindOf(owner) {
	case ownerSession:
		ns.Mode, ns.Owner = ModeEphemeral, SessionID(owner)
	case ownerContainer:
		ns.Mode = ModeContainer
	case ownerTTL:
		ns.Mode, ns.TTLMs = ModeTTL, ttlOf(owner)
	}
	return ns
}

// watchStates lists the watches by session, path and kind.
func (s *Server) watchStates() []WatchState {
	var out []WatchState
	add := func(m *watchManager, std string) {
		for path, ws := range m.table {
			for c, mode := range ws {
				if c.sess == nil {
					continue
				}
				kind := std
				switch mode {
				case modePersistent:
					kind = "persistent"
				case modeRecursive:
					kind = "persistentRecursive"
				}
				out = append(out, WatchState{Path: path, Session: SessionID(c.sess.id), Kind: kind})
			}
		}
	}
	add(s.dataWatches, "data")
	add(s.childWatches, "child")
	slices.SortFunc(out, func(a, b WatchState) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		if a.Session != b.Session {
			if a.Session < b.Session {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Kind, b.Kind)
	})
	// 3.8 registers persistent watches in both managers: list them once.
	return slices.Compact(out)
}

// WriteSnapshot writes Dump as indented JSON (the format of Snapshot).
func (s *Server) WriteSnapshot(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s.Dump()); err != nil {
		return fmt.Errorf("testserver: write snapshot: %w", err)
	}
	return nil
}

// ReadSnapshot reads a snapshot written by WriteSnapshot (or by hand, see
// Snapshot) and checks its format; WithSnapshot checks the rest when the
// server starts.
func ReadSnapshot(r io.Reader) (*Snapshot, error) {
	var snap Snapshot
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&snap); err != nil {
		return nil, fmt.Errorf("testserver: read snapshot: %w", err)
	}
	if snap.Format != SnapshotFormat {
		return nil, fmt.Errorf("testserver: read snapshot: format %q, want %q", snap.Format, SnapshotFormat)
	}
	return &snap, nil
}
