package conformance

import (
	"fmt"
	"strings"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver/internal/rawclient"
)

// Frequently used ACLs.
var (
	openACL = []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "world", ID: "anyone"}}}
	readACL = []jute.ACL{{Perms: jute.PermRead, ID: jute.Id{Scheme: "world", ID: "anyone"}}}
)

// worldACL is one world:anyone entry with perms.
func worldACL(perms int32) []jute.ACL {
	return []jute.ACL{{Perms: perms, ID: jute.Id{Scheme: "world", ID: "anyone"}}}
}

// data renders node data: null or a quoted string.
func data(b []byte) string {
	if b == nil {
		return "null"
	}
	if len(b) > 32 {
		return fmt.Sprintf("<%d bytes>", len(b))
	}
	return fmt.Sprintf("%q", b)
}

// bytesOf returns s as data; "\x00null" stands for a null buffer.
func bytesOf(s string) []byte {
	if s == nullData {
		return nil
	}
	return []byte(s)
}

// nullData passed as data sends a null buffer.
const nullData = "\x00null"

func aclString(acl []jute.ACL) string {
	parts := make([]string, len(acl))
	for i, a := range acl {
		parts[i] = fmt.Sprintf("%d:%s:%s", a.Perms, a.ID.Scheme, a.ID.ID)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// create sends create (op 1) with the open ACL.
func (s *session) create(path, d string, flags int32) (string, int32) {
	return s.createACL(path, d, flags, openACL)
}

// createACL sends create (op 1).
func (s *session) createACL(path, d string, flags int32, acl []jute.ACL) (string, int32) {
	s.e.t.Helper()
	var resp jute.CreateResponse
	code := s.request(jute.OpCreate, &jute.CreateRequest{Path: path, Data: bytesOf(d), ACL: acl, Flags: flags},
		fmt.Sprintf("create %s flags=%d %s", path, flags, aclString(acl)),
		&resp, func() string { return s.e.norm(resp.Path) })
	return resp.Path, code
}

// create2 sends op (create2, createContainer or createTTL) and logs the
// path and Stat.
func (s *session) create2(op int32, path, d string, flags int32, ttl int64) (string, int32) {
	s.e.t.Helper()
	var req jute.Record = &jute.CreateRequest{Path: path, Data: bytesOf(d), ACL: openACL, Flags: flags}
	desc := fmt.Sprintf("%s %s flags=%d", opName(op), path, flags)
	if op == jute.OpCreateTTL {
		req = &jute.CreateTTLRequest{Path: path, Data: bytesOf(d), ACL: openACL, Flags: flags, TTL: ttl}
		desc += fmt.Sprintf(" ttl=%d", ttl)
	}
	var resp jute.Create2Response
	code := s.request(op, req,
		desc,
		&resp, func() string { return s.e.norm(resp.Path) + " " + s.e.stat(resp.Stat) })
	return resp.Path, code
}

// mk creates persistent nodes with empty data, quietly failing the test if
// one cannot be created (the create is still in the transcript).
func (s *session) mk(paths ...string) {
	s.e.t.Helper()
	for _, p := range paths {
		if _, code := s.create(p, "", jute.FlagPersistent); code != 0 {
			s.e.t.Fatalf("%s: create %s: %s", s.name, p, codeName(code))
		}
	}
}

func (s *session) delete(path string, version int32) int32 {
	s.e.t.Helper()
	h, _, ok := s.call(jute.OpDelete, &jute.DeleteRequest{Path: path, Version: version})
	s.result(fmt.Sprintf("delete %s v=%d", path, version), h, ok, "")
	return h.Err
}

func (s *session) exists(path string, watch bool) (jute.Stat, int32) {
	s.e.t.Helper()
	var resp jute.ExistsResponse
	code := s.request(jute.OpExists, &jute.ExistsRequest{Path: path, Watch: watch},
		fmt.Sprintf("exists %s w=%v", path, watch),
		&resp, func() string { return s.e.stat(resp.Stat) })
	return resp.Stat, code
}

func (s *session) get(path string, watch bool) ([]byte, int32) {
	s.e.t.Helper()
	var resp jute.GetDataResponse
	code := s.request(jute.OpGetData, &jute.GetDataRequest{Path: path, Watch: watch},
		fmt.Sprintf("get %s w=%v", path, watch),
		&resp, func() string { return data(resp.Data) + " " + s.e.stat(resp.Stat) })
	return resp.Data, code
}

func (s *session) set(path, d string, version int32) int32 {
	s.e.t.Helper()
	var resp jute.SetDataResponse
	code := s.request(jute.OpSetData, &jute.SetDataRequest{Path: path, Data: bytesOf(d), Version: version},
		fmt.Sprintf("set %s %s v=%d", path, data(bytesOf(d)), version),
		&resp, func() string { return s.e.stat(resp.Stat) })
	return code
}

func (s *session) getACL(path string) int32 {
	s.e.t.Helper()
	var resp jute.GetACLResponse
	code := s.request(jute.OpGetACL, &jute.GetACLRequest{Path: path},
		"getACL "+path,
		&resp, func() string { return aclString(resp.ACL) + " " + s.e.stat(resp.Stat) })
	return code
}

func (s *session) setACL(path string, acl []jute.ACL, version int32) int32 {
	s.e.t.Helper()
	var resp jute.SetACLResponse
	code := s.request(jute.OpSetACL, &jute.SetACLRequest{Path: path, ACL: acl, Version: version},
		fmt.Sprintf("setACL %s %s v=%d", path, aclString(acl), version),
		&resp, func() string { return s.e.stat(resp.Stat) })
	return code
}

func (s *session) children(path string, watch bool) ([]string, int32) {
	s.e.t.Helper()
	var resp jute.GetChildrenResponse
	code := s.request(jute.OpGetChildren, &jute.GetChildrenRequest{Path: path, Watch: watch},
		fmt.Sprintf("children %s w=%v", path, watch),
		&resp, func() string { return s.e.list(resp.Items) })
	return resp.Items, code
}

func (s *session) children2(path string, watch bool) int32 {
	s.e.t.Helper()
	var resp jute.GetChildren2Response
	code := s.request(jute.OpGetChildren2, &jute.GetChildren2Request{Path: path, Watch: watch},
		fmt.Sprintf("children2 %s w=%v", path, watch),
		&resp, func() string { return s.e.list(resp.Children) + " " + s.e.stat(resp.Stat) })
	return code
}

func (s *session) sync(path string) int32 {
	s.e.t.Helper()
	var resp jute.SyncResponse
	code := s.request(jute.OpSync, &jute.SyncRequest{Path: path},
		"sync "+path,
		&resp, func() string { return s.e.norm(resp.Path) })
	return code
}

// check sends a standalone check (op 13) followed by a ping, and logs every
// reply that comes before the ping's (a 3.8 standalone server does not
// answer a successful check).
func (s *session) check(path string, version int32) {
	s.e.t.Helper()
	s.xid++
	xid := s.xid
	s.send(xid, jute.OpCheck, &jute.CheckVersionRequest{Path: path, Version: version})
	s.send(jute.XidPing, jute.OpPing, nil)
	desc := s.e.norm(fmt.Sprintf("%s check %s v=%d ->", s.name, path, version))
	for {
		f, ok := s.next()
		if !ok {
			s.e.log("%s closed", desc)
			return
		}
		switch f.Header.Xid {
		case jute.XidNotification:
			s.logEvent(f)
			continue
		case jute.XidPing:
			s.e.log("%s (ping)", desc)
			return
		case xid:
			s.e.log("%s %s @%s", desc, codeName(f.Header.Err), s.e.z(f.Header.Zxid))
		default:
			s.e.log("%s unexpected xid %d", desc, f.Header.Xid)
		}
	}
}

func (s *session) allChildren(path string) int32 {
	s.e.t.Helper()
	var resp jute.GetAllChildrenNumberResponse
	code := s.request(jute.OpGetAllChildrenNumber, &jute.GetAllChildrenNumberRequest{Path: path},
		"allChildrenNumber "+path,
		&resp, func() string { return fmt.Sprint(resp.Value) })
	return code
}

func (s *session) ephemerals(prefix string) int32 {
	s.e.t.Helper()
	var resp jute.GetEphemeralsResponse
	code := s.request(jute.OpGetEphemerals, &jute.GetEphemeralsRequest{Path: prefix},
		fmt.Sprintf("getEphemerals %q", prefix),
		&resp, func() string { return s.e.list(resp.Items) })
	return code
}

func (s *session) whoAmI() int32 {
	s.e.t.Helper()
	var resp jute.WhoAmIResponse
	return s.request(jute.OpWhoAmI, nil, "whoAmI", &resp, func() string {
		parts := make([]string, len(resp.ClientInfo))
		for i, ci := range resp.ClientInfo {
			parts[i] = ci.AuthScheme + ":" + ci.User
		}
		return "[" + strings.Join(parts, " ") + "]"
	})
}

func (s *session) addWatch(path string, mode int32) int32 {
	s.e.t.Helper()
	var resp jute.ErrorResponse
	code := s.request(jute.OpAddWatch, &jute.AddWatchRequest{Path: path, Type: mode},
		fmt.Sprintf("addWatch %s mode=%d", path, mode),
		&resp, func() string { return fmt.Sprintf("err=%d", resp.Value) })
	return code
}

// watches sends checkWatches or removeWatches.
func (s *session) watches(op int32, path string, typ int32) int32 {
	s.e.t.Helper()
	h, _, ok := s.call(op, &jute.RemoveWatchesRequest{Path: path, Type: typ})
	s.result(fmt.Sprintf("%s %s type=%d", opName(op), path, typ), h, ok, "")
	return h.Err
}

// setWatches sends setWatches (xid -8) with relativeZxid rel; with
// persistent or recursive paths it sends setWatches2.
func (s *session) setWatches(rel int64, dataW, existW, childW, persistent, recursive []string) {
	s.e.t.Helper()
	dataW, existW, childW = nonNil(dataW), nonNil(existW), nonNil(childW)
	op := int32(jute.OpSetWatches)
	var req jute.Record = &jute.SetWatches{RelativeZxid: rel, DataWatches: dataW, ExistWatches: existW, ChildWatches: childW}
	if persistent != nil || recursive != nil {
		op = jute.OpSetWatches2
		persistent, recursive = nonNil(persistent), nonNil(recursive)
		req = &jute.SetWatches2{RelativeZxid: rel, DataWatches: dataW, ExistWatches: existW, ChildWatches: childW,
			PersistentWatches: persistent, PersistentRecursiveWatches: recursive}
	}
	s.send(jute.XidSetWatches, op, req)
	f, ok := s.await(jute.XidSetWatches)
	s.result(fmt.Sprintf("%s rel=%s", opName(op), s.e.z(rel)), f.Header, ok, "")
}

// auth sends an AuthPacket and logs the reply (or the closed connection).
func (s *session) auth(scheme, cred string) int32 {
	s.e.t.Helper()
	s.send(jute.XidAuth, jute.OpAuth, &jute.AuthPacket{Scheme: scheme, Auth: []byte(cred)})
	f, ok := s.await(jute.XidAuth)
	s.result(fmt.Sprintf("auth %s %s", scheme, cred), f.Header, ok, "")
	return f.Header.Err
}

// raw sends op with a raw body and logs the reply.
func (s *session) raw(op int32, body []byte) {
	s.e.t.Helper()
	s.xid++
	if s.alive {
		_ = s.rc.SendBody(s.xid, op, body) // see send
	}
	f, ok := s.await(s.xid)
	extra := ""
	if ok && f.Header.Err == 0 && len(f.Body) > 0 && len(f.Body) <= 8 {
		extra = fmt.Sprintf("reply=%x", f.Body)
	}
	s.result(fmt.Sprintf("raw op=%d body=%x", op, body), f.Header, ok, extra)
}

// closeSession sends closeSession and waits for the server to close the
// connection.
func (s *session) closeSession() {
	s.e.t.Helper()
	h, _, ok := s.call(jute.OpCloseSession, nil)
	s.result("closeSession", h, ok, "")
	s.ended = true
	s.waitClosed()
}

// waitClosed reads until the server closes the connection, logging what
// comes before.
func (s *session) waitClosed() {
	s.e.t.Helper()
	for s.alive {
		f, ok := s.next()
		if !ok {
			return
		}
		if f.Header.Xid == jute.XidNotification {
			s.logEvent(f)
		} else {
			s.e.log("%s unexpected reply xid=%d err=%s", s.name, f.Header.Xid, codeName(f.Header.Err))
		}
	}
}

// waitEvent reads until one notification arrives and logs it.
func (s *session) waitEvent() {
	s.e.t.Helper()
	for {
		f, ok := s.next()
		if !ok {
			return
		}
		if f.Header.Xid == jute.XidNotification {
			s.logEvent(f)
			return
		}
		s.e.log("%s unexpected reply xid=%d err=%s", s.name, f.Header.Xid, codeName(f.Header.Err))
	}
}

// drop closes the session's TCP connection from the client side; the
// session lives on.
func (s *session) drop() {
	if s.rc != nil {
		_ = s.rc.Close()
	}
	s.alive = false
	s.e.log("%s drop connection", s.name)
}

// reattach opens a new connection to the session (with lastZxid, as a
// client does) and logs the handshake result.
func (s *session) reattach() {
	s.reattachWith(s.passwd, s.lastZxid)
}

// reattachWith re-attaches with a given password and lastZxidSeen.
func (s *session) reattachWith(passwd []byte, lastZxid int64) {
	s.e.t.Helper()
	if s.alive {
		// The old connection is closed by the server when the session
		// moves; stop reading it.
		_ = s.rc.Close()
		s.alive = false
	}
	rc := s.e.dial(rawclient.Options{SessionID: s.id, Passwd: passwd, Timeout: s.timeout, LastZxid: lastZxid})
	if rc == nil {
		s.e.log("%s reattach -> connection closed", s.name)
		return
	}
	resp := rc.Response()
	s.rc, s.alive = rc, true
	if resp.TimeOut <= 0 {
		s.e.log("%s reattach -> expired timeout=%d id=%d", s.name, resp.TimeOut, resp.SessionID)
		s.ended = true
		s.waitClosed()
		return
	}
	same := resp.SessionID == s.id
	s.e.log("%s reattach -> timeout=%d same=%v", s.name, resp.TimeOut, same)
}

// expire ends the session as an expiry does: on the embedded server with
// ExpireSession, on a real one by re-attaching from another connection
// (which closes this one) and closing the session there. Either way the
// session's connection closes and its ephemeral nodes go.
func (s *session) expire() {
	s.e.t.Helper()
	s.e.log("%s expire", s.name)
	if s.e.tgt.kind == kindEmbedded {
		if !s.e.tgt.srv.ExpireSession(s.id) {
			s.e.t.Fatalf("%s: ExpireSession: no such session", s.name)
		}
	} else {
		rc := s.e.dial(rawclient.Options{SessionID: s.id, Passwd: s.passwd, Timeout: s.timeout})
		if rc == nil || rc.SessionID() != s.id {
			s.e.t.Fatalf("%s: re-attach to expire failed", s.name)
		}
		if _, err := rc.CloseSession(s.e.t.Context(), 1); err != nil {
			s.e.t.Fatalf("%s: closeSession: %v", s.name, err)
		}
	}
	s.ended = true
	s.waitClosed()
}

// opName names an opcode in transcripts.
func opName(op int32) string {
	switch op {
	case jute.OpCreate:
		return "create"
	case jute.OpCreate2:
		return "create2"
	case jute.OpCreateContainer:
		return "createContainer"
	case jute.OpCreateTTL:
		return "createTTL"
	case jute.OpDelete:
		return "delete"
	case jute.OpSetData:
		return "setData"
	case jute.OpCheck:
		return "check"
	case jute.OpGetData:
		return "getData"
	case jute.OpGetChildren:
		return "getChildren"
	case jute.OpCheckWatches:
		return "checkWatches"
	case jute.OpRemoveWatches:
		return "removeWatches"
	case jute.OpSetWatches:
		return "setWatches"
	case jute.OpSetWatches2:
		return "setWatches2"
	case jute.OpMulti:
		return "multi"
	case jute.OpMultiRead:
		return "multiRead"
	case jute.OpError:
		return "error"
	}
	return fmt.Sprintf("op%d", op)
}

// nonNil returns l, or an empty list for nil (clients never send null
// lists).
func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
