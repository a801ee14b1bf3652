package zk

import (
	"crypto/sha1"
	"encoding/base64"
)

// Permission bits of an ACL entry (ZooDefs.Perms).
const (
	PermRead   int32 = 1 << 0 // read the node's data and list its children
	PermWrite  int32 = 1 << 1 // set the node's data
	PermCreate int32 = 1 << 2 // create children
	PermDelete int32 = 1 << 3 // delete children
	PermAdmin  int32 = 1 << 4 // set the node's ACL
	PermAll    int32 = PermRead | PermWrite | PermCreate | PermDelete | PermAdmin
)

// Well-known ACLs (ZooDefs.Ids). Treat them as read-only.
var (
	// OpenACLUnsafe gives every permission to anyone.
	OpenACLUnsafe = WorldACL(PermAll)
	// CreatorAllACL gives every permission to the identities the creating
	// session authenticated with (scheme "auth").
	CreatorAllACL = []ACL{{Perms: PermAll, ID: ID{Scheme: "auth", ID: ""}}}
	// ReadACLUnsafe lets anyone read.
	ReadACLUnsafe = WorldACL(PermRead)
)

// WorldACL returns an ACL giving perms to anyone (world:anyone).
func WorldACL(perms int32) []ACL {
	return []ACL{{Perms: perms, ID: ID{Scheme: "world", ID: "anyone"}}}
}

// DigestACL returns an ACL giving perms to the digest identity of user and
// password, the identity a session gets from AddAuth("digest", "user:password").
func DigestACL(perms int32, user, password string) []ACL {
	return []ACL{{Perms: perms, ID: ID{Scheme: "digest", ID: DigestID(user, password)}}}
}

// DigestID returns ZooKeeper's digest id for user and password:
// user:base64(sha1(user:password)).
func DigestID(user, password string) string {
	h := sha1.Sum([]byte(user + ":" + password))
	return user + ":" + base64.StdEncoding.EncodeToString(h[:])
}
