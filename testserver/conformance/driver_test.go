package conformance

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/testserver/internal/rawclient"
)

// Kinds of target.
const (
	kindEmbedded = "embedded"
	kindReal     = "real"
)

// waitTimeout bounds every wait for a frame: a reply, an event, a close.
const waitTimeout = 10 * time.Second

// target is the server one run of a scenario talks to.
type target struct {
	kind string
	addr string
	srv  *testserver.Server // embedded only
}

// scenario is one named conformance scenario.
type scenario struct {
	name string
	run  func(e *env)
}

// env runs one scenario against one target and records its transcript.
type env struct {
	t     testing.TB
	tgt   target
	root  string // unique per run; "/R" in the transcript
	lines []string
	sess  []*session
	names map[int64]string // session id -> session name
	base  int64            // the server's zxid when the first session opened
}

// newEnv prepares a run under the root path "/conf-<name>". The path is
// the same on both servers on purpose: a real server orders some sets by
// the hash of the path (the ephemeral nodes a closing session deletes), so
// the embedded one must see the same strings. The real server is fresh for
// each test binary and scenario names are unique, so paths never collide.
func newEnv(t testing.TB, tgt target, name string) *env {
	return &env{
		t:     t,
		tgt:   tgt,
		root:  "/conf-" + name,
		names: map[int64]string{},
		base:  -1,
	}
}

// p returns the absolute path of rel under the scenario's root ("" is the
// root itself).
func (e *env) p(rel string) string {
	if rel == "" {
		return e.root
	}
	return e.root + "/" + rel
}

// log appends a transcript line.
func (e *env) log(format string, args ...any) {
	e.lines = append(e.lines, fmt.Sprintf(format, args...))
}

// norm replaces the scenario's root in s by "/R" and shows a NUL as \0.
func (e *env) norm(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, e.root, "/R"), "\x00", `\0`)
}

// z renders a zxid relative to the scenario's start; 0 and negative values
// are shown as they are.
func (e *env) z(zxid int64) string {
	if zxid <= 0 || e.base < 0 {
		return fmt.Sprint(zxid)
	}
	return fmt.Sprintf("+%d", zxid-e.base)
}

// owner renders an ephemeralOwner: 0, a session name, or "?" for a session
// of no scenario session.
func (e *env) owner(id int64) string {
	if id == 0 {
		return "0"
	}
	if n, ok := e.names[id]; ok {
		return n
	}
	return "?"
}

// stat renders the deterministic fields of a Stat.
func (e *env) stat(st jute.Stat) string {
	return fmt.Sprintf("{v%d cv%d av%d len%d nc%d eo:%s cz%s mz%s pz%s}",
		st.Version, st.Cversion, st.Aversion, st.DataLength, st.NumChildren,
		e.owner(st.EphemeralOwner), e.z(st.Czxid), e.z(st.Mzxid), e.z(st.Pzxid))
}

// list renders a list of node names or paths in the order the server
// sent them: the embedded server must list children and ephemerals in a
// real server's (Java HashSet) order.
func (e *env) list(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = e.norm(s)
	}
	return "[" + strings.Join(out, " ") + "]"
}

// session is one scenario session: a raw connection plus bookkeeping.
type session struct {
	e        *env
	name     string
	rc       *rawclient.Client
	id       int64
	passwd   []byte
	timeout  time.Duration // requested
	xid      int32
	lastZxid int64
	alive    bool // the connection is open as far as the driver knows
	ended    bool // closed or expired: nothing left to clean up
}

// open starts a new session named name with the default timeout.
func (e *env) open(name string) *session { return e.openTimeout(name, 10*time.Second) }

// openTimeout starts a new session requesting timeout, logging the
// negotiated one.
func (e *env) openTimeout(name string, timeout time.Duration) *session {
	e.t.Helper()
	s := &session{e: e, name: name, timeout: timeout}
	rc := e.dial(rawclient.Options{Timeout: timeout})
	if rc == nil {
		e.t.Fatalf("%s: handshake refused", name)
	}
	resp := rc.Response()
	s.rc, s.id, s.passwd, s.alive = rc, resp.SessionID, resp.Passwd, true
	e.names[s.id] = name
	e.sess = append(e.sess, s)
	if e.base < 0 {
		// The ping's reply carries the server's last zxid: the base.
		s.send(jute.XidPing, jute.OpPing, nil)
		f, ok := s.await(jute.XidPing)
		if !ok {
			e.t.Fatalf("%s: closed before the first ping", name)
		}
		e.base = f.Header.Zxid
	}
	e.log("%s open timeout=%d ro=%v", name, resp.TimeOut, resp.ReadOnly)
	return s
}

// dial performs a handshake; nil means the server closed the connection
// instead of answering.
func (e *env) dial(o rawclient.Options) *rawclient.Client {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	rc, err := rawclient.Dial(ctx, e.tgt.addr, o)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			e.t.Fatalf("handshake: %v", err)
		}
		return nil
	}
	return rc
}

// next returns the next frame of s, or false when the connection closed
// (logged once).
func (s *session) next() (rawclient.Frame, bool) {
	s.e.t.Helper()
	if !s.alive {
		return rawclient.Frame{}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	f, err := s.rc.Next(ctx)
	switch {
	case err == nil:
		return f, true
	case errors.Is(err, rawclient.ErrClosed):
		s.alive = false
		_ = s.rc.Close()
		s.e.log("%s closed by server", s.name)
		return f, false
	default:
		s.e.t.Fatalf("%s: no frame within %v", s.name, waitTimeout)
		return f, false
	}
}

// logEvent logs a notification frame.
func (s *session) logEvent(f rawclient.Frame) {
	var ev jute.WatcherEvent
	if err := jute.Unmarshal(f.Body, &ev); err != nil {
		s.e.log("%s <- bad notification: %v", s.name, err)
		return
	}
	line := fmt.Sprintf("%s <- %s %s", s.name, eventName(ev.Type), s.e.norm(ev.Path))
	if ev.State != jute.StateSyncConnected {
		line += fmt.Sprintf(" state=%d", ev.State)
	}
	if f.Header.Zxid != -1 || f.Header.Err != 0 {
		line += fmt.Sprintf(" zxid=%s err=%d", s.e.z(f.Header.Zxid), f.Header.Err)
	}
	s.e.lines = append(s.e.lines, line)
}

// await reads frames until the reply with xid, logging notifications and
// any other reply on the way. It returns false if the connection closed.
func (s *session) await(xid int32) (rawclient.Frame, bool) {
	s.e.t.Helper()
	for {
		f, ok := s.next()
		if !ok {
			return f, false
		}
		switch {
		case f.Header.Xid == jute.XidNotification:
			s.logEvent(f)
		case f.Header.Xid == xid:
			if f.Header.Zxid > s.lastZxid {
				s.lastZxid = f.Header.Zxid
			}
			return f, true
		default:
			s.e.log("%s unexpected reply xid=%d err=%s", s.name, f.Header.Xid, codeName(f.Header.Err))
		}
	}
}

// send writes one request; a write error means the connection is gone.
func (s *session) send(xid, op int32, req jute.Record) {
	if !s.alive {
		return
	}
	// A write error means the server closed the connection, which the
	// next read reports; whether the write fails first is timing.
	_ = s.rc.Send(xid, op, req)
}

// call sends a request with the next xid and waits for its reply. It
// returns the header, the body and false if the connection closed first.
func (s *session) call(op int32, req jute.Record) (jute.ReplyHeader, []byte, bool) {
	s.e.t.Helper()
	s.xid++
	s.send(s.xid, op, req)
	f, ok := s.await(s.xid)
	return f.Header, f.Body, ok
}

// request sends req as op and logs "name desc -> CODE @zxid extra" (see
// result), where extra is what show makes of the reply decoded into resp
// (nothing when the request failed); it returns the reply's error code.
func (s *session) request(op int32, req jute.Record, desc string, resp jute.Record, show func() string) int32 {
	s.e.t.Helper()
	h, body, ok := s.call(op, req)
	extra := ""
	if ok && h.Err == 0 && s.decode(body, resp) {
		extra = show()
	}
	s.result(desc, h, ok, extra)
	return h.Err
}

// result logs "name desc -> CODE @zxid extra" for a reply.
func (s *session) result(desc string, h jute.ReplyHeader, ok bool, extra string) {
	if !ok {
		s.e.log("%s %s -> no reply", s.name, s.e.norm(desc))
		return
	}
	line := fmt.Sprintf("%s %s -> %s @%s", s.name, s.e.norm(desc), codeName(h.Err), s.e.z(h.Zxid))
	if extra != "" {
		line += " " + extra
	}
	s.e.lines = append(s.e.lines, line)
}

// decode unmarshals a reply body, logging a failure.
func (s *session) decode(body []byte, rec jute.Record) bool {
	if err := jute.Unmarshal(body, rec); err != nil {
		s.e.log("%s bad reply body: %v", s.name, err)
		return false
	}
	return true
}

// flush reads every frame the server sent before now (a ping's reply comes
// after them), logging notifications.
func (s *session) flush() {
	s.e.t.Helper()
	if !s.alive {
		return
	}
	s.send(jute.XidPing, jute.OpPing, nil)
	s.await(jute.XidPing)
}

// flushAll flushes every live session, in the order they were opened.
func (e *env) flushAll() {
	e.t.Helper()
	for _, s := range e.sess {
		s.flush()
	}
}

// finish ends the run: flushes every session so late events are in the
// transcript, then returns it.
func (e *env) finish() []string {
	e.t.Helper()
	e.flushAll()
	return e.lines
}

// cleanup ends every session of the run and, on a real server, deletes the
// scenario's nodes, so that nothing of it happens during later scenarios.
// It is not part of the transcript.
func (e *env) cleanup() {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	for _, s := range e.sess {
		if s.ended {
			if s.rc != nil {
				_ = s.rc.Close()
			}
			continue
		}
		if !s.alive {
			if s.rc != nil {
				_ = s.rc.Close()
			}
			rc, err := rawclient.Dial(ctx, e.tgt.addr, rawclient.Options{SessionID: s.id, Passwd: s.passwd, Timeout: s.timeout})
			if err != nil {
				continue
			}
			s.rc = rc
		}
		_, _ = s.rc.CloseSession(ctx, s.xid+1)
	}
	if e.tgt.kind == kindReal {
		deleteTree(ctx, e.tgt.addr, e.root)
	}
}

// deleteTree deletes root and everything below it with a fresh session
// holding every credential the scenarios use.
func deleteTree(ctx context.Context, addr, root string) {
	rc, err := rawclient.Dial(ctx, addr, rawclient.Options{})
	if err != nil {
		return
	}
	defer func() { _, _ = rc.CloseSession(ctx, 1<<30) }()
	var xid int32
	call := func(op int32, req jute.Record, resp jute.Record) int32 {
		xid++
		if rc.Send(xid, op, req) != nil {
			return jute.ErrConnectionLoss
		}
		for {
			f, err := rc.Next(ctx)
			if err != nil {
				return jute.ErrConnectionLoss
			}
			if f.Header.Xid != xid {
				continue
			}
			if f.Header.Err == 0 && resp != nil {
				_ = jute.Unmarshal(f.Body, resp)
			}
			return f.Header.Err
		}
	}
	for _, cred := range credentials {
		_ = rc.Send(jute.XidAuth, jute.OpAuth, &jute.AuthPacket{Scheme: "digest", Auth: []byte(cred)})
	}
	var walk func(p string)
	walk = func(p string) {
		// Open the ACL first (where ADMIN allows) so that children can be
		// listed and deleted.
		call(jute.OpSetACL, &jute.SetACLRequest{Path: p, ACL: openACL, Version: -1}, nil)
		var ch jute.GetChildrenResponse
		if call(jute.OpGetChildren, &jute.GetChildrenRequest{Path: p}, &ch) == 0 {
			for _, c := range ch.Items {
				walk(p + "/" + c)
			}
		}
		call(jute.OpDelete, &jute.DeleteRequest{Path: p, Version: -1}, nil)
	}
	walk(root)
}

// credentials are the digest user:password pairs scenarios authenticate
// with; cleanup uses them to delete protected nodes.
var credentials = []string{"alice:secret", "bob:secret"}

// codeName returns the KeeperException name of an error code.
func codeName(code int32) string {
	if n, ok := codeNames[code]; ok {
		return n
	}
	return fmt.Sprintf("Err%d", code)
}

var codeNames = map[int32]string{
	jute.ErrOK: "OK", jute.ErrSystemError: "SystemError", jute.ErrRuntimeInconsistency: "RuntimeInconsistency",
	jute.ErrDataInconsistency: "DataInconsistency", jute.ErrConnectionLoss: "ConnectionLoss",
	jute.ErrMarshallingError: "MarshallingError", jute.ErrUnimplemented: "Unimplemented",
	jute.ErrOperationTimeout: "OperationTimeout", jute.ErrBadArguments: "BadArguments",
	jute.ErrUnknownSession: "UnknownSession", jute.ErrAPIError: "APIError", jute.ErrNoNode: "NoNode",
	jute.ErrNoAuth: "NoAuth", jute.ErrBadVersion: "BadVersion", jute.ErrNoChildrenForEphemerals: "NoChildrenForEphemerals",
	jute.ErrNodeExists: "NodeExists", jute.ErrNotEmpty: "NotEmpty", jute.ErrSessionExpired: "SessionExpired",
	jute.ErrInvalidCallback: "InvalidCallback", jute.ErrInvalidACL: "InvalidACL", jute.ErrAuthFailed: "AuthFailed",
	jute.ErrSessionMoved: "SessionMoved", jute.ErrNotReadOnly: "NotReadOnly", jute.ErrNoWatcher: "NoWatcher",
	jute.ErrReconfigDisabled: "ReconfigDisabled", jute.ErrQuotaExceeded: "QuotaExceeded", jute.ErrThrottled: "Throttled",
}

// eventName returns the name of a watch event type.
func eventName(typ int32) string {
	switch typ {
	case jute.EventNone:
		return "None"
	case jute.EventNodeCreated:
		return "NodeCreated"
	case jute.EventNodeDeleted:
		return "NodeDeleted"
	case jute.EventNodeDataChanged:
		return "NodeDataChanged"
	case jute.EventNodeChildrenChanged:
		return "NodeChildrenChanged"
	}
	return fmt.Sprintf("Event%d", typ)
}
