package conformance

import (
	"strings"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver/internal/ordernames"
)

// fidelityScenarios cover what a client sees of the server's internals:
// the order of children and ephemeral lists (Java HashSet order), TTL
// nodes on a server without extended types, and quota stats.
var fidelityScenarios = []scenario{
	{"order_children_mixed", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		names := ordernames.Names(100, "k")
		for _, n := range names {
			a.create(e.p(n), "", jute.FlagPersistent)
		}
		for i := 0; i < len(names); i += 3 {
			a.delete(e.p(names[i]), -1)
		}
		for _, n := range ordernames.Names(30, "m") {
			a.create(e.p(n), "", jute.FlagPersistent)
		}
		for range 5 {
			a.create(e.p("seq-"), "", jute.FlagPersistentSequential)
		}
		a.children(e.p(""), false)
		a.children2(e.p(""), false)
		a.multiRead(mChildren(e.p("")))
	}},
	{"order_children_colliding_hashes", func(e *env) {
		// Names built from "Aa"/"BB" (and "Ca"/"DB") share one
		// String.hashCode: one bucket grows into a red-black tree bin.
		a := e.open("a")
		a.mk(e.p(""))
		names := collidingNames(5)
		for _, n := range names {
			a.create(e.p(n), "", jute.FlagPersistent)
		}
		a.children(e.p(""), false)
		for i := 0; i < len(names); i += 2 {
			a.delete(e.p(names[i]), -1)
		}
		a.children(e.p(""), false)
		for i := 0; i < len(names); i += 4 {
			a.create(e.p(names[i]), "", jute.FlagPersistent)
		}
		a.children(e.p(""), false)
	}},
	{"order_children_emptied_and_refilled", func(e *env) {
		// The set keeps its grown table when emptied: a small refill
		// lists in the big table's order.
		a := e.open("a")
		a.mk(e.p(""))
		names := ordernames.Names(50, "r")
		for _, n := range names {
			a.create(e.p(n), "", jute.FlagPersistent)
		}
		for _, n := range names {
			a.delete(e.p(n), -1)
		}
		a.children(e.p(""), false)
		for _, n := range ordernames.Names(8, "s") {
			a.create(e.p(n), "", jute.FlagPersistent)
		}
		a.children(e.p(""), false)
	}},
	{"order_ephemerals_and_close", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("d"))
		var paths []string
		for i, n := range ordernames.Names(40, "e") {
			p := e.p(n)
			if i%4 == 0 {
				p = e.p("d/" + n)
			}
			a.create(p, "", jute.FlagEphemeral)
			paths = append(paths, p)
		}
		for _, p := range paths[:25] {
			a.delete(p, -1)
		}
		a.ephemerals("")
		a.ephemerals(e.p("d"))
		for _, p := range paths[25:] {
			w.exists(p, true)
		}
		// closeSession deletes in the order of the clone of the
		// session's set: the watcher sees the events in that order.
		a.closeSession()
		w.flush()
	}},
	{"noext_ttl_disabled", func(e *env) {
		// Run on servers without zookeeper.extendedTypesEnabled (the
		// default of a real 3.8 and of the embedded server).
		a := e.open("a")
		a.mk(e.p(""))
		a.create2(jute.OpCreateTTL, e.p("t"), "x", jute.FlagPersistentWithTTL, 1000)
		a.create2(jute.OpCreateTTL, e.p("s-"), "x", jute.FlagPersistentSequentialTTL, 1000)
		a.create2(jute.OpCreate2, e.p("t"), "x", jute.FlagPersistentWithTTL, -1)
		a.create(e.p("t"), "x", jute.FlagPersistentWithTTL)
		a.create2(jute.OpCreateTTL, e.p("p"), "x", jute.FlagPersistent, 1000)
		a.multi(mCreate(e.p("m"), "", jute.FlagPersistent), mCreateTTL(e.p("t"), jute.FlagPersistentWithTTL, 1000))
		a.create2(jute.OpCreateContainer, e.p("c"), "", jute.FlagContainer, -1)
		a.exists(e.p("t"), false)
		a.children(e.p(""), false)
	}},
	{"quota_stats", func(e *env) {
		// What zkCli's setquota creates, then the server's bookkeeping.
		a := e.open("a")
		q := "/zookeeper/quota" + e.root
		a.create(e.p(""), "abc", jute.FlagPersistent)
		a.create(e.p("a"), "12345", jute.FlagPersistent)
		a.create(q, nullData, jute.FlagPersistent)
		a.create(q+"/zookeeper_limits", "count=10,bytes=-1", jute.FlagPersistent)
		a.get(q+"/zookeeper_limits", false)
		a.create(q+"/zookeeper_stats", "count=0,bytes=0", jute.FlagPersistent)
		a.get(q+"/zookeeper_stats", false)
		a.create(e.p("a/b"), "xy", jute.FlagPersistent)
		a.create(e.p("a/e"), "", jute.FlagEphemeral)
		a.get(q+"/zookeeper_stats", false)
		a.set(e.p("a"), "1", -1)
		a.get(q+"/zookeeper_stats", false)
		a.delete(e.p("a/b"), -1)
		a.multi(mCreate(e.p("m1"), "four", jute.FlagPersistent), mSet(e.p(""), "", -1))
		a.get(q+"/zookeeper_stats", false)
		a.create(e.root+"-sibling", "zzz", jute.FlagPersistent)
		a.get(q+"/zookeeper_stats", false)
		// Hard limits in the 3.7+ format are kept, sorted, after "=".
		a.set(q+"/zookeeper_stats", "count=1,bytes=2=;countHardLimit=4;byteHardLimit=9", -1)
		a.create(e.p("h"), "h", jute.FlagPersistent)
		a.get(q+"/zookeeper_stats", false)
		// Without the limits node the path is no longer tracked.
		a.delete(q+"/zookeeper_limits", -1)
		a.create(e.p("late"), "late", jute.FlagPersistent)
		a.get(q+"/zookeeper_stats", false)
		a.delete(q+"/zookeeper_stats", -1)
		a.delete(q, -1)
		a.delete(e.root+"-sibling", -1)
	}},
}

// collidingNames returns the 2^k names made of k "Aa"/"BB" pairs (one
// String.hashCode) and the 2^k made of "Ca"/"DB" (another).
func collidingNames(k int) []string {
	var out []string
	for _, pr := range [][2]string{{"Aa", "BB"}, {"Ca", "DB"}} {
		for m := range 1 << k {
			var b strings.Builder
			for j := range k {
				b.WriteString(pr[(m>>j)&1])
			}
			out = append(out, b.String())
		}
	}
	return out
}
