package conformance

import (
	"time"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver/internal/rawclient"
)

// lifecycleScenarios cover ephemeral, container and TTL nodes.
var lifecycleScenarios = []scenario{
	{"ephemeral_owner", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.mk(e.p(""))
		a.create(e.p("ea"), "", ephemeral)
		b.create(e.p("eb"), "", ephemeral)
		b.exists(e.p("ea"), false)
		a.exists(e.p("eb"), false)
		a.exists(e.p(""), false)
	}},
	{"ephemeral_deleted_on_close", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.mk(e.p(""))
		a.create(e.p("e1"), "", ephemeral)
		a.create(e.p("s-"), "", ephSeq)
		a.closeSession()
		b.children2(e.p(""), false)
	}},
	{"ephemeral_survives_reconnect", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.mk(e.p(""))
		a.create(e.p("e"), "", ephemeral)
		a.drop()
		b.exists(e.p("e"), false)
		a.reattach()
		a.exists(e.p("e"), false)
		a.ephemerals(e.p(""))
	}},
	{"ephemeral_deleted_on_expire", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		a.create(e.p("e"), "", ephemeral)
		w.exists(e.p("e"), true)
		w.children(e.p(""), true)
		a.expire()
		w.flush()
		w.exists(e.p("e"), false)
		a.reattach()
	}},
	{"ephemeral_delete_and_set_by_other", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.mk(e.p(""))
		a.create(e.p("e"), "", ephemeral)
		b.set(e.p("e"), "b was here", anyVersion)
		b.delete(e.p("e"), anyVersion)
		a.closeSession()
		b.children(e.p(""), false)
	}},
	{"container_stat", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create2(jute.OpCreateContainer, e.p("c"), "d", container, 0)
		a.exists(e.p("c"), false)
		a.mk(e.p("c/x"))
		a.exists(e.p("c"), false)
	}},
	{"container_create_op_mismatch", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create(e.p("c1"), "", container)
		a.create2(jute.OpCreate2, e.p("c2"), "", container, 0)
		a.create2(jute.OpCreateContainer, e.p("c3"), "", persistent, 0)
		a.create2(jute.OpCreateContainer, e.p("c4"), "", persSeq, 0)
		a.children(e.p(""), false)
	}},
	{"container_reaped", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		a.create2(jute.OpCreateContainer, e.p("c"), "", container, 0)
		a.mk(e.p("c/x"))
		w.exists(e.p("c"), true)
		a.delete(e.p("c/x"), anyVersion)
		w.waitEvent()
		w.exists(e.p("c"), false)
	}},
	{"container_ephemeral_child_reaped", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		a.create2(jute.OpCreateContainer, e.p("c"), "", container, 0)
		a.create(e.p("c/lock-"), "", ephSeq)
		w.children(e.p(""), true)
		a.closeSession()
		w.waitEvent()
		w.children(e.p(""), false)
	}},
	{"ttl_create_stat", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create2(jute.OpCreateTTL, e.p("t"), "d", ttlFlag, 3_600_000)
		a.exists(e.p("t"), false)
		a.set(e.p("t"), "e", anyVersion)
	}},
	{"ttl_invalid", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create2(jute.OpCreateTTL, e.p("zero"), "", ttlFlag, 0)
		a.create2(jute.OpCreateTTL, e.p("neg"), "", ttlFlag, -5)
		a.create2(jute.OpCreateTTL, e.p("huge"), "", ttlFlag, 1<<41)
		a.create2(jute.OpCreateTTL, e.p("pers"), "", persistent, 1000)
		a.create2(jute.OpCreateTTL, e.p("eph"), "", ephemeral, 1000)
		a.create2(jute.OpCreate2, e.p("flag"), "", ttlFlag, 0)
		a.children(e.p(""), false)
	}},
	{"ttl_expires", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create2(jute.OpCreateTTL, e.p("t"), "", ttlFlag, 200)
		a.exists(e.p("t"), true)
		a.waitEvent()
	}},
	{"ttl_with_child_kept", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create2(jute.OpCreateTTL, e.p("t"), "", ttlFlag, 200)
		a.mk(e.p("t/c"))
		a.create2(jute.OpCreateTTL, e.p("u"), "", ttlFlag, 200)
		a.exists(e.p("u"), true)
		a.waitEvent() // u goes; t has a child and stays
		a.exists(e.p("t"), false)
	}},
}

// sessionScenarios cover handshakes, re-attaching, closing and expiry.
var sessionScenarios = []scenario{
	{"session_timeout_negotiation", func(e *env) {
		a := e.open("a")
		e.openTimeout("short", time.Millisecond)
		e.openTimeout("long", time.Hour)
		e.openTimeout("mid", 1500*time.Millisecond)
		a.flush()
	}},
	{"session_reattach_same_id", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.drop()
		a.reattach()
		a.get(e.p(""), false)
	}},
	{"session_reattach_moves_connection", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		old := a.rc
		a.alive = false // keep the old connection to see it closed
		a.reattach()
		// The server closes the first connection when the session moves.
		select {
		case <-old.Done():
			e.log("a old connection closed")
		case <-time.After(waitTimeout):
			e.log("a old connection still open")
		}
		_ = old.Close()
		a.get(e.p(""), false)
	}},
	{"session_reattach_bad_password", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		wrong := make([]byte, jute.PasswordLen)
		a.drop()
		a.reattachWith(wrong, 0)
		a.ended = false
		a.reattach()
		a.exists(e.p(""), false)
	}},
	{"session_reattach_after_close", func(e *env) {
		a := e.open("a")
		a.closeSession()
		a.reattach()
	}},
	{"session_reattach_future_zxid", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.drop()
		a.reattachWith(a.passwd, a.lastZxid+1000)
		a.reattach()
		a.exists(e.p(""), false)
	}},
	{"session_close_twice_and_requests_after", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.mk(e.p(""))
		a.create(e.p("e"), "", ephemeral)
		a.closeSession()
		b.exists(e.p("e"), false)
	}},
	{"session_expire_then_reattach", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.mk(e.p(""))
		a.create(e.p("e"), "", ephemeral)
		b.get(e.p("e"), true)
		a.expire()
		b.flush()
		a.reattach()
		b.exists(e.p("e"), false)
	}},
	{"session_times_out", func(e *env) {
		w := e.open("w")
		a := e.openTimeout("a", 400*time.Millisecond)
		w.mk(e.p(""))
		a.create(e.p("e"), "", ephemeral)
		w.exists(e.p("e"), true)
		a.waitClosed() // no pings: the session expires
		w.waitEvent()
		a.ended = true
		a.reattach()
	}},
	{"session_old_client_handshake", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		rc := e.dial(rawclient.Options{NoReadOnlyFlag: true})
		if rc == nil {
			e.log("old client refused")
			return
		}
		resp := rc.Response()
		e.log("old client timeout=%d ro=%v granted=%v", resp.TimeOut, resp.ReadOnly, resp.SessionID != 0)
		old := &session{e: e, name: "old", rc: rc, id: resp.SessionID, passwd: resp.Passwd, alive: true, timeout: 10 * time.Second}
		e.names[old.id] = "old"
		e.sess = append(e.sess, old)
		old.create(e.p("o"), "", ephemeral)
		old.exists(e.p("o"), false)
	}},
	{"session_many_ephemerals_close", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		for i := 0; i < 5; i++ {
			a.create(e.p("e-"), "", ephSeq)
		}
		w.addWatch(e.p(""), modeRecurse)
		a.closeSession()
		w.flush()
	}},
	{"session_close_deletion_order", func(e *env) {
		// ZooKeeper deletes a closing session's ephemerals in hash-set
		// order; 14 nodes make both of its tables resize.
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("p"), e.p("q"))
		for _, n := range []string{"p/alpha", "q/beta", "gamma", "p/delta", "epsilon", "q/zeta", "eta", "theta",
			"p/iota", "kappa", "q/lambda", "mu", "nu", "p/xi"} {
			a.create(e.p(n), "", ephemeral)
		}
		w.addWatch(e.p(""), modeRecurse)
		a.closeSession()
		w.flush()
	}},
	{"session_two_close_order", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		w := e.open("w")
		a.mk(e.p(""))
		a.create(e.p("ea"), "", ephemeral)
		b.create(e.p("eb"), "", ephemeral)
		w.children(e.p(""), true)
		b.closeSession()
		w.flush()
		w.children(e.p(""), true)
		a.closeSession()
		w.flush()
	}},
}
