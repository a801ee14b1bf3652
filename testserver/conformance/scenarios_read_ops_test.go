package conformance

import "github.com/zkcurator/zkcurator/jute"

// readOpScenarios cover the 3.6/3.7 read ops the client exposes as
// Conn.WhoAmI and Conn.MultiRead beyond the basics (who_am_i,
// multi_read_results and the multi, ACL and edge groups).
var readOpScenarios = []scenario{
	{"who_am_i_several_identities", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.auth("digest", bob)
		a.auth("digest", alice)
		a.auth("digest", "carol:pw")
		a.whoAmI()
		b.whoAmI() // identities are per session
		a.auth("digest", alice)
		a.whoAmI()
	}},
	{"multi_read_ephemeral_and_children", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.mk(e.p(""), e.p("p"))
		b.create(e.p("p/e"), "eph", ephemeral)
		a.create(e.p("p/c1"), "one", persistent)
		a.create(e.p("p/c2"), nullData, persistent)
		a.multiRead(mGet(e.p("p/e")), mChildren(e.p("p")), mGet(e.p("p/c2")), mChildren(e.p("p/c1")), mGet(e.p("p")))
	}},
	{"multi_read_after_delete", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""), e.p("x"))
		a.multiRead(mGet(e.p("x")), mChildren(e.p("")))
		a.delete(e.p("x"), anyVersion)
		a.multiRead(mGet(e.p("x")), mChildren(e.p("x")), mChildren(e.p("")))
	}},
	{"multi_read_sets_no_watch", func(e *env) {
		a := e.open("a")
		w := e.open("w")
		a.mk(e.p(""), e.p("x"))
		w.multiRead(mGet(e.p("x")), mChildren(e.p("")))
		a.set(e.p("x"), "1", anyVersion)
		a.create(e.p("y"), "", persistent)
		a.delete(e.p("x"), anyVersion)
		w.flush()
		w.get(e.p("y"), false)
	}},
	{"multi_read_invalid_paths", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.multiRead(mGet("no-slash"), mChildren(e.p("")+"/"), mChildren(e.p("")+"//x"), mChildren(e.p("")))
		a.get(e.p(""), false)
	}},
	{"multi_read_no_auth_mixed", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.auth("digest", alice)
		a.mk(e.p(""))
		a.createACL(e.p("mine"), "secret", persistent, digestACL(jute.PermAll, alice))
		a.create(e.p("open"), "open", persistent)
		b.multiRead(mGet(e.p("mine")), mGet(e.p("open")), mChildren(e.p("mine")), mChildren(e.p("")))
		a.multiRead(mGet(e.p("mine")), mChildren(e.p("mine")))
	}},
}
