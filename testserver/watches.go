package testserver

import (
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/zk"
)

// watchMode is how a connection watches one path (WatcherMode).
type watchMode uint8

const (
	modeStandard watchMode = iota
	modePersistent
	modeRecursive
)

// watchManager mirrors ZooKeeper 3.8's WatchManager: watches belong to a
// connection, one mode per (connection, path) — a later registration
// replaces the mode, as in 3.8 — and a trigger notifies each connection at
// most once.
type watchManager struct {
	table     map[string]map[*conn]watchMode
	byConn    map[*conn]map[string]struct{}
	recursive int // number of recursive registrations
}

func newWatchManager() *watchManager {
	return &watchManager{
		table:  map[string]map[*conn]watchMode{},
		byConn: map[*conn]map[string]struct{}{},
	}
}

func (m *watchManager) add(path string, c *conn, mode watchMode) {
	ws := m.table[path]
	if ws == nil {
		ws = map[*conn]watchMode{}
		m.table[path] = ws
	}
	if old, ok := ws[c]; ok && old == modeRecursive {
		m.recursive--
	}
	ws[c] = mode
	if mode == modeRecursive {
		m.recursive++
	}
	paths := m.byConn[c]
	if paths == nil {
		paths = map[string]struct{}{}
		m.byConn[c] = paths
	}
	paths[path] = struct{}{}
}

// remove deletes c's watch on path; it reports whether there was one.
func (m *watchManager) remove(path string, c *conn) bool {
	ws := m.table[path]
	mode, ok := ws[c]
	if !ok {
		return false
	}
	if mode == modeRecursive {
		m.recursive--
	}
	delete(ws, c)
	if len(ws) == 0 {
		delete(m.table, path)
	}
	if paths := m.byConn[c]; paths != nil {
		delete(paths, path)
		if len(paths) == 0 {
			delete(m.byConn, c)
		}
	}
	return true
}

// removeConn drops every watch of c.
func (m *watchManager) removeConn(c *conn) {
	for p := range m.byConn[c] {
		ws := m.table[p]
		if ws[c] == modeRecursive {
			m.recursive--
		}
		delete(ws, c)
		if len(ws) == 0 {
			delete(m.table, p)
		}
	}
	delete(m.byConn, c)
}

// contains implements 3.8.0's containsWatcher, which reports true when any
// connection watches exactly path (a quirk of that release).
func (m *watchManager) contains(path string) bool {
	return len(m.table[path]) > 0
}

// trigger fires an event for path: standard and persistent watches on path
// itself, recursive watches on path and its ancestors (except for
// NodeChildrenChanged). Standard watches are removed. Connections in
// suppress are not notified, nor (as in ZooKeeper 3.8.4+, the
// CVE-2024-23944 fix in NIOServerCnxn.process) connections without READ on
// acl: the ACL of the node the event is about (for NodeChildrenChanged the
// parent's, for NodeDeleted the one the node had). A filtered standard
// watch is still used up, as in ZooKeeper. It returns the set of
// connections that matched, filtered or not. Caller holds Server.mu.
func (m *watchManager) trigger(path string, typ int32, acl []jute.ACL, suppress map[*conn]struct{}) map[*conn]struct{} {
	var hit map[*conn]struct{}
	add := func(c *conn) {
		if hit == nil {
			hit = map[*conn]struct{}{}
		}
		hit[c] = struct{}{}
	}
	local := path
	atParent := false
	for {
		if ws := m.table[local]; len(ws) > 0 {
			for c, mode := range ws {
				switch {
				case mode == modeRecursive:
					if typ != jute.EventNodeChildrenChanged {
						add(c)
					}
				case !atParent:
					add(c)
					if mode == modeStandard {
						delete(ws, c)
						if paths := m.byConn[c]; paths != nil {
							delete(paths, local)
							if len(paths) == 0 {
								delete(m.byConn, c)
							}
						}
					}
				}
			}
			if len(ws) == 0 {
				delete(m.table, local)
			}
		}
		if m.recursive == 0 || local == "/" {
			break
		}
		local = zk.ParentPath(local)
		atParent = true
	}
	for c := range hit {
		if _, skip := suppress[c]; skip {
			continue
		}
		if !checkACL(acl, jute.PermRead, c.auth) {
			continue // filtered by ACL
		}
		c.sendEvent(typ, path, c.s.notificationZxid())
	}
	return hit
}

// size returns the number of (connection, path) watch registrations.
func (m *watchManager) size() int {
	n := 0
	for _, ws := range m.table {
		n += len(ws)
	}
	return n
}
