package conformance

import (
	"strings"
	"time"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver/internal/rawclient"
)

// edgeScenarios cover corners of the protocol: pipelining, odd xids,
// trailing bytes, frame limits, requests after closeSession, paths with
// unusual characters.
var edgeScenarios = []scenario{
	{"edge_pipelined_requests", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		// Three requests in one write; replies come back in order.
		var b []byte
		for i, op := range []struct {
			op  int32
			rec jute.Record
		}{
			{jute.OpCreate, &jute.CreateRequest{Path: e.p("x"), ACL: openACL}},
			{jute.OpSetData, &jute.SetDataRequest{Path: e.p("x"), Data: []byte("d"), Version: -1}},
			{jute.OpGetData, &jute.GetDataRequest{Path: e.p("x")}},
		} {
			var start int
			b, start = jute.BeginFrame(b)
			h := jute.RequestHeader{Xid: a.xid + int32(i) + 1, Type: op.op}
			b = op.rec.Encode(h.Encode(b))
			b = jute.EndFrame(b, start)
		}
		_ = a.rc.SendRaw(b)
		for i := 0; i < 3; i++ {
			a.xid++
			f, ok := a.await(a.xid)
			a.result("pipelined", f.Header, ok, "")
		}
	}},
	{"edge_odd_xids", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		for _, xid := range []int32{0, -3, 1 << 30, -100} {
			a.send(xid, jute.OpExists, &jute.ExistsRequest{Path: e.p("")})
			f, ok := a.await(xid)
			a.result("exists with odd xid", f.Header, ok, "")
		}
		// A ping with a normal xid is answered with xid -2.
		a.send(77, jute.OpPing, nil)
		f, ok := a.await(jute.XidPing)
		a.result("ping xid 77", f.Header, ok, "")
	}},
	{"edge_trailing_bytes", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		body := (&jute.GetDataRequest{Path: e.p("")}).Encode(nil)
		a.raw(jute.OpGetData, append(body, 1, 2, 3, 4, 5))
		a.raw(jute.OpExists, append((&jute.ExistsRequest{Path: e.p("")}).Encode(nil), 0xff))
	}},
	{"edge_frame_limit", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.mk(e.p(""))
		a.create(e.p("near"), strings.Repeat("n", 1_000_000), persistent)
		b.create(e.p("over"), strings.Repeat("o", jute.DefaultMaxBuffer+10), persistent)
		a.exists(e.p("over"), false)
	}},
	{"edge_read_only_flag", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		// A connect request asking for read-only mode on a standalone
		// server: the session is a normal read-write one.
		rc := e.dial(rawclient.Options{ReadOnly: true})
		if rc == nil {
			e.log("read-only handshake refused")
			return
		}
		resp := rc.Response()
		ro := &session{e: e, name: "ro", rc: rc, id: resp.SessionID, passwd: resp.Passwd, alive: true, timeout: 10 * time.Second}
		e.names[ro.id] = "ro"
		e.sess = append(e.sess, ro)
		e.log("ro open timeout=%d ro=%v", resp.TimeOut, resp.ReadOnly)
		ro.create(e.p("x"), "", ephemeral)
		ro.exists(e.p("x"), false)
	}},
	{"edge_control_char_paths", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create(e.p("tab\tname"), "", persistent)
		a.create(e.p("bell\x07"), "", persistent)
		a.create(e.p("del\x7f"), "", persistent)
		a.create(e.p("c1\u0085"), "", persistent)
		a.create(e.p("bom\ufeff"), "", persistent)
		a.create(e.p("private\ue000"), "", persistent)
		a.create(e.p("space name"), "", persistent)
		a.children(e.p(""), false)
	}},
	{"edge_zookeeper_subtree", func(e *env) {
		a := e.open("a")
		// Nothing here may change the shared real server's /zookeeper for
		// good: other scenarios read its Stat.
		a.create("/zookeeper/quota/x", "", persistent)
		a.children("/zookeeper/quota", false)
		a.delete("/zookeeper/quota/x", anyVersion)
		a.getACL("/zookeeper/config")
		a.set("/zookeeper", "x", 99)
		a.set("/zookeeper/config", "x", anyVersion)
	}},
	{"edge_negative_versions", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.set(e.p(""), "x", -2)
		a.delete(e.p(""), -2)
		a.setACL(e.p(""), openACL, -2)
		a.multi(mCheck(e.p(""), -2))
	}},
	{"edge_set_acl_no_event", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.get(e.p("x"), true)
		w.children(e.p(""), true)
		a.setACL(e.p("x"), readACL, anyVersion)
		w.flush()
		a.delete(e.p("x"), anyVersion)
		w.flush()
	}},
	{"edge_multi_read_watch_flag", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.multiRead(mop{jute.OpGetData, &jute.GetDataRequest{Path: e.p("x"), Watch: true}},
			mop{jute.OpGetChildren, &jute.GetChildrenRequest{Path: e.p(""), Watch: true}})
		a.set(e.p("x"), "1", anyVersion)
		a.mk(e.p("y"))
		w.flush()
	}},
	{"edge_read_invalid_paths", func(e *env) {
		a := e.open("a")
		a.exists("relative", true)
		a.sync("relative")
		a.getACL("/zookeeper/config")
		a.watches(jute.OpCheckWatches, "relative", watchData)
		a.watches(jute.OpCheckWatches, "", watchAnyType)
		a.watches(jute.OpRemoveWatches, "relative", watchData)
		a.watches(jute.OpRemoveWatches, "relative", watchData)
		a.addWatch("relative", modePersist)
		a.allChildren("relative")
	}},
	{"edge_delete_container_with_children", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create2(jute.OpCreateContainer, e.p("c"), "", container, 0)
		a.mk(e.p("c/x"))
		a.delete(e.p("c"), anyVersion)
		a.multi(mDelete(e.p("c/x"), anyVersion), mDelete(e.p("c"), anyVersion))
		a.exists(e.p("c"), false)
	}},
	{"edge_recursive_multi_subtree_delete", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("t"), e.p("t/a"), e.p("t/a/b"))
		w.addWatch(e.p("t"), modeRecurse)
		w.children(e.p("t"), true)
		w.get(e.p("t/a/b"), true)
		a.multi(mDelete(e.p("t/a/b"), anyVersion), mDelete(e.p("t/a"), anyVersion), mDelete(e.p("t"), anyVersion))
		w.flush()
	}},
	{"edge_persistent_recreate", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		w.addWatch(e.p("x"), modePersist)
		for i := 0; i < 2; i++ {
			a.mk(e.p("x"))
			a.delete(e.p("x"), anyVersion)
		}
		w.watches(jute.OpCheckWatches, e.p("x"), watchChild)
		w.flush()
	}},
	{"edge_auth_with_normal_xid", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.xid++
		a.send(a.xid, jute.OpAuth, &jute.AuthPacket{Scheme: "digest", Auth: []byte(alice)})
		f, ok := a.await(a.xid)
		a.result("auth with xid", f.Header, ok, "")
		a.whoAmI()
	}},
	{"edge_sasl_op", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.raw(jute.OpSASL, jute.AppendBuffer(nil, []byte("token")))
		a.raw(jute.OpSASL, nil)
		a.get(e.p(""), false)
	}},
	{"edge_delete_container_op", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create2(jute.OpCreateContainer, e.p("c"), "", container, 0)
		a.mk(e.p("c/x"), e.p("p"))
		a.raw(jute.OpDeleteContainer, (&jute.PathRecord{Path: e.p("c")}).Encode(nil))
		a.raw(jute.OpDeleteContainer, []byte(e.p("c")))
		a.raw(jute.OpDeleteContainer, []byte(e.p("c/x")))
		a.raw(jute.OpDeleteContainer, []byte(e.p("c")))
		a.raw(jute.OpDeleteContainer, []byte(e.p("p")))
		a.raw(jute.OpDeleteContainer, []byte(e.p("missing")))
		a.raw(jute.OpDeleteContainer, []byte("bad"))
		a.raw(jute.OpDeleteContainer, nil)
		a.children(e.p(""), false)
	}},
}
