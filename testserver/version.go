package testserver

import (
	"fmt"

	"github.com/zkcurator/zkcurator/jute"
)

// versionList names the releases WithVersion and SetVersion accept.
const versionList = "3.5, 3.6, 3.7, 3.8 or 3.9"

// versionInfo describes an emulated server release.
type versionInfo struct {
	full  string // reported by srvr/stat/mntr
	minor int    // 5 .. 9
}

// parseVersion maps "3.5".."3.9" ("" is the default 3.8) to the release
// emulated: the last patch release of each line the project knows, and
// 3.8.0 for 3.8 (the Debian package the conformance suite compares with).
func parseVersion(v string) (versionInfo, bool) {
	switch v {
	case "3.5":
		return versionInfo{full: "3.5.10", minor: 5}, true
	case "3.6":
		return versionInfo{full: "3.6.4", minor: 6}, true
	case "3.7":
		return versionInfo{full: "3.7.2", minor: 7}, true
	case "3.8", "":
		return versionInfo{full: "3.8.0", minor: 8}, true
	case "3.9":
		return versionInfo{full: "3.9.3", minor: 9}, true
	}
	return versionInfo{}, false
}

// hasOps reports whether the release accepts op from a client, per that
// release's Request.isValid: 3.6 added getAllChildrenNumber,
// getEphemerals, multiRead, setWatches2 and addWatch; 3.7 added whoAmI;
// 3.8 and 3.9 added none. Ops no release accepts are left to knownOp.
func (v versionInfo) hasOps(op int32) bool {
	switch op {
	case jute.OpMultiRead, jute.OpGetEphemerals, jute.OpGetAllChildrenNumber,
		jute.OpSetWatches2, jute.OpAddWatch:
		return v.minor >= 6
	case jute.OpWhoAmI:
		return v.minor >= 7
	}
	return true
}

// notificationZxid is the zxid a watch notification fired by the current
// transaction carries in its reply header: that transaction's zxid from
// 3.9 on (ZOOKEEPER-4655), -1 before. s.mu is held.
func (s *Server) notificationZxid() int64 {
	if s.ver.minor >= 9 {
		return s.zxid
	}
	return -1
}

// SetVersion switches the emulated release while the server runs, as a
// rolling upgrade or downgrade of the server the sessions are on would:
// the tree, sessions, connections and watches stay; requests from now on
// are answered as v would (see WithVersion). A persistent watch already
// set stays in effect on a server switched to 3.5, though a real 3.5
// server would have none; a client restoring it with setWatches2 after a
// reconnect is refused as by a real 3.5 server.
func (s *Server) SetVersion(v string) error {
	vi, ok := parseVersion(v)
	if !ok {
		return fmt.Errorf("testserver: unsupported version %q (want %s)", v, versionList)
	}
	s.mu.Lock()
	s.ver = vi
	s.mu.Unlock()
	return nil
}

// Version returns the emulated release, e.g. "3.8.0".
func (s *Server) Version() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ver.full
}
