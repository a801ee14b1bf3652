package testserver

import (
	"crypto/rand"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/zkcurator/zkcurator/jute"
)

// session is one client session. Guarded by Server.mu.
type session struct {
	id        int64
	passwd    []byte
	timeout   time.Duration // negotiated by the last (re)attach
	lastHeard time.Time     // last request or (re)attach
	conn      *conn         // attached connection, nil while disconnected
}

func (s *session) expired(now time.Time) bool {
	return now.Sub(s.lastHeard) >= s.timeout
}

// initialSessionID is SessionTrackerImpl.initializeNextSessionId: the high
// byte is the server id (1 for a standalone server), the rest the current
// time in ms shifted left by 16 bits, leaving room for a counter.
func initialSessionID(serverID int64, now time.Time) int64 {
	ms := now.UnixMilli()
	next := int64(uint64(ms<<24) >> 8)
	next |= serverID << 56
	if next == containerOwner {
		next++
	}
	return next
}

// newSessionLocked creates and registers a session. It is a transaction,
// as createSession is in ZooKeeper: it consumes a zxid.
func (s *Server) newSessionLocked(timeout time.Duration, now time.Time) *session {
	id := s.nextSessionID
	s.nextSessionID++
	for id == 0 || id == containerOwner || s.sessions[id] != nil {
		id = s.nextSessionID
		s.nextSessionID++
	}
	passwd := make([]byte, jute.PasswordLen)
	_, _ = rand.Read(passwd)
	sess := &session{id: id, passwd: passwd, timeout: timeout, lastHeard: now}
	s.sessions[id] = sess
	s.zxid++
	s.log.Debug("session created", "session", hexID(id), "timeout", timeout)
	return sess
}

// killSessionLocked ends a session as a closeSession transaction does: one
// zxid, its ephemeral nodes deleted (watches fire), the session forgotten.
// Its connection, if any, is left to the caller.
func (s *Server) killSessionLocked(sess *session) {
	s.zxid++
	zxid := s.zxid
	// PrepRequestProcessor lists the paths in the order of a clone of
	// the session's set (getEphemerals); the deletes follow that list.
	for _, p := range s.tree.ephemeralsOf(sess.id) {
		s.deleteNodeLocked(p, zxid)
	}
	delete(s.tree.ephemerals, sess.id)
	delete(s.sessions, sess.id)
}

// expireSessionLocked expires a session now: closeSession transaction, then
// its connection is closed without a reply.
func (s *Server) expireSessionLocked(sess *session) {
	s.log.Debug("session expired", "session", hexID(sess.id))
	c := sess.conn
	sess.conn = nil
	s.killSessionLocked(sess)
	if c != nil && !c.hole.Load() {
		c.abort() // a blackholed client cannot hear the close either
	}
}

// clampTimeout negotiates a session timeout from a requested one (ms).
func (s *Server) clampTimeout(requested int32) time.Duration {
	d := time.Duration(requested) * time.Millisecond
	if d < s.minTimeout {
		d = s.minTimeout
	}
	if d > s.maxTimeout {
		d = s.maxTimeout
	}
	return d
}

// tickLocked runs session expiry and container/TTL reaping at once (the
// server's loop runs them on their own intervals).
func (s *Server) tickLocked(now time.Time) {
	s.expireSessionsLocked(now)
	s.reapLocked(now)
}

// expireSessionsLocked expires the sessions not heard from within their
// timeout; it runs once per tick.
func (s *Server) expireSessionsLocked(now time.Time) {
	var expired []*session
	for _, sess := range s.sessions {
		if sess.expired(now) {
			expired = append(expired, sess)
		}
	}
	sort.Slice(expired, func(i, j int) bool { return expired[i].id < expired[j].id })
	for _, sess := range expired {
		s.expireSessionLocked(sess)
	}
}

// reapLocked deletes empty containers that once had a child and TTL nodes
// without children not modified for their TTL, like ContainerManager, one
// deleteContainer transaction (zxid) per node. It runs every container
// check interval.
func (s *Server) reapLocked(now time.Time) {
	// ContainerManager.getCandidates collects into a HashSet<String>():
	// containers first, then TTL nodes, each from a ConcurrentHashMap key
	// set, whose order is approximated here by sorting.
	candidates := newJavaSet(0)
	for _, p := range slices.Sorted(maps.Keys(s.tree.containers)) {
		n := s.tree.nodes[p]
		if n != nil && n.numChildren() == 0 && n.stat.Cversion > 0 {
			candidates.Add(p)
		}
	}
	nowMs := now.UnixMilli()
	for _, p := range slices.Sorted(maps.Keys(s.tree.ttls)) {
		n := s.tree.nodes[p]
		if n == nil || n.numChildren() != 0 {
			continue
		}
		if ttl := ttlOf(n.stat.EphemeralOwner); ttl != 0 && nowMs-n.stat.Mtime > ttl {
			candidates.Add(p)
		}
	}
	for _, p := range candidates.List() {
		s.zxid++
		s.deleteNodeLocked(p, s.zxid)
	}
}
