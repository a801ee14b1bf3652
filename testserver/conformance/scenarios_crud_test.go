package conformance

import (
	"strings"

	"github.com/zkcurator/zkcurator/jute"
)

// Flags used by the scenarios.
const (
	persistent   = jute.FlagPersistent
	ephemeral    = jute.FlagEphemeral
	persSeq      = jute.FlagPersistentSequential
	ephSeq       = jute.FlagEphemeralSequential
	container    = jute.FlagContainer
	ttlFlag      = jute.FlagPersistentWithTTL
	ttlSeqFlag   = jute.FlagPersistentSequentialTTL
	anyVersion   = int32(-1)
	modePersist  = jute.AddWatchPersistent
	modeRecurse  = jute.AddWatchPersistentRecursive
	watchChild   = jute.WatcherChildren
	watchData    = jute.WatcherData
	watchAnyType = jute.WatcherAny
)

// crudScenarios cover every basic op on the happy path and its Stat fields.
var crudScenarios = []scenario{
	{"create_get_exists", func(e *env) {
		a := e.open("a")
		a.create(e.p(""), "root", persistent)
		a.exists(e.p(""), false)
		a.get(e.p(""), false)
	}},
	{"create_null_and_empty_data", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create(e.p("null"), nullData, persistent)
		a.create(e.p("empty"), "", persistent)
		a.get(e.p("null"), false)
		a.get(e.p("empty"), false)
		a.set(e.p("empty"), nullData, anyVersion)
		a.get(e.p("empty"), false)
	}},
	{"create2_returns_stat", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create2(jute.OpCreate2, e.p("x"), "hello", persistent, 0)
		a.create2(jute.OpCreate2, e.p("e"), "", ephemeral, 0)
		a.exists(e.p(""), false)
	}},
	{"create_large_data", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create(e.p("big"), strings.Repeat("x", 500_000), persistent)
		a.get(e.p("big"), false)
	}},
	{"create_unicode_path", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create(e.p("héllo-世界"), "u", persistent)
		a.children(e.p(""), false)
	}},
	{"set_data_versions", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.set(e.p(""), "one", anyVersion)
		a.set(e.p(""), "two", 1)
		a.set(e.p(""), "two", 2)
		a.set(e.p(""), "three", 2)
		a.get(e.p(""), false)
	}},
	{"set_same_data_bumps_version", func(e *env) {
		a := e.open("a")
		a.create(e.p(""), "same", persistent)
		a.set(e.p(""), "same", 0)
		a.set(e.p(""), "same", 1)
		a.exists(e.p(""), false)
	}},
	{"delete_with_version", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("x"))
		a.set(e.p("x"), "d", anyVersion)
		a.delete(e.p("x"), 0)
		a.delete(e.p("x"), 1)
		a.exists(e.p("x"), false)
		a.exists(e.p(""), false)
	}},
	{"delete_any_version", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("x"))
		a.set(e.p("x"), "d", anyVersion)
		a.delete(e.p("x"), anyVersion)
		a.children2(e.p(""), false)
	}},
	{"children_and_children2", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("c"), e.p("a"), e.p("b"))
		a.children(e.p(""), false)
		a.children2(e.p(""), false)
		a.children(e.p("a"), false)
		a.children2(e.p("a"), false)
	}},
	{"stat_after_child_changes", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("x"), e.p("y"))
		a.exists(e.p(""), false)
		a.delete(e.p("x"), anyVersion)
		a.exists(e.p(""), false)
		a.set(e.p("y"), "data", anyVersion)
		a.exists(e.p(""), false)
		a.mk(e.p("x"))
		a.exists(e.p(""), false)
	}},
	{"pzxid_and_mzxid", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.set(e.p(""), "1", anyVersion)
		a.mk(e.p("c"))
		a.set(e.p(""), "2", anyVersion)
		a.delete(e.p("c"), anyVersion)
		a.get(e.p(""), false)
	}},
	{"deep_tree", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("1"), e.p("1/2"), e.p("1/2/3"), e.p("1/2/3/4"))
		a.allChildren(e.p(""))
		a.allChildren(e.p("1/2/3/4"))
		a.children2(e.p("1/2"), false)
	}},
	{"sync_paths", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.sync(e.p(""))
		a.sync(e.p("missing"))
		a.sync("/")
	}},
	{"get_set_acl", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.getACL(e.p(""))
		a.setACL(e.p(""), readACL, 0)
		a.setACL(e.p(""), openACL, 0)
		a.setACL(e.p(""), openACL, 1)
		a.getACL(e.p(""))
		a.exists(e.p(""), false)
	}},
	{"zookeeper_system_node", func(e *env) {
		a := e.open("a")
		a.exists("/zookeeper", false)
		a.children("/zookeeper", false)
		a.children("/zookeeper/quota", false)
		a.get("/zookeeper/config", false)
	}},
	{"all_children_number", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("a"), e.p("b"), e.p("a/x"))
		a.allChildren(e.p(""))
		a.allChildren(e.p("a"))
		a.allChildren(e.p("b"))
		a.allChildren(e.p("missing"))
	}},
	{"get_ephemerals", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.mk(e.p(""), e.p("p"))
		a.create(e.p("e1"), "", ephemeral)
		a.create(e.p("p/e2"), "", ephemeral)
		b.create(e.p("e3"), "", ephemeral)
		a.ephemerals(e.p(""))
		a.ephemerals(e.p("p"))
		a.ephemerals(e.p("nothing"))
		b.ephemerals("/")
	}},
	{"who_am_i", func(e *env) {
		a := e.open("a")
		a.whoAmI()
		a.auth("digest", "alice:secret")
		a.whoAmI()
	}},
	{"ping_zxid", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.flush()
		a.get(e.p(""), false)
	}},
}

// errorScenarios cover the error paths of single ops.
var errorScenarios = []scenario{
	{"create_node_exists", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create(e.p(""), "again", persistent)
		a.exists(e.p(""), false)
	}},
	{"create_no_parent", func(e *env) {
		a := e.open("a")
		a.create(e.p("")+"/x/y", "", persistent)
		a.create2(jute.OpCreate2, e.p("")+"/x/y", "", persistent, 0)
	}},
	{"create_under_ephemeral", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create(e.p("e"), "", ephemeral)
		a.create(e.p("e/child"), "", persistent)
		a.create(e.p("e/seq-"), "", ephSeq)
	}},
	{"create_invalid_paths", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		for _, p := range []string{e.p("x/"), e.p("") + "//x", e.p("."), e.p(".."), e.p("a/./b"), "relative", "", e.p("nul\x00")} {
			a.create(p, "", persistent)
		}
	}},
	{"create_root_and_zookeeper", func(e *env) {
		a := e.open("a")
		a.create("/", "", persistent)
		a.create("/zookeeper", "", persistent)
		a.create("/zookeeper/x", "", persistent)
		a.delete("/zookeeper/x", anyVersion) // leave /zookeeper as found: the real server is shared
	}},
	{"create_bad_flags", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create(e.p("f7"), "", 7)
		a.create(e.p("fneg"), "", -1)
		a.create(e.p("f5"), "", ttlFlag)
	}},
	{"create_invalid_acl", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.createACL(e.p("empty"), "", persistent, []jute.ACL{})
		a.createACL(e.p("null"), "", persistent, nil)
		a.createACL(e.p("scheme"), "", persistent, []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "nope", ID: "x"}}})
		a.createACL(e.p("world"), "", persistent, []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "world", ID: "someone"}}})
		a.createACL(e.p("auth"), "", persistent, []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "auth", ID: ""}}})
		a.createACL(e.p("digest"), "", persistent, []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "digest", ID: "nocolon"}}})
		a.createACL(e.p("ip"), "", persistent, []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "ip", ID: "300.1.1.1"}}})
		a.children(e.p(""), false)
	}},
	{"delete_errors", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("x"), e.p("x/y"))
		a.delete(e.p("missing"), anyVersion)
		a.delete(e.p("x"), anyVersion)
		a.delete(e.p("x/y"), 5)
		a.delete(e.p("x")+"/", anyVersion)
		a.exists(e.p("x"), false)
	}},
	{"delete_root_and_zookeeper", func(e *env) {
		a := e.open("a")
		a.delete("/", anyVersion)
		a.delete("/zookeeper", anyVersion)
		a.delete("/zookeeper/quota", anyVersion)
	}},
	{"set_data_errors", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.set(e.p("missing"), "x", anyVersion)
		a.set(e.p(""), "x", 3)
		a.set("bad", "x", anyVersion)
		a.exists(e.p(""), false)
	}},
	{"read_errors", func(e *env) {
		a := e.open("a")
		a.exists(e.p("missing"), false)
		a.get(e.p("missing"), false)
		a.children(e.p("missing"), false)
		a.children2(e.p("missing"), false)
		a.getACL(e.p("missing"))
		a.get("bad", false)
	}},
	{"set_acl_errors", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.setACL(e.p("missing"), openACL, anyVersion)
		a.setACL(e.p(""), openACL, 4)
		a.setACL(e.p(""), []jute.ACL{}, anyVersion)
		a.setACL(e.p(""), []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "auth", ID: ""}}}, anyVersion)
		a.getACL(e.p(""))
	}},
	{"garbage_body_keeps_connection", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.raw(jute.OpGetData, []byte{0, 0, 0})
		a.raw(jute.OpCreate, []byte{0xff, 0xff})
		a.raw(jute.OpSetData, []byte{0, 0, 0, 9, 'x'})
		a.get(e.p(""), false)
	}},
	{"unknown_op_closes", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.raw(10, nil)
		a.get(e.p(""), false)
	}},
	{"check_standalone", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.check(e.p(""), 0)
		a.check(e.p(""), 3)
		a.check(e.p("missing"), anyVersion)
		a.get(e.p(""), false)
	}},
	{"reconfig_disabled", func(e *env) {
		a := e.open("a")
		a.raw(jute.OpReconfig, jute.AppendLong(jute.AppendString(jute.AppendString(jute.AppendString(nil, ""), ""), ""), -1))
		a.sync("/")
	}},
	{"failed_writes_use_zxids", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.create(e.p(""), "", persistent)
		a.delete(e.p("missing"), anyVersion)
		a.set(e.p(""), "", 9)
		a.create(e.p("ok"), "", persistent)
		a.exists(e.p("ok"), false)
	}},
	{"remove_watches_bad_type", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.get(e.p(""), true)
		a.watches(jute.OpRemoveWatches, e.p(""), 9)
		a.watches(jute.OpCheckWatches, e.p(""), 0)
		a.get(e.p(""), false)
	}},
	{"add_watch_bad_mode", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.addWatch(e.p(""), 7)
		a.get(e.p(""), false)
	}},
}
