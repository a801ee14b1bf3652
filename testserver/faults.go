package testserver

import (
	"time"
)

// DropConnections closes every client connection now, as a network failure
// would. Sessions stay alive: clients can reconnect and re-attach within
// their session timeout. It returns the number of connections closed.
func (s *Server) DropConnections() int {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return 0
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		if !c.isClosed() {
			conns = append(conns, c)
		}
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.abort()
	}
	return len(conns)
}

// DropSession closes the connection of one session; the session stays
// alive. It reports whether the session had a connection.
func (s *Server) DropSession(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessions[id]
	if s.closed || sess == nil || sess.conn == nil {
		return false
	}
	sess.conn.abort()
	return true
}

// ExpireSession expires a session now, as if its timeout had passed: its
// ephemeral nodes are deleted (watches fire) and its connection is closed.
// A later re-attach gets the expired handshake (timeout 0, session id 0).
// It reports whether the session existed.
func (s *Server) ExpireSession(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessions[id]
	if s.closed || sess == nil {
		return false
	}
	s.expireSessionLocked(sess)
	return true
}

// Stall makes the server unresponsive for d: connections stay open and
// requests are read and applied, but nothing is answered — replies,
// watch events and pings are queued and sent, in order, when the stall
// ends. Requests (pings included) still count as heard from a session, so
// the stall itself expires no session. Stall(0) ends a stall early.
func (s *Server) Stall(d time.Duration) {
	s.stallUntil.Store(time.Now().Add(d).UnixNano())
	s.signalFault()
}

// SetLatency delays every reply and event by d (order preserved) until it
// is set back to 0.
func (s *Server) SetLatency(d time.Duration) {
	if d < 0 {
		d = 0
	}
	s.latency.Store(int64(d))
	s.signalFault()
}

// RejectConnections makes the server close new TCP connections at once for
// d. Existing connections are not affected.
func (s *Server) RejectConnections(d time.Duration) {
	s.mu.Lock()
	s.rejectUntil = time.Now().Add(d)
	s.mu.Unlock()
}

// DropAfterApply arms a one-shot fault: the next request with opcode op
// (from any client) is applied, then that client's connection is closed
// without sending the reply — the "did my write happen?" case.
func (s *Server) DropAfterApply(op int32) {
	s.mu.Lock()
	s.dropOp = op
	s.dropArmed = true
	s.mu.Unlock()
}

// Blackhole partitions a session from the server, as a network that drops
// every packet both ways would, while TCP connections stay open: what the
// session's connection sends is dropped unread (so it does not count as
// heard from the session), nothing is sent to it, and a connection that
// tries to re-attach the session gets no handshake reply. The session
// expires by its timeout as usual; its connection is then left open and
// silent, since the client could not hear it close. Heal ends the
// partition. It reports whether the session existed.
func (s *Server) Blackhole(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessions[id]
	if sess == nil {
		return false
	}
	if s.holes == nil {
		s.holes = make(map[int64]bool)
	}
	s.holes[id] = true
	if c := sess.conn; c != nil {
		c.holeID = id
		c.hole.Store(true)
	}
	return true
}

// Heal ends Blackhole for a session: its connections that are still open
// are heard and answered again (a handshake dropped meanwhile stays lost).
func (s *Server) Heal(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.holes, id)
	for c := range s.conns {
		if c.holeID == id {
			c.hole.Store(false)
		}
	}
}
