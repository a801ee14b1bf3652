package conformance

import (
	"github.com/zkcurator/zkcurator/jute"
)

// sequentialScenarios cover sequence numbering (the parent's cversion).
var sequentialScenarios = []scenario{
	{"seq_persistent_numbering", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		for i := 0; i < 3; i++ {
			a.create(e.p("n-"), "", persSeq)
		}
		a.children2(e.p(""), false)
	}},
	{"seq_after_delete", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		p, _ := a.create(e.p("n-"), "", persSeq)
		a.delete(p, anyVersion)
		a.create(e.p("n-"), "", persSeq)
		a.exists(e.p(""), false)
	}},
	{"seq_mixed_children", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("plain"))
		a.create(e.p("s-"), "", persSeq)
		a.mk(e.p("plain2"))
		a.delete(e.p("plain"), anyVersion)
		a.create(e.p("s-"), "", ephSeq)
		a.children2(e.p(""), false)
	}},
	{"seq_ephemeral", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.mk(e.p(""))
		a.create(e.p("lock-"), "", ephSeq)
		b.create(e.p("lock-"), "", ephSeq)
		a.create2(jute.OpCreate2, e.p("lock-"), "", ephSeq, 0)
		b.children(e.p(""), false)
	}},
	{"seq_trailing_slash", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create(e.p("")+"/", "", persSeq)
		a.create(e.p("")+"/", "", persSeq)
		a.children(e.p(""), false)
	}},
	{"seq_failed_create_keeps_counter", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("x"))
		a.create(e.p("x"), "", persistent)
		a.create(e.p("n-"), "", persSeq)
		a.create(e.p("missing/n-"), "", persSeq)
		a.create(e.p("n-"), "", persSeq)
	}},
	{"seq_independent_parents", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("p1"), e.p("p2"))
		a.create(e.p("p1/n-"), "", persSeq)
		a.create(e.p("p2/n-"), "", persSeq)
		a.create(e.p("p1/n-"), "", persSeq)
		a.create(e.p("p1/m-"), "", persSeq)
	}},
	{"seq_cversion_formula", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		var ps []string
		for i := 0; i < 4; i++ {
			p, _ := a.create(e.p("n-"), "", persSeq)
			ps = append(ps, p)
		}
		a.delete(ps[1], anyVersion)
		a.delete(ps[2], anyVersion)
		a.exists(e.p(""), false)
		a.create(e.p("n-"), "", persSeq)
		a.exists(e.p(""), false)
	}},
	{"seq_ttl_and_container", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create2(jute.OpCreateTTL, e.p("t-"), "", ttlSeqFlag, 60_000)
		a.create2(jute.OpCreateContainer, e.p("c"), "", container, 0)
		a.create2(jute.OpCreateTTL, e.p("t-"), "", ttlSeqFlag, 60_000)
		a.children(e.p(""), false)
	}},
	{"seq_in_multi", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.multi(mCreate(e.p("m-"), "", persSeq), mCreate(e.p("m-"), "", ephSeq), mCreateOp(jute.OpCreate2, e.p("m-"), "", persSeq))
		a.children(e.p(""), false)
	}},
	{"seq_rolled_back_multi", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.multi(mCreate(e.p("m-"), "", persSeq), mCreate(e.p("missing/x"), "", persistent))
		a.create(e.p("m-"), "", persSeq)
	}},
}

// multiScenarios cover multi and multiRead, successes and failures.
var multiScenarios = []scenario{
	{"multi_all_ops", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("old"))
		a.multi(
			mCreate(e.p("new"), "n", persistent),
			mCreateOp(jute.OpCreate2, e.p("new2"), "n2", persistent),
			mSet(e.p("old"), "changed", 0),
			mCheck(e.p("old"), 1),
			mDelete(e.p("new"), 0),
		)
		a.children(e.p(""), false)
		a.get(e.p("old"), false)
	}},
	{"multi_empty", func(e *env) {
		a := e.open("a")
		a.multi()
		a.multiRead()
	}},
	{"multi_fail_middle", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("x"))
		a.multi(mCreate(e.p("a"), "", persistent), mCreate(e.p("x"), "", persistent), mSet(e.p("x"), "y", anyVersion))
		a.exists(e.p("a"), false)
		a.exists(e.p("x"), false)
	}},
	{"multi_fail_first", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.multi(mDelete(e.p("missing"), anyVersion), mCreate(e.p("a"), "", persistent))
		a.exists(e.p("a"), false)
	}},
	{"multi_fail_last", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.multi(mCreate(e.p("a"), "", persistent), mSet(e.p("a"), "x", 0), mCheck(e.p("a"), 0))
		a.exists(e.p("a"), false)
	}},
	{"multi_check_failures", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.multi(mCheck(e.p(""), 5))
		a.multi(mCheck(e.p("missing"), anyVersion))
		a.multi(mCheck(e.p(""), 0), mCheck(e.p(""), anyVersion))
	}},
	{"multi_create_then_child", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.multi(mCreate(e.p("p"), "", persistent), mCreate(e.p("p/c"), "", persistent), mSet(e.p("p/c"), "v", 0))
		a.children2(e.p("p"), false)
	}},
	{"multi_delete_then_recreate", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("x"))
		a.multi(mDelete(e.p("x"), 0), mCreate(e.p("x"), "again", persistent))
		a.get(e.p("x"), false)
	}},
	{"multi_version_chain", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.multi(mSet(e.p(""), "1", 0), mSet(e.p(""), "2", 1), mSet(e.p(""), "3", 2), mCheck(e.p(""), 3))
		a.multi(mSet(e.p(""), "4", 3), mSet(e.p(""), "5", 3))
		a.get(e.p(""), false)
	}},
	{"multi_delete_not_empty_in_txn", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("p"))
		a.multi(mCreate(e.p("p/c"), "", persistent), mDelete(e.p("p"), anyVersion))
		a.multi(mCreate(e.p("p/c"), "", persistent), mDelete(e.p("p/c"), anyVersion), mDelete(e.p("p"), anyVersion))
		a.exists(e.p("p"), false)
	}},
	{"multi_ephemeral_parent", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.multi(mCreate(e.p("e"), "", ephemeral), mCreate(e.p("e/c"), "", persistent))
		a.multi(mCreate(e.p("e"), "", ephemeral), mSet(e.p("e"), "x", anyVersion))
		a.get(e.p("e"), false)
	}},
	{"multi_containers_and_ttl", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.multi(mCreateOp(jute.OpCreateContainer, e.p("c"), "", container), mCreateTTL(e.p("t"), ttlFlag, 60_000))
		a.exists(e.p("c"), false)
		a.exists(e.p("t"), false)
	}},
	{"multi_invalid_path", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.multi(mCreate(e.p("ok"), "", persistent), mCreate(e.p("bad/"), "", persistent))
		a.multi(mSet("nope", "", anyVersion))
	}},
	{"multi_read_ops_rejected", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.multi(mGet(e.p("")))
		a.get(e.p(""), false)
	}},
	{"multi_write_ops_in_multi_read", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.multiRead(mCreate(e.p("x"), "", persistent))
		a.exists(e.p("x"), false)
	}},
	{"multi_read_results", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("a"), e.p("b"))
		a.set(e.p("a"), "data", anyVersion)
		a.multiRead(mGet(e.p("a")), mChildren(e.p("")), mGet(e.p("missing")), mChildren(e.p("missing")), mGet(e.p("b")))
	}},
	{"multi_failure_uses_zxid", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.multi(mCreate(e.p(""), "", persistent))
		a.create(e.p("after"), "", persistent)
		a.exists(e.p("after"), false)
	}},
	{"multi_events_after_commit", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.exists(e.p("new"), true)
		w.get(e.p("x"), true)
		w.children(e.p(""), true)
		a.multi(mCreate(e.p("new"), "", persistent), mSet(e.p("x"), "1", anyVersion), mDelete(e.p("x"), anyVersion))
		w.flush()
	}},
	{"multi_failed_fires_nothing", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.get(e.p("x"), true)
		w.children(e.p(""), true)
		a.multi(mSet(e.p("x"), "1", anyVersion), mCreate(e.p("x"), "", persistent))
		w.flush()
		a.set(e.p("x"), "2", anyVersion)
		w.flush()
	}},
	{"multi_no_auth", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.createACL(e.p("ro"), "", persistent, readACL)
		a.multi(mCreate(e.p("ok"), "", persistent), mSet(e.p("ro"), "x", anyVersion))
		a.multi(mCreate(e.p("ro/c"), "", persistent))
	}},
	{"multi_create_modes", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.multi(mCreate(e.p("p"), "", persistent), mCreate(e.p("e"), "", ephemeral), mCreateOp(jute.OpCreate2, e.p("e2"), "", ephemeral))
		a.multi(mCreate(e.p("bad"), "", 9))
		a.exists(e.p("e"), false)
	}},
}
