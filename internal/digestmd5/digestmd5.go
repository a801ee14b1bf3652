// Package digestmd5 holds the parts of the DIGEST-MD5 SASL mechanism (RFC
// 2831) that both sides need: the message syntax and the response
// computation. The zk client (zk.DigestMD5) and the embedded test server
// (testserver.WithSASLUsers) build on it.
package digestmd5

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
)

// Fields are the key=value pairs of a DIGEST-MD5 message, in order; keys
// are lower-cased.
type Fields [][2]string

// Get returns the first value of key, "" if absent.
func (f Fields) Get(key string) string {
	for _, kv := range f {
		if kv[0] == key {
			return kv[1]
		}
	}
	return ""
}

// Count returns how many times key appears.
func (f Fields) Count(key string) int {
	n := 0
	for _, kv := range f {
		if kv[0] == key {
			n++
		}
	}
	return n
}

// Parse parses `k=v,k="quoted \" v",...` (RFC 2831 7.1's #rule: empty
// elements and spaces around them are allowed).
func Parse(b []byte) (Fields, error) {
	s := string(b)
	var out Fields
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return out, nil
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("malformed field %q", truncate(s))
		}
		key := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimLeft(s[eq+1:], " \t")
		var val string
		if strings.HasPrefix(s, `"`) {
			var v strings.Builder
			i, closed := 1, false
			for ; i < len(s); i++ {
				c := s[i]
				if c == '\\' && i+1 < len(s) {
					i++
					v.WriteByte(s[i])
					continue
				}
				if c == '"' {
					closed = true
					break
				}
				v.WriteByte(c)
			}
			if !closed {
				return nil, fmt.Errorf("unterminated quoted value of %q", key)
			}
			val, s = v.String(), s[i+1:]
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			val, s = strings.TrimSpace(s[:end]), s[end:]
		}
		s = strings.TrimLeft(s, " \t")
		if s != "" && s[0] != ',' {
			return nil, fmt.Errorf("malformed field after %q", key)
		}
		out = append(out, [2]string{key, val})
	}
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// Quote quotes a value for a DIGEST-MD5 message.
func Quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// HasToken reports whether the comma-separated list has tok.
func HasToken(list, tok string) bool {
	for _, t := range strings.Split(list, ",") {
		if strings.TrimSpace(t) == tok {
			return true
		}
	}
	return false
}

// Params are the inputs of a response computation, qop auth. User, Realm
// and Pass are in the charset the exchange agreed (UTF-8, or ISO 8859-1
// when charset=utf-8 was not given; see Latin1).
type Params struct {
	User, Realm, Pass string
	Nonce, CNonce, NC string
	DigestURI         string
	AuthzID           string // "" when not sent
}

// Response computes RFC 2831's response-value (2.1.2.1) and the
// rspauth the server answers with (2.1.3), both as lower-case hex.
func Response(p Params) (response, rspauth string) {
	h := md5.Sum([]byte(p.User + ":" + p.Realm + ":" + p.Pass))
	a1 := string(h[:]) + ":" + p.Nonce + ":" + p.CNonce
	if p.AuthzID != "" {
		a1 += ":" + p.AuthzID
	}
	ha1 := md5hex(a1)
	kd := func(a2 string) string {
		return md5hex(ha1 + ":" + p.Nonce + ":" + p.NC + ":" + p.CNonce + ":auth:" + md5hex(a2))
	}
	return kd("AUTHENTICATE:" + p.DigestURI), kd(":" + p.DigestURI)
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// Latin1 converts s to ISO 8859-1 bytes; false if it has a rune above 0xff.
func Latin1(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return "", false
		}
		b = append(b, byte(r))
	}
	return string(b), true
}
