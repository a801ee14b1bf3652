package testserver

import (
	"sync/atomic"

	"github.com/zkcurator/zkcurator/jute"
)

// roMode is the server's read-only mode (SetReadOnly): a member that lost
// its quorum and runs with readonlymode.enabled=true.
type roMode struct {
	on       atomic.Bool
	sessions map[int64]bool // sessions created while read-only (guarded by Server.mu)
}

// SetReadOnly switches the "quorum lost → read-only" fault on or off.
//
// On, the server behaves like a real member that lost its quorum with
// readonlymode.enabled=true: every connection is closed (the member
// restarts as a ReadOnlyZooKeeperServer); a new connection from a client
// that allows read-only mode gets a new read-only session (the
// ConnectResponse says readOnly), one from a client that does not is
// closed without an answer, and so is the re-attach of a session created
// before (a "global" session: a real read-only server refuses it too, so
// such a client stays disconnected until its session is lost and it starts
// a new, read-only one); reads and watches work, writes
// (create, delete, setData, setACL, multi, check, sync, reconfig) are
// answered NotReadOnly; "isro" answers "ro".
//
// Off (the quorum is back), every connection is closed again (the member
// rejoins as a follower), the sessions created while read-only are gone
// (they were the read-only server's own: re-attaching one is refused as
// expired), and "isro" answers "rw".
func (s *Server) SetReadOnly(on bool) {
	s.mu.Lock()
	if s.closed || s.ro.on.Load() == on {
		s.mu.Unlock()
		return
	}
	s.ro.on.Store(on)
	if on {
		s.ro.sessions = make(map[int64]bool)
	} else {
		for id := range s.ro.sessions {
			if sess := s.sessions[id]; sess != nil {
				sess.conn = nil
				s.killSessionLocked(sess)
			}
		}
		s.ro.sessions = nil
	}
	s.mu.Unlock()
	s.DropConnections()
}

// ReadOnly reports whether the server is in read-only mode.
func (s *Server) ReadOnly() bool { return s.ro.on.Load() }

// readOnlyRefusesLocked reports whether a handshake must be refused: the
// server is read-only and the client did not allow it.
func (s *Server) readOnlyRefusesLocked(clientAllowsRO bool) bool {
	return s.ro.on.Load() && !clientAllowsRO
}

// readOnlyRefusesSessionLocked reports whether re-attaching session id
// must be refused: in read-only mode only the sessions created in it may
// re-attach (ReadOnlyZooKeeperServer refuses "global session reconnection
// in RO mode" and closes the connection).
func (s *Server) readOnlyRefusesSessionLocked(id int64) bool {
	return s.ro.on.Load() && !s.ro.sessions[id]
}

// noteSessionLocked remembers a session created while read-only.
func (s *Server) noteSessionLocked(id int64) {
	if s.ro.on.Load() {
		s.ro.sessions[id] = true
	}
}

// readOnlyRejects reports whether op is refused with NotReadOnly in
// read-only mode (ReadOnlyRequestProcessor's list).
func (s *Server) readOnlyRejects(op int32) bool {
	if !s.ro.on.Load() {
		return false
	}
	switch op {
	case jute.OpSync, jute.OpCreate, jute.OpCreate2, jute.OpCreateTTL, jute.OpCreateContainer,
		jute.OpDelete, jute.OpDeleteContainer, jute.OpSetData, jute.OpReconfig, jute.OpSetACL,
		jute.OpMulti, jute.OpCheck:
		return true
	}
	return false
}

// isroAnswer is the answer to the "isro" four-letter word.
func (s *Server) isroAnswer() string {
	if s.ro.on.Load() {
		return "ro"
	}
	return "rw"
}
