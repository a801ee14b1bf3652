package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/internal/digestmd5"
	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/testserver/realzk"
)

// SASL scenarios. saslScenarios run in the main suite, on servers
// without SASL. The scenarios of saslConfigs need a server with SASL
// DIGEST-MD5 (a real one started with a JAAS Server section and the SASL
// provider, the embedded one with WithSASLUsers): TestConformanceSASL
// runs them, one real server per configuration, and keeps their golden
// transcripts in testdata/sasl.

// saslUsers are the DIGEST-MD5 users of the SASL configurations.
var saslUsers = map[string]string{"alice": "secret"}

// saslScenarios need no SASL on the server.
var saslScenarios = []scenario{
	{"sasl_not_configured", func(e *env) {
		// processSasl without a SASL server: OK with a null token, and
		// the connection stays open.
		a := e.open("a")
		a.sasl("empty", []byte{})
		a.sasl("token", []byte("x"))
		a.exists(e.p(""), false)
	}},
}

// saslConfig is a server configuration and the scenarios run on it.
type saslConfig struct {
	name      string
	required  bool // zookeeper.sessionRequireClientSASLAuth=true
	scenarios []scenario
}

var saslConfigs = []saslConfig{
	{name: "digest", scenarios: []scenario{
		{"sasl_digest_ok", func(e *env) {
			a := e.openSASL("a", "alice", "secret")
			a.mk(e.p(""))
			a.createACL(e.p("x"), "v", persistent, saslACL(jute.PermAll, "alice"))
			a.get(e.p("x"), false)
			a.createACL(e.p("mine"), "", persistent, []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "auth"}}})
			a.getACL(e.p("mine"))
			a.whoAmI()
			b := e.open("b")
			b.get(e.p("x"), false)
			b.whoAmI()
		}},
		{"sasl_digest_wrong_password", func(e *env) {
			a := e.open("a")
			b := e.open("b")
			a.saslDigest("alice", "wrong")
			a.exists(e.p(""), false)
			b.exists(e.p(""), false)
		}},
		{"sasl_digest_initial_token", func(e *env) {
			a := e.open("a")
			a.sasl("initial", []byte("username=\"alice\""))
			a.exists(e.p(""), false)
		}},
		{"sasl_digest_after_complete", func(e *env) {
			a := e.openSASL("a", "alice", "secret")
			a.sasl("again", []byte{})
			a.exists(e.p(""), false)
		}},
		{"sasl_acl_ids", func(e *env) {
			a := e.open("a")
			a.mk(e.p(""))
			a.createACL(e.p("simple"), "", persistent, saslACL(jute.PermAll, "bob"))
			a.createACL(e.p("princ"), "", persistent, saslACL(jute.PermAll, "zk/host@EXAMPLE.COM"))
			a.createACL(e.p("bad"), "", persistent, saslACL(jute.PermAll, "a@b@c"))
			a.createACL(e.p("auth"), "", persistent, []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "auth"}}})
		}},
	}},
	{name: "required", required: true, scenarios: []scenario{
		{"sasl_required_ok", func(e *env) {
			a := e.openSASL("a", "alice", "secret")
			a.exists(e.p(""), false)
		}},
		{"sasl_required_unauthenticated", func(e *env) {
			e.openSASL("a", "alice", "secret")
			b := e.open("b")
			b.exists(e.p(""), false)
			b.exists(e.p(""), false)
		}},
		{"sasl_required_wrong_password", func(e *env) {
			e.openSASL("a", "alice", "secret")
			b := e.open("b")
			b.saslDigest("alice", "wrong")
		}},
	}},
}

func saslACL(perms int32, id string) []jute.ACL {
	return []jute.ACL{{Perms: perms, ID: jute.Id{Scheme: "sasl", ID: id}}}
}

// sasl sends one SASL packet and logs the reply: its code and its token
// (null, or the DIGEST-MD5 field names, values only where deterministic).
func (s *session) sasl(desc string, token []byte) ([]byte, int32) {
	s.e.t.Helper()
	h, body, ok := s.call(jute.OpSASL, &jute.GetSASLRequest{Token: token})
	var r jute.SetSASLResponse
	extra := ""
	if ok && h.Err == 0 && s.decode(body, &r) {
		extra = "token=" + describeToken(r.Token)
	}
	s.result("sasl "+desc, h, ok, extra)
	if !ok {
		return nil, jute.ErrConnectionLoss
	}
	return r.Token, h.Err
}

// describeToken shows a server token for a transcript.
func describeToken(tok []byte) string {
	if tok == nil {
		return "null"
	}
	f, err := digestmd5.Parse(tok)
	if err != nil || len(f) == 0 {
		return fmt.Sprintf("%d bytes", len(tok))
	}
	parts := make([]string, len(f))
	for i, kv := range f {
		v := kv[1]
		if kv[0] == "nonce" || kv[0] == "rspauth" {
			v = "*"
		}
		parts[i] = kv[0] + "=" + v
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// saslDigest runs a DIGEST-MD5 exchange as the Java client does (empty
// first token, the response, the server's rspauth checked) and logs it.
func (s *session) saslDigest(user, pass string) bool {
	s.e.t.Helper()
	ch, code := s.sasl("start", []byte{})
	if code != 0 {
		return false
	}
	f, err := digestmd5.Parse(ch)
	if err != nil {
		s.e.log("%s bad challenge: %v", s.name, err)
		return false
	}
	const cnonce, nc, uri = "conformance-cnonce", "00000001", "zookeeper/zk-sasl-md5"
	resp, rspauth := digestmd5.Response(digestmd5.Params{User: user, Realm: f.Get("realm"), Pass: pass,
		Nonce: f.Get("nonce"), CNonce: cnonce, NC: nc, DigestURI: uri})
	q := digestmd5.Quote
	msg := fmt.Sprintf("charset=utf-8,username=%s,realm=%s,nonce=%s,nc=%s,cnonce=%s,digest-uri=%s,maxbuf=65536,response=%s,qop=auth",
		q(user), q(f.Get("realm")), q(f.Get("nonce")), nc, q(cnonce), q(uri), resp)
	fin, code := s.sasl("response "+user, []byte(msg))
	if code != 0 {
		return false
	}
	ff, _ := digestmd5.Parse(fin)
	s.e.log("%s rspauth matches=%v", s.name, ff.Get("rspauth") == rspauth)
	return true
}

// openSASL opens a session that authenticates with DIGEST-MD5 before any
// other request (the ping that reads the base zxid comes after it).
func (e *env) openSASL(name, user, pass string) *session {
	e.t.Helper()
	const timeout = 10 * time.Second
	base := e.base
	e.base = 0 // no ping before the exchange
	s := e.openTimeout(name, timeout)
	e.base = base
	s.saslDigest(user, pass)
	if e.base < 0 && s.alive {
		s.send(jute.XidPing, jute.OpPing, nil)
		f, ok := s.await(jute.XidPing)
		if !ok {
			e.t.Fatalf("%s: closed before the first ping", name)
		}
		e.base = f.Header.Zxid
	}
	return s
}

// TestConformanceSASL runs saslConfigs' scenarios against an embedded
// server with SASL and a real ZooKeeper 3.8 started with a JAAS file
// (ZKCURATOR_REAL_ZK=1), or the golden transcripts in testdata/sasl.
func TestConformanceSASL(t *testing.T) {
	for _, cfg := range saslConfigs {
		t.Run(cfg.name, func(t *testing.T) {
			var real *realzk.Ensemble
			if os.Getenv(zktest.EnvReal) == "1" {
				props := map[string]string{}
				if cfg.required {
					props["zookeeper.sessionRequireClientSASLAuth"] = "true"
				}
				real = zktest.RealSASL(t, zktest.WriteJAAS(t, zktest.DigestServerSection(saslUsers)), props)
			} else if *update {
				t.Fatal("-update needs a real ZooKeeper: set ZKCURATOR_REAL_ZK=1")
			}
			for _, sc := range cfg.scenarios {
				t.Run(sc.name, func(t *testing.T) {
					srv := testserver.New(t, testserver.WithSASLUsers(saslUsers), testserver.WithSASLRequired(cfg.required))
					compare(t, srv, real, sc, filepath.Join("testdata", "sasl", sc.name+".golden"))
				})
			}
		})
	}
}
