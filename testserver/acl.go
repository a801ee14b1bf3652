package testserver

import (
	"crypto/sha1"
	"encoding/base64"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/zkcurator/zkcurator/jute"
)

// digestOf returns ZooKeeper's digest id for "user:password":
// user:base64(sha1("user:password")).
func digestOf(idPassword string) string {
	user, _, _ := strings.Cut(idPassword, ":")
	sum := sha1.Sum([]byte(idPassword))
	return user + ":" + base64.StdEncoding.EncodeToString(sum[:])
}

// javaSplitLen mimics len(String.split(sep)) in Java: trailing empty
// strings are dropped.
func javaSplitLen(s, sep string) int {
	parts := strings.Split(s, sep)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return len(parts)
}

// parseIPACL parses an "ip" ACL id as ZooKeeper 3.8's
// IPAuthenticationProvider does: a dotted IPv4 address (four parts, each
// a Java int in 0..255, so "010" is 10) with an optional /bits in 0..32.
// IPv6 addresses are not understood (its v6addr2Bytes is a TODO), so an
// IPv6 ACL is invalid and an IPv6 client matches nothing.
func parseIPACL(id string) ([4]byte, int, bool) {
	addrPart, bitsPart, hasBits := strings.Cut(id, "/")
	addr, ok := javaV4Bytes(addrPart)
	if !ok {
		return addr, 0, false
	}
	bits := 32
	if hasBits {
		b, ok := javaParseInt(bitsPart)
		if !ok || b < 0 || b > 32 {
			return addr, 0, false
		}
		bits = int(b)
	}
	return addr, bits, true
}

// javaV4Bytes is IPAuthenticationProvider.v4addr2Bytes.
func javaV4Bytes(s string) ([4]byte, bool) {
	var b [4]byte
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return b, false
	}
	for i, p := range parts {
		v, ok := javaParseInt(p)
		if !ok || v < 0 || v > 255 {
			return b, false
		}
		b[i] = byte(v)
	}
	return b, true
}

// javaParseInt is Integer.parseInt(s, 10): an optional sign and at least
// one decimal digit of any script (Character.digit), within int range.
func javaParseInt(s string) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	var v int64
	for _, r := range s {
		d, ok := javaDigit(r)
		if !ok {
			return 0, false
		}
		v = v*10 + int64(d)
		if v > math.MaxInt32+1 {
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	if v > math.MaxInt32 || v < math.MinInt32 {
		return 0, false
	}
	return v, true
}

// javaDigit is Character.digit(r, 10) for decimal digits: Unicode decimal
// digits come in runs starting at a zero.
func javaDigit(r rune) (int, bool) {
	if r >= '0' && r <= '9' {
		return int(r - '0'), true
	}
	if !unicode.IsDigit(r) {
		return 0, false
	}
	z := r
	for z > 0 && unicode.IsDigit(z-1) {
		z--
	}
	return int(r-z) % 10, true
}

// validACLID reports whether a scheme's provider accepts the id
// (ServerAuthenticationProvider.isValid); unknown schemes are invalid.
// sasl says whether the SASL provider is registered (WithSASLUsers).
func validACLID(id jute.Id, sasl bool) bool {
	switch id.Scheme {
	case "sasl":
		return sasl && validSASLID(id.ID)
	case "digest":
		return javaSplitLen(id.ID, ":") == 2
	case "ip":
		_, _, ok := parseIPACL(id.ID)
		return ok
	}
	return false
}

// fixupACL checks and expands an ACL as PrepRequestProcessor.fixupACL does:
// duplicates removed, "auth" replaced by the connection's authenticated
// (digest) ids. ok is false for InvalidACL.
func fixupACL(acl []jute.ACL, auth []jute.Id, sasl bool) ([]jute.ACL, bool) {
	var uniq []jute.ACL
outer:
	for _, a := range acl {
		for _, u := range uniq {
			if u == a {
				continue outer
			}
		}
		uniq = append(uniq, a)
	}
	if len(uniq) == 0 {
		return nil, false
	}
	var out []jute.ACL
	for _, a := range uniq {
		switch {
		case a.ID.Scheme == "world" && a.ID.ID == "anyone":
			out = append(out, a)
		case a.ID.Scheme == "auth":
			found := false
			for _, id := range auth {
				if id.Scheme == "digest" || id.Scheme == "sasl" { // the authenticated schemes here
					found = true
					out = append(out, jute.ACL{Perms: a.Perms, ID: id})
				}
			}
			if !found {
				return nil, false
			}
		default:
			if !validACLID(a.ID, sasl) {
				return nil, false
			}
			out = append(out, a)
		}
	}
	return out, true
}

// checkACL reports whether a connection with the given auth ids holds perm
// on a node with acl (ZooKeeperServer.checkACL).
func checkACL(acl []jute.ACL, perm int32, auth []jute.Id) bool {
	if len(acl) == 0 {
		return true
	}
	for _, id := range auth {
		if id.Scheme == "super" {
			return true
		}
	}
	for _, a := range acl {
		if a.Perms&perm == 0 {
			continue
		}
		if a.ID.Scheme == "world" && a.ID.ID == "anyone" {
			return true
		}
		for _, id := range auth {
			if id.Scheme != a.ID.Scheme {
				continue
			}
			switch a.ID.Scheme {
			case "digest", "sasl":
				if id.ID == a.ID.ID {
					return true
				}
			case "ip":
				if ipMatches(id.ID, a.ID.ID) {
					return true
				}
			}
		}
	}
	return false
}

// ipMatches is IPAuthenticationProvider.matches: both addresses masked
// to the ACL's bits and compared; IPv4 only.
func ipMatches(client, aclExpr string) bool {
	addr, bits, ok := parseIPACL(aclExpr)
	if !ok {
		return false
	}
	c, ok := javaV4Bytes(client)
	if !ok {
		return false
	}
	for i := range 4 {
		keep := bits - 8*i
		var m byte
		switch {
		case keep >= 8:
			m = 0xff
		case keep > 0:
			m = ^byte(0xff >> keep)
		}
		if c[i]&m != addr[i]&m {
			return false
		}
	}
	return true
}

// maskDigests hides the hashes of digest ids, as getACL does for callers
// without ADMIN permission.
func maskDigests(acl []jute.ACL) []jute.ACL {
	out := make([]jute.ACL, len(acl))
	for i, a := range acl {
		if a.ID.Scheme == "digest" {
			if user, _, found := strings.Cut(a.ID.ID, ":"); found {
				a.ID.ID = user + ":x"
			}
		}
		out[i] = a
	}
	return out
}

// clientInfos implements whoAmI: one entry per auth id, the user being the
// digest user name or the ip address.
func clientInfos(auth []jute.Id) []jute.ClientInfo {
	out := make([]jute.ClientInfo, 0, len(auth))
	for _, id := range auth {
		user := id.ID
		if id.Scheme == "digest" {
			user, _, _ = strings.Cut(id.ID, ":")
		}
		out = append(out, jute.ClientInfo{AuthScheme: id.Scheme, User: user})
	}
	return out
}

// javaSetOrder orders auth ids as ZooKeeper's connection auth set (a
// ConcurrentHashMap key set) iterates them: by hash bucket, then insertion
// order. ids must be in insertion order. This decides the order whoAmI
// reports and "auth" ACLs expand in.
func javaSetOrder(ids []jute.Id) []jute.Id {
	n := 16
	for len(ids) > n*3/4 {
		n *= 2
	}
	type entry struct {
		id     jute.Id
		bucket int32
		pos    int
	}
	es := make([]entry, len(ids))
	for i, id := range ids {
		h := 37*(37*17+javaStringHash(id.Scheme)) + javaStringHash(id.ID)
		spread := (h ^ int32(uint32(h)>>16)) & 0x7fffffff
		es[i] = entry{id: id, bucket: spread & int32(n-1), pos: i}
	}
	sort.SliceStable(es, func(i, j int) bool { return es[i].bucket < es[j].bucket })
	out := make([]jute.Id, len(es))
	for i, e := range es {
		out[i] = e.id
	}
	return out
}

// javaStringHash is String.hashCode over UTF-16 code units.
func javaStringHash(s string) int32 {
	var h int32
	for _, u := range utf16.Encode([]rune(s)) {
		h = 31*h + int32(u)
	}
	return h
}
