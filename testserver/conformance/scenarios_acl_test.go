package conformance

import (
	"crypto/sha1" //nolint:gosec // ZooKeeper's digest scheme is defined with SHA-1
	"encoding/base64"
	"strings"

	"github.com/zkcurator/zkcurator/jute"
)

// digestACL gives perms to the digest identity of "user:password".
func digestACL(perms int32, cred string) []jute.ACL {
	user, _, _ := strings.Cut(cred, ":")
	sum := sha1.Sum([]byte(cred)) //nolint:gosec // see import
	id := user + ":" + base64.StdEncoding.EncodeToString(sum[:])
	return []jute.ACL{{Perms: perms, ID: jute.Id{Scheme: "digest", ID: id}}}
}

var (
	alice = credentials[0]
	bob   = credentials[1]
)

// aclScenarios cover ACL checks of every op, digest and ip identities,
// the auth scheme and authentication failures.
var aclScenarios = []scenario{
	{"acl_read_denied", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.createACL(e.p("x"), "secret", persistent, worldACL(jute.PermAll&^jute.PermRead))
		a.mk(e.p("x/c"))
		a.get(e.p("x"), false)
		a.children(e.p("x"), false)
		a.children2(e.p("x"), false)
		a.exists(e.p("x"), false)
		a.allChildren(e.p("x"))
		a.getACL(e.p("x"))
		a.multiRead(mGet(e.p("x")), mChildren(e.p("x")))
	}},
	{"acl_write_denied", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.createACL(e.p("x"), "", persistent, readACL)
		a.set(e.p("x"), "no", anyVersion)
		a.set(e.p("x"), "no", 7)
		a.check(e.p("x"), 0)
		a.get(e.p("x"), false)
	}},
	{"acl_create_denied", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.createACL(e.p("x"), "", persistent, worldACL(jute.PermAll&^jute.PermCreate))
		a.create(e.p("x/c"), "", persistent)
		a.create(e.p("x/c"), "", ephSeq)
		a.create(e.p("x/missing/c"), "", persistent)
	}},
	{"acl_delete_denied", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.createACL(e.p("p"), "", persistent, worldACL(jute.PermAll&^jute.PermDelete))
		a.mk(e.p("p/c"))
		a.delete(e.p("p/c"), anyVersion)
		a.delete(e.p("p/missing"), anyVersion)
		a.createACL(e.p("q"), "", persistent, worldACL(0))
		a.delete(e.p("q"), anyVersion)
	}},
	{"acl_admin_denied", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.createACL(e.p("x"), "", persistent, worldACL(jute.PermRead|jute.PermWrite))
		a.setACL(e.p("x"), openACL, anyVersion)
		a.getACL(e.p("x"))
		a.createACL(e.p("y"), "", persistent, worldACL(jute.PermAdmin))
		a.getACL(e.p("y"))
		a.setACL(e.p("y"), readACL, 0)
		a.get(e.p("y"), false)
	}},
	{"acl_digest_grants", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.mk(e.p(""))
		a.auth("digest", alice)
		a.createACL(e.p("x"), "mine", persistent, digestACL(jute.PermAll, alice))
		b.get(e.p("x"), false)
		a.get(e.p("x"), false)
		b.auth("digest", bob)
		b.get(e.p("x"), false)
		b.auth("digest", alice)
		b.get(e.p("x"), false)
		b.set(e.p("x"), "b", anyVersion)
	}},
	{"acl_auth_scheme", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.mk(e.p(""))
		a.auth("digest", alice)
		a.auth("digest", bob)
		a.createACL(e.p("x"), "", persistent, []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "auth", ID: ""}}})
		a.getACL(e.p("x"))
		b.getACL(e.p("x"))
		b.auth("digest", bob)
		b.getACL(e.p("x"))
	}},
	{"acl_auth_scheme_with_id", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.auth("digest", alice)
		a.createACL(e.p("x"), "", persistent, []jute.ACL{{Perms: jute.PermRead, ID: jute.Id{Scheme: "auth", ID: "ignored"}}})
		a.getACL(e.p("x"))
		a.setACL(e.p("x"), []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "auth", ID: ""}}, {Perms: jute.PermRead, ID: jute.Id{Scheme: "world", ID: "anyone"}}}, anyVersion)
	}},
	{"acl_digest_masked", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.mk(e.p(""))
		acl := append(digestACL(jute.PermAll, alice), readACL...)
		a.createACL(e.p("x"), "", persistent, acl)
		b.getACL(e.p("x"))
		b.auth("digest", alice)
		b.getACL(e.p("x"))
	}},
	{"acl_ip", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.createACL(e.p("lo"), "ip", persistent, []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "ip", ID: "127.0.0.1"}}})
		a.createACL(e.p("net"), "net", persistent, []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "ip", ID: "127.0.0.0/8"}}})
		a.createACL(e.p("other"), "other", persistent, []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "ip", ID: "10.1.2.3"}}})
		a.get(e.p("lo"), false)
		a.get(e.p("net"), false)
		a.get(e.p("other"), false)
		a.getACL(e.p("net"))
	}},
	{"acl_auth_failed_closes", func(e *env) {
		a := e.open("a")
		b := e.open("b")
		a.mk(e.p(""))
		a.create(e.p("e"), "", ephemeral)
		a.auth("nope", "x")
		a.get(e.p(""), false)
		b.exists(e.p("e"), false)
	}},
	{"acl_auth_ip_and_duplicates", func(e *env) {
		a := e.open("a")
		a.auth("ip", "10.0.0.1")
		a.auth("digest", alice)
		a.auth("digest", alice)
		a.whoAmI()
	}},
	{"acl_world_read_only_tree", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.createACL(e.p("ro"), "", persistent, readACL)
		a.create(e.p("ro/c"), "", persistent)
		a.delete(e.p("ro"), anyVersion)
		a.setACL(e.p("ro"), openACL, anyVersion)
		a.children2(e.p("ro"), false)
	}},
	{"acl_set_acl_invalid", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.setACL(e.p(""), []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "digest", ID: "bad"}}}, anyVersion)
		a.setACL(e.p(""), []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "ip", ID: "1.2.3.4/99"}}}, anyVersion)
		a.setACL(e.p(""), digestACL(jute.PermAll, alice), anyVersion)
		a.getACL(e.p(""))
		a.setACL(e.p(""), openACL, anyVersion)
	}},
	{"acl_multi_ops", func(e *env) {
		a := e.open("a")
		a.mk(e.p(""))
		a.createACL(e.p("nodel"), "", persistent, worldACL(jute.PermAll&^jute.PermDelete))
		a.mk(e.p("nodel/c"))
		a.createACL(e.p("nowrite"), "", persistent, readACL)
		a.multi(mDelete(e.p("nodel/c"), anyVersion))
		a.multi(mCheck(e.p("nowrite"), 0))
		a.multi(mCreate(e.p("nowrite/c"), "", persistent))
	}},
}
