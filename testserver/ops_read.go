package testserver

import (
	"strings"

	"github.com/zkcurator/zkcurator/jute"
)

// The read handlers (non-transactional ops): no zxid is taken. Each gets
// its request body already decoded (see withBody in ops_table.go).

func (s *Server) opSync(_ request, req *jute.SyncRequest) (int32, jute.Record) {
	return 0, &jute.SyncResponse{Path: req.Path}
}

func (s *Server) opExists(r request, req *jute.ExistsRequest) (int32, jute.Record) {
	if strings.IndexByte(req.Path, 0) >= 0 {
		return jute.ErrBadArguments, nil
	}
	if req.Watch {
		s.dataWatches.add(req.Path, r.c, modeStandard)
	}
	n := s.tree.get(req.Path)
	if n == nil {
		return jute.ErrNoNode, nil
	}
	return 0, &jute.ExistsResponse{Stat: n.copyStat()}
}

func (s *Server) opGetData(r request, req *jute.GetDataRequest) (int32, jute.Record) {
	return s.getData(r.c, req.Path, req.Watch)
}

// opGetChildren answers getChildren and getChildren2 (which adds the Stat).
func (s *Server) opGetChildren(r request, req *jute.GetChildrenRequest) (int32, jute.Record) {
	n, code := s.lookup(r.c, req.Path, jute.PermRead)
	if n == nil {
		return code, nil
	}
	if req.Watch {
		s.childWatches.add(req.Path, r.c, modeStandard)
	}
	if r.op == jute.OpGetChildren {
		return 0, &jute.GetChildrenResponse{Items: n.childList()}
	}
	return 0, &jute.GetChildren2Response{Children: n.childList(), Stat: n.copyStat()}
}

func (s *Server) opGetACL(r request, req *jute.GetACLRequest) (int32, jute.Record) {
	n, code := s.lookup(r.c, req.Path, jute.PermRead|jute.PermAdmin)
	if n == nil {
		return code, nil
	}
	acl := n.acl
	if !checkACL(n.acl, jute.PermAdmin, r.c.auth) {
		acl = maskDigests(acl)
	}
	return 0, &jute.GetACLResponse{ACL: acl, Stat: n.copyStat()}
}

func (s *Server) opGetAllChildrenNumber(r request, req *jute.GetAllChildrenNumberRequest) (int32, jute.Record) {
	if n, code := s.lookup(r.c, req.Path, jute.PermRead); n == nil {
		return code, nil
	}
	return 0, &jute.GetAllChildrenNumberResponse{Value: s.tree.countDescendants(req.Path)}
}

func (s *Server) opGetEphemerals(r request, req *jute.GetEphemeralsRequest) (int32, jute.Record) {
	all := s.tree.ephemeralsOf(r.c.sess.id)
	prefix := strings.TrimSpace(req.Path)
	out := make([]string, 0, len(all))
	for _, p := range all {
		if prefix == "" || prefix == "/" || strings.HasPrefix(p, req.Path) {
			out = append(out, p)
		}
	}
	return 0, &jute.GetEphemeralsResponse{Items: out}
}

// opWhoAmI has no request body.
func (s *Server) opWhoAmI(r request) (int32, jute.Record) {
	return 0, &jute.WhoAmIResponse{ClientInfo: clientInfos(r.c.auth)}
}

func (s *Server) opAddWatch(r request, req *jute.AddWatchRequest) (int32, jute.Record) {
	var mode watchMode
	switch req.Type {
	case jute.AddWatchPersistent:
		mode = modePersistent
	case jute.AddWatchPersistentRecursive:
		mode = modeRecursive
	default:
		return jute.ErrMarshallingError, nil
	}
	// 3.8.0 registers both kinds in both managers.
	s.dataWatches.add(req.Path, r.c, mode)
	s.childWatches.add(req.Path, r.c, mode)
	return 0, &jute.ErrorResponse{Value: 0}
}

// opCheckWatches answers checkWatches and removeWatches (same body).
func (s *Server) opCheckWatches(r request, req *jute.CheckWatchesRequest) (int32, jute.Record) {
	var mgrs []*watchManager
	switch req.Type {
	case jute.WatcherChildren:
		mgrs = []*watchManager{s.childWatches}
	case jute.WatcherData:
		mgrs = []*watchManager{s.dataWatches}
	case jute.WatcherAny:
		mgrs = []*watchManager{s.childWatches, s.dataWatches}
	default:
		return jute.ErrMarshallingError, nil
	}
	if r.op == jute.OpCheckWatches && req.Path != "" && !strings.Contains(req.Path, "/") {
		// 3.8's containsWatcher walks the path's parents and throws
		// on a path without a slash: the server answers
		// MarshallingError.
		return jute.ErrMarshallingError, nil
	}
	found := false
	for _, m := range mgrs {
		if r.op == jute.OpCheckWatches {
			found = m.contains(req.Path) || found
		} else {
			found = m.remove(req.Path, r.c) || found
		}
	}
	if !found {
		return jute.ErrNoWatcher, nil
	}
	return 0, nil
}

// opSetWatches answers the pre-3.6 setWatches, without persistent watches.
func (s *Server) opSetWatches(r request, sw *jute.SetWatches) (int32, jute.Record) {
	return s.opSetWatches2(r, &jute.SetWatches2{RelativeZxid: sw.RelativeZxid, DataWatches: sw.DataWatches,
		ExistWatches: sw.ExistWatches, ChildWatches: sw.ChildWatches})
}

func (s *Server) opSetWatches2(r request, req *jute.SetWatches2) (int32, jute.Record) {
	s.setWatchesLocked(r.c, req)
	return 0, nil
}

// lookup returns the node at path if c may access it with perm (any of
// its bits), else nil and the error code: NoNode, or NoAuth.
func (s *Server) lookup(c *conn, path string, perm int32) (*node, int32) {
	n := s.tree.get(path)
	if n == nil {
		return nil, jute.ErrNoNode
	}
	if !checkACL(n.acl, perm, c.auth) {
		return nil, jute.ErrNoAuth
	}
	return n, 0
}

func (s *Server) getData(c *conn, path string, watch bool) (int32, jute.Record) {
	n, code := s.lookup(c, path, jute.PermRead)
	if n == nil {
		return code, nil
	}
	if watch {
		s.dataWatches.add(path, c, modeStandard)
	}
	return 0, &jute.GetDataResponse{Data: n.data, Stat: n.copyStat()}
}

// setWatchesLocked re-registers watches after a reconnect, firing at once
// the events the client missed since relativeZxid (DataTree.setWatches).
// Those immediate events are not checked against READ: 3.8.4's
// DataTree.setWatches and Debian's patched 3.8.0 send them unchecked (the
// watch_acl_set_watches_unreadable scenario); the watches it restores are
// checked when they fire, like any other.
func (s *Server) setWatchesLocked(c *conn, req *jute.SetWatches2) {
	rel := req.RelativeZxid
	dataZxid := func(n *node) int64 { return n.stat.Mzxid }
	s.rearmLocked(c, req.DataWatches, s.dataWatches, dataZxid, rel, jute.EventNodeDataChanged)
	for _, p := range req.ExistWatches {
		if s.tree.get(p) != nil {
			c.sendEvent(jute.EventNodeCreated, p, -1)
		} else {
			s.dataWatches.add(p, c, modeStandard)
		}
	}
	childZxid := func(n *node) int64 { return n.stat.Pzxid }
	s.rearmLocked(c, req.ChildWatches, s.childWatches, childZxid, rel, jute.EventNodeChildrenChanged)
	for _, p := range req.PersistentWatches {
		s.childWatches.add(p, c, modePersistent)
		s.dataWatches.add(p, c, modePersistent)
	}
	for _, p := range req.PersistentRecursiveWatches {
		s.childWatches.add(p, c, modeRecursive)
		s.dataWatches.add(p, c, modeRecursive)
	}
}

// rearmLocked re-registers the one-shot data or child watches on paths in
// m, or fires at once the event the client missed: NodeDeleted for a node
// that is gone, changed for a node whose zxid (Mzxid for data, Pzxid for
// children) is past rel.
func (s *Server) rearmLocked(c *conn, paths []string, m *watchManager, zxid func(*node) int64, rel int64, changed int32) {
	for _, p := range paths {
		switch n := s.tree.get(p); {
		case n == nil:
			c.sendEvent(jute.EventNodeDeleted, p, -1)
		case zxid(n) > rel:
			c.sendEvent(changed, p, -1)
		default:
			m.add(p, c, modeStandard)
		}
	}
}
