package conformance

import (
	"github.com/zkcurator/zkcurator/jute"
)

// watchScenarios cover one-shot watches: which op sets which watch, which
// event fires, in which order, and setWatches after a reconnect.
var watchScenarios = []scenario{
	{"watch_exists_created", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		w.exists(e.p("x"), true)
		a.mk(e.p("x"))
		w.flush()
		a.set(e.p("x"), "again", anyVersion)
		w.flush()
	}},
	{"watch_exists_data_and_delete", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.exists(e.p("x"), true)
		a.set(e.p("x"), "1", anyVersion)
		w.exists(e.p("x"), true)
		a.delete(e.p("x"), anyVersion)
		w.flush()
	}},
	{"watch_get_data_changed", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.get(e.p("x"), true)
		a.set(e.p("x"), "1", anyVersion)
		a.set(e.p("x"), "2", anyVersion)
		w.flush()
	}},
	{"watch_get_deleted", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.get(e.p("x"), true)
		a.delete(e.p("x"), anyVersion)
		w.flush()
		a.mk(e.p("x"))
		w.flush()
	}},
	{"watch_get_missing_sets_none", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		w.get(e.p("x"), true)
		w.children(e.p("x"), true)
		a.mk(e.p("x"), e.p("x/c"))
		w.flush()
	}},
	{"watch_children_create_delete", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		w.children(e.p(""), true)
		a.mk(e.p("c1"))
		w.children2(e.p(""), true)
		a.delete(e.p("c1"), anyVersion)
		w.flush()
	}},
	{"watch_children_ignores_data", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("c"))
		w.children(e.p(""), true)
		a.set(e.p(""), "x", anyVersion)
		a.set(e.p("c"), "x", anyVersion)
		a.mk(e.p("c/g"))
		w.flush()
	}},
	{"watch_children_parent_deleted", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("p"))
		w.children(e.p("p"), true)
		w.get(e.p("p"), true)
		a.delete(e.p("p"), anyVersion)
		w.flush()
	}},
	{"watch_data_and_child_on_delete", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("p"))
		w.children(e.p(""), true)
		w.exists(e.p("p"), true)
		w.children(e.p("p"), true)
		a.delete(e.p("p"), anyVersion)
		w.flush()
	}},
	{"watch_one_shot", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.get(e.p("x"), true)
		a.set(e.p("x"), "1", anyVersion)
		a.set(e.p("x"), "2", anyVersion)
		a.delete(e.p("x"), anyVersion)
		w.flush()
	}},
	{"watch_dedup_per_connection", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.exists(e.p("x"), true)
		w.get(e.p("x"), true)
		w.get(e.p("x"), true)
		a.set(e.p("x"), "1", anyVersion)
		w.flush()
	}},
	{"watch_two_sessions", func(e *env) {
		a := e.open("a")
		w1 := e.open("w1")
		w2 := e.open("w2")
		a.mk(e.p(""), e.p("x"))
		w1.get(e.p("x"), true)
		w2.exists(e.p("x"), true)
		a.delete(e.p("x"), anyVersion)
		w2.flush()
		w1.flush()
	}},
	{"watch_own_change_event_before_reply", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("x"))
		a.get(e.p("x"), true)
		a.children(e.p(""), true)
		a.set(e.p("x"), "1", anyVersion)
		a.create(e.p("y"), "", persistent)
	}},
	{"watch_event_order", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"), e.p("y"))
		w.get(e.p("y"), true)
		w.get(e.p("x"), true)
		w.children(e.p(""), true)
		w.exists(e.p("z"), true)
		a.mk(e.p("z"))
		a.set(e.p("x"), "1", anyVersion)
		a.delete(e.p("y"), anyVersion)
		w.flush()
	}},
	{"watch_ephemeral_session_close", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		a.create(e.p("e1"), "", ephemeral)
		a.create(e.p("e2"), "", ephemeral)
		w.exists(e.p("e1"), true)
		w.get(e.p("e2"), true)
		w.children(e.p(""), true)
		a.closeSession()
		w.flush()
		w.children2(e.p(""), false)
	}},
	{"watch_sequential_create", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		w.children(e.p(""), true)
		w.exists(e.p("n-0000000000"), true)
		a.create(e.p("n-"), "", persSeq)
		w.flush()
	}},
	{"watch_remove_data", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.get(e.p("x"), true)
		w.children(e.p("x"), true)
		w.watches(jute.OpRemoveWatches, e.p("x"), watchData)
		w.watches(jute.OpRemoveWatches, e.p("x"), watchData)
		a.set(e.p("x"), "1", anyVersion)
		a.mk(e.p("x/c"))
		w.flush()
	}},
	{"watch_remove_children", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.get(e.p("x"), true)
		w.children(e.p("x"), true)
		w.watches(jute.OpRemoveWatches, e.p("x"), watchChild)
		a.mk(e.p("x/c"))
		a.set(e.p("x"), "1", anyVersion)
		w.flush()
	}},
	{"watch_remove_any", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.exists(e.p("x"), true)
		w.children(e.p("x"), true)
		w.watches(jute.OpRemoveWatches, e.p("x"), watchAnyType)
		w.watches(jute.OpRemoveWatches, e.p("x"), watchAnyType)
		a.delete(e.p("x"), anyVersion)
		w.flush()
	}},
	{"watch_remove_exist_watch", func(e *env) {
		w := e.open("w")
		a := e.open("a")
		a.mk(e.p(""))
		w.exists(e.p("x"), true)
		w.watches(jute.OpRemoveWatches, e.p("x"), watchChild)
		w.watches(jute.OpRemoveWatches, e.p("x"), watchData)
		a.mk(e.p("x"))
		w.flush()
	}},
	{"watch_check_watches", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.watches(jute.OpCheckWatches, e.p("x"), watchData)
		w.get(e.p("x"), true)
		w.watches(jute.OpCheckWatches, e.p("x"), watchData)
		w.watches(jute.OpCheckWatches, e.p("x"), watchChild)
		w.watches(jute.OpCheckWatches, e.p("x"), watchAnyType)
		a.watches(jute.OpCheckWatches, e.p("x"), watchData)
		a.watches(jute.OpRemoveWatches, e.p("x"), watchData)
		w.watches(jute.OpCheckWatches, e.p("missing"), watchAnyType)
	}},
	{"watch_lost_on_disconnect", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.get(e.p("x"), true)
		w.drop()
		w.reattach()
		a.set(e.p("x"), "1", anyVersion)
		w.flush()
	}},
	{"set_watches_missed_events", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("changed"), e.p("deleted"), e.p("same"), e.p("kids"), e.p("gone"))
		w.get(e.p("changed"), true)
		w.get(e.p("deleted"), true)
		w.get(e.p("same"), true)
		w.exists(e.p("born"), true)
		w.exists(e.p("unborn"), true)
		w.children(e.p("kids"), true)
		w.children(e.p("gone"), true)
		w.drop()
		a.set(e.p("changed"), "1", anyVersion)
		a.delete(e.p("deleted"), anyVersion)
		a.mk(e.p("born"), e.p("kids/k"))
		a.delete(e.p("gone"), anyVersion)
		w.reattach()
		w.setWatches(w.lastZxid,
			[]string{e.p("changed"), e.p("deleted"), e.p("same")},
			[]string{e.p("born"), e.p("unborn")},
			[]string{e.p("kids"), e.p("gone")}, nil, nil)
		w.flush()
		a.set(e.p("same"), "now", anyVersion)
		a.mk(e.p("unborn"))
		w.flush()
	}},
	{"set_watches_relative_zxid_zero", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.drop()
		w.reattach()
		w.setWatches(0, []string{e.p("x")}, nil, []string{e.p("")}, nil, nil)
		w.flush()
	}},
	{"set_watches_no_change_rearms", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.get(e.p("x"), true)
		w.children(e.p(""), true)
		w.drop()
		w.reattach()
		w.setWatches(w.lastZxid, []string{e.p("x")}, nil, []string{e.p("")}, nil, nil)
		w.flush()
		a.delete(e.p("x"), anyVersion)
		w.flush()
	}},
	{"set_watches_missing_exist_watch_deleted", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.exists(e.p("x"), true)
		w.drop()
		a.delete(e.p("x"), anyVersion)
		w.reattach()
		// An exist watch on a node that existed is re-sent as a data watch.
		w.setWatches(w.lastZxid, []string{e.p("x")}, nil, nil, nil, nil)
		w.flush()
	}},
	{"set_watches_unknown_paths", func(e *env) {
		w := e.open("w")
		a := e.open("a")
		a.mk(e.p(""))
		w.setWatches(w.lastZxid, nil, []string{e.p("later")}, []string{e.p("nothing")}, nil, nil)
		a.mk(e.p("later"))
		w.flush()
	}},
}

// persistentWatchScenarios cover addWatch (3.6+) and setWatches2.
var persistentWatchScenarios = []scenario{
	{"persistent_watch_every_event", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		w.addWatch(e.p("x"), modePersist)
		a.mk(e.p("x"))
		a.set(e.p("x"), "1", anyVersion)
		a.mk(e.p("x/c"))
		a.set(e.p("x/c"), "2", anyVersion)
		a.delete(e.p("x/c"), anyVersion)
		a.delete(e.p("x"), anyVersion)
		a.mk(e.p("x"))
		w.flush()
	}},
	{"persistent_recursive_watch", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		w.addWatch(e.p(""), modeRecurse)
		a.mk(e.p("a"), e.p("a/b"))
		a.set(e.p("a/b"), "x", anyVersion)
		a.create(e.p("a/s-"), "", persSeq)
		a.delete(e.p("a/b"), anyVersion)
		a.set(e.p(""), "root", anyVersion)
		w.flush()
	}},
	{"persistent_and_one_shot", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.addWatch(e.p("x"), modePersist)
		w.get(e.p("x"), true)
		a.set(e.p("x"), "1", anyVersion)
		a.set(e.p("x"), "2", anyVersion)
		w.flush()
	}},
	{"recursive_and_child_watch", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("p"))
		w.addWatch(e.p(""), modeRecurse)
		w.children(e.p("p"), true)
		a.mk(e.p("p/c"))
		w.flush()
	}},
	{"add_watch_replaces_mode", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.addWatch(e.p(""), modeRecurse)
		w.addWatch(e.p(""), modePersist)
		a.set(e.p("x"), "1", anyVersion)
		a.set(e.p(""), "2", anyVersion)
		w.flush()
	}},
	{"persistent_watch_remove", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.addWatch(e.p("x"), modePersist)
		w.watches(jute.OpCheckWatches, e.p("x"), watchData)
		w.watches(jute.OpRemoveWatches, e.p("x"), watchData)
		a.set(e.p("x"), "1", anyVersion)
		a.mk(e.p("x/c"))
		w.watches(jute.OpRemoveWatches, e.p("x"), watchAnyType)
		a.set(e.p("x"), "2", anyVersion)
		w.flush()
	}},
	{"recursive_watch_remove_any", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		w.addWatch(e.p(""), modeRecurse)
		w.watches(jute.OpRemoveWatches, e.p(""), watchAnyType)
		a.mk(e.p("x"))
		w.watches(jute.OpRemoveWatches, e.p(""), watchAnyType)
		w.flush()
	}},
	{"persistent_watch_missing_node", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		w.addWatch(e.p("later/deep"), modeRecurse)
		a.mk(e.p("later"), e.p("later/deep"), e.p("later/deep/x"))
		w.flush()
	}},
	{"persistent_watch_multi", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		w.addWatch(e.p(""), modeRecurse)
		a.multi(mCreate(e.p("a"), "", persistent), mCreate(e.p("a/b"), "", persistent), mSet(e.p("a"), "x", 0), mDelete(e.p("a/b"), 0))
		w.flush()
	}},
	{"persistent_watch_session_close", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""))
		a.create(e.p("e"), "", ephemeral)
		w.addWatch(e.p(""), modeRecurse)
		w.addWatch(e.p(""), modeRecurse)
		a.closeSession()
		w.flush()
	}},
	{"set_watches2_persistent", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.addWatch(e.p("x"), modePersist)
		w.addWatch(e.p(""), modeRecurse)
		w.drop()
		a.set(e.p("x"), "missed", anyVersion)
		w.reattach()
		w.setWatches(w.lastZxid, nil, nil, nil, []string{e.p("x")}, []string{e.p("")})
		w.flush()
		a.set(e.p("x"), "seen", anyVersion)
		a.mk(e.p("y"))
		w.flush()
	}},
	{"set_watches2_mixed", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.get(e.p("x"), true)
		w.drop()
		a.set(e.p("x"), "missed", anyVersion)
		w.reattach()
		w.setWatches(w.lastZxid, []string{e.p("x")}, nil, nil, []string{e.p("")}, []string{})
		a.mk(e.p("c"))
		w.flush()
	}},
}
