package conformance

import (
	"fmt"
	"time"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver/internal/rawclient"
)

// watchACLScenarios cover the READ check on watch events (ZooKeeper 3.8.4+,
// CVE-2024-23944; Debian's 3.8.0-11+deb12u2 carries the fix): an event is
// delivered only to a watcher with READ on the node it is about (the
// parent's ACL for NodeChildrenChanged, the deleted node's own ACL for
// NodeDeleted). The watcher "w" is unauthenticated; "o" is alice, who may
// read everything here.
var watchACLScenarios = []scenario{
	{"watch_acl_exists_unreadable", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		o := e.open("o")
		a.auth("digest", alice)
		o.auth("digest", alice)
		a.mk(e.p(""))
		a.createACL(e.p("x"), "secret", persistent, digestACL(jute.PermAll, alice))
		// exists needs no READ: the watch is set, its events are not sent.
		w.exists(e.p("x"), true)
		o.exists(e.p("x"), true)
		a.set(e.p("x"), "1", anyVersion)
		w.flush()
		o.flush()
		// The filtered standard watch was used up all the same.
		a.setACL(e.p("x"), openACL, anyVersion)
		a.set(e.p("x"), "2", anyVersion)
		w.flush()
		// A node created unreadable: no NodeCreated for w.
		w.exists(e.p("y"), true)
		o.exists(e.p("y"), true)
		a.createACL(e.p("y"), "", persistent, digestACL(jute.PermAll, alice))
		w.flush()
		o.flush()
		// NodeDeleted is checked against the ACL the node had.
		w.exists(e.p("y"), true)
		o.exists(e.p("y"), true)
		a.delete(e.p("y"), anyVersion)
		w.flush()
		o.flush()
	}},
	{"watch_acl_child_of_readable_parent", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.auth("digest", alice)
		a.mk(e.p(""), e.p("p"))
		// The child event is checked against the readable parent: sent.
		w.children(e.p("p"), true)
		a.createACL(e.p("p/secret"), "", persistent, digestACL(jute.PermAll, alice))
		w.flush()
		w.children(e.p("p"), true)
		w.exists(e.p("p/secret"), true)
		a.delete(e.p("p/secret"), anyVersion)
		w.flush()
		// An unreadable parent hides its child events.
		a.setACL(e.p("p"), digestACL(jute.PermAll, alice), anyVersion)
		w.exists(e.p("p"), true)
		a.mk(e.p("p/c"))
		a.delete(e.p("p/c"), anyVersion)
		a.set(e.p("p"), "", anyVersion)
		w.flush()
	}},
	{"watch_acl_recursive_no_leak", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		o := e.open("o")
		a.auth("digest", alice)
		o.auth("digest", alice)
		a.mk(e.p(""))
		w.addWatch(e.p(""), modeRecurse)
		o.addWatch(e.p(""), modeRecurse)
		a.createACL(e.p("priv"), "", persistent, digestACL(jute.PermAll, alice))
		a.createACL(e.p("priv/bob-is-leaving"), "", persistent, digestACL(jute.PermAll, alice))
		a.set(e.p("priv/bob-is-leaving"), "x", anyVersion)
		a.delete(e.p("priv/bob-is-leaving"), anyVersion)
		a.mk(e.p("pub"))
		w.flush()
		o.flush()
	}},
	{"watch_acl_persistent_unreadable", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.auth("digest", alice)
		a.mk(e.p(""))
		a.createACL(e.p("x"), "", persistent, digestACL(jute.PermAll, alice))
		w.addWatch(e.p("x"), modePersist)
		a.set(e.p("x"), "1", anyVersion)
		a.mk(e.p("x/c"))
		w.flush()
		// Readable again: the persistent watch is still there.
		a.setACL(e.p("x"), openACL, anyVersion)
		a.set(e.p("x"), "2", anyVersion)
		a.mk(e.p("x/d"))
		w.flush()
	}},
	{"watch_acl_set_watches_unreadable", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.auth("digest", alice)
		a.mk(e.p(""))
		a.createACL(e.p("x"), "", persistent, digestACL(jute.PermAll, alice))
		a.createACL(e.p("gone"), "", persistent, digestACL(jute.PermAll, alice))
		a.createACL(e.p("still"), "", persistent, digestACL(jute.PermAll, alice))
		w.exists(e.p("x"), false)
		w.drop()
		a.set(e.p("x"), "changed", anyVersion)
		a.delete(e.p("gone"), anyVersion)
		a.createACL(e.p("born"), "", persistent, digestACL(jute.PermAll, alice))
		a.createACL(e.p("quiet"), "", persistent, digestACL(jute.PermAll, alice))
		w.reattach()
		// Events setWatches answers at once, then watches it restored.
		w.setWatches(w.lastZxid,
			[]string{e.p("x"), e.p("gone"), e.p("quiet"), e.p("still")},
			[]string{e.p("born")}, nil, nil, []string{e.p("")})
		w.flush()
		a.set(e.p("quiet"), "now", anyVersion)
		a.set(e.p("still"), "now", anyVersion) // restored watch: filtered
		a.mk(e.p("open"))
		w.flush()
	}},
}

// securityEdgeScenarios cover requests a hostile or confused client may
// send: IPv6 ip ACLs, createSession as a request.
var securityEdgeScenarios = []scenario{
	{"edge_ip_acl_ipv6_and_java_parsing", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		for i, id := range []string{"::1", "0:0:0:0:0:0:0:1", "fe80::/64", "::ffff:127.0.0.1", "127.0.0.1/33",
			"127.0.0.1/-1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.4/", "127.000.000.001", "127.0.0.1/+8", "+127.0.0.1/08"} {
			a.createACL(e.p(fmt.Sprintf("n%d", i)), "", persistent,
				[]jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "ip", ID: id}}})
		}
		a.createACL(e.p("v4"), "", persistent, openACL)
		a.setACL(e.p("v4"), []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "ip", ID: "::1/128"}}}, anyVersion)
		a.get(e.p("n10"), false)
		a.get(e.p("n11"), false)
	}},
	{"edge_handshake_trailing_bytes", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		for _, o := range []rawclient.Options{
			{Trailing: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9}},
			{ReadOnly: true, Trailing: []byte{0xff}},
		} {
			rc := e.dial(o)
			if rc == nil {
				e.log("handshake with trailing bytes refused")
				continue
			}
			resp := rc.Response()
			e.log("trailing handshake timeout=%d ro=%v granted=%v", resp.TimeOut, resp.ReadOnly, resp.SessionID != 0)
			s := &session{e: e, name: "t", rc: rc, id: resp.SessionID, passwd: resp.Passwd, alive: true, timeout: 10 * time.Second}
			e.names[s.id] = "t"
			e.sess = append(e.sess, s)
			s.create(e.p("t"), "", ephemeral)
			s.closeSession()
		}
	}},
	{"edge_create_session_op", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.createSessionOp(nil)
		a.createSessionOp([]byte{0, 0})
		a.get(e.p(""), false)
		a.createSessionOp([]byte{0, 0, 0x27, 0x10})
		a.get(e.p(""), false)
		a.createSessionOp((&jute.ConnectRequest{TimeOut: 4000, Passwd: make([]byte, 16)}).Encode(nil))
		a.get(e.p(""), false)
	}},
}

// createSessionOp sends createSession (-10) as a request with body and
// logs the answer: a reply, or the bare ConnectResponse frame a 3.8 server
// sends when the body holds a timeout.
func (s *session) createSessionOp(body []byte) {
	s.e.t.Helper()
	s.xid++
	desc := fmt.Sprintf("createSession op body=%x", body)
	if s.alive {
		_ = s.rc.SendBody(s.xid, jute.OpCreateSession, body)
	}
	f, ok := s.next()
	if !ok || f.Header.Xid == s.xid {
		s.result(desc, f.Header, ok, "")
		return
	}
	raw := append(f.Header.Encode(nil), f.Body...)
	var resp jute.ConnectResponse
	if err := jute.Unmarshal(raw, &resp); err != nil {
		s.e.log("%s %s -> frame %x", s.name, desc, raw)
		return
	}
	own := s.rc.Response()
	s.e.log("%s %s -> ConnectResponse timeout=%d ownSession=%v ownPasswd=%v readOnly=%v",
		s.name, desc, resp.TimeOut, resp.SessionID == own.SessionID,
		string(resp.Passwd) == string(own.Passwd), resp.ReadOnly)
}
