package testserver

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"

	"github.com/zkcurator/zkcurator/internal/digestmd5"
	"github.com/zkcurator/zkcurator/jute"
)

// SASL DIGEST-MD5, as a real 3.8 server runs it with a JAAS Server
// section of org.apache.zookeeper.server.auth.DigestLoginModule users and
// zookeeper.authProvider.1=...SASLAuthenticationProvider
// (ZooKeeperServer.processSasl, the JDK's DigestMD5Server).

const (
	saslRealm     = "zk-sasl-md5"
	saslDigestURI = "zookeeper/" + saslRealm
)

// WithSASLUsers enables SASL DIGEST-MD5 with these users (name to
// password), like a real server given a JAAS Server section with
// DigestLoginModule's user_<name>="<password>" entries and the SASL
// authentication provider. A client that authenticates gets the id
// sasl:<name>, usable in ACLs ("sasl" ACLs are accepted only with this
// option, as on a real server without the provider). A failed exchange is
// answered with AuthFailed (SessionClosedRequireSaslAuth under
// WithSASLRequired) and the connection is closed; the session lives on.
//
// Without this option a SASL packet is answered as a real 3.8 server
// without SASL answers it: OK with no token.
func WithSASLUsers(users map[string]string) Option {
	return func(c *config) {
		c.saslUsers = make(map[string]string, len(users))
		for u, p := range users {
			c.saslUsers[u] = p
		}
	}
}

// WithSASLRequired is real ZooKeeper's
// zookeeper.sessionRequireClientSASLAuth=true: a connection that sends any
// request other than auth and SASL packets before it has authenticated
// with SASL gets SessionClosedRequireSaslAuth (-124) and is closed (the
// session itself is not closed: it expires unless a client re-attaches).
func WithSASLRequired(on bool) Option { return func(c *config) { c.requireSASL = on } }

// saslState is one connection's DIGEST-MD5 exchange.
type saslState struct {
	step  int    // packets answered
	nonce string // sent in the challenge
	done  bool
}

func (s *Server) saslEnabled() bool { return s.cfg.saslUsers != nil }

// saslAuthorized reports whether c may send a normal request: always,
// unless WithSASLRequired and c has no sasl id.
func (s *Server) saslAuthorized(c *conn) bool {
	if !s.cfg.requireSASL {
		return true
	}
	for _, id := range c.auth {
		if id.Scheme == "sasl" {
			return true
		}
	}
	return false
}

// refuseUnauthenticated answers a request of a connection that has not
// authenticated with SASL under WithSASLRequired (AuthenticationHelper.
// enforceAuthentication): SessionClosedRequireSaslAuth, then close.
func (s *Server) refuseUnauthenticated(r *request) bool {
	s.log.Debug("request before SASL authentication", "op", r.op, "remote", r.c.remote)
	r.c.reply(r.xid, 0, jute.ErrSessionClosedRequireSaslAuth, nil)
	r.c.closeGracefully()
	return false
}

// doSASL answers one SASL packet (op 102).
func (s *Server) doSASL(r *request) bool {
	var req jute.GetSASLRequest
	if jute.Unmarshal(r.body, &req) != nil {
		return false
	}
	c := r.c
	if !s.saslEnabled() {
		// processSasl with no SASL server: its NullPointerException is
		// caught and logged, and the reply is OK with a null token.
		c.reply(r.xid, 0, 0, nullToken{})
		return true
	}
	if c.sasl == nil {
		c.sasl = &saslState{}
	}
	tok, user, err := s.saslStep(c.sasl, req.Token)
	if err != nil {
		s.log.Info("SASL authentication failed", "remote", c.remote, "err", err)
		code := jute.ErrAuthFailed
		if s.cfg.requireSASL {
			code = jute.ErrSessionClosedRequireSaslAuth
		}
		// Real servers send the header and a null token even on error.
		b, start := jute.BeginFrame(make([]byte, 0, 32))
		h := jute.ReplyHeader{Xid: r.xid, Zxid: 0, Err: code}
		b = jute.EndFrame(jute.AppendBuffer(h.Encode(b), nil), start)
		c.enqueue(b, false)
		c.closeGracefully()
		return false
	}
	if user != "" {
		id := jute.Id{Scheme: "sasl", ID: user}
		found := false
		for _, have := range c.auth {
			found = found || have == id
		}
		if !found {
			c.auth = javaSetOrder(append(c.auth, id))
		}
	}
	c.reply(r.xid, 0, 0, &jute.SetSASLResponse{Token: tok})
	return true
}

// saslStep is DigestMD5Server.evaluateResponse: the challenge for the
// empty first token, then rspauth for a correct digest-response (user is
// then the authenticated name).
func (s *Server) saslStep(st *saslState, token []byte) (reply []byte, user string, err error) {
	st.step++
	switch {
	case st.done || st.step > 2:
		return nil, "", fmt.Errorf("DIGEST-MD5 authentication already complete")
	case st.step == 1:
		// A first token is ignored (a real 3.8 server answers it with
		// the challenge too).
		var b [24]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, "", err
		}
		st.nonce = base64.RawStdEncoding.EncodeToString(b[:])
		// As the JDK's server: no qop (auth is the default).
		ch := fmt.Sprintf(`realm=%s,nonce=%s,charset=utf-8,algorithm=md5-sess`,
			digestmd5.Quote(saslRealm), digestmd5.Quote(st.nonce))
		return []byte(ch), "", nil
	}
	f, err := digestmd5.Parse(token)
	if err != nil {
		return nil, "", err
	}
	user = f.Get("username")
	pass, known := s.cfg.saslUsers[user]
	switch {
	case !known:
		return nil, "", fmt.Errorf("unknown user %q", user)
	case f.Get("nonce") != st.nonce:
		return nil, "", fmt.Errorf("nonce mismatch")
	case f.Get("nc") != "00000001":
		return nil, "", fmt.Errorf("nonce count %q", f.Get("nc"))
	case f.Get("qop") != "" && f.Get("qop") != "auth":
		return nil, "", fmt.Errorf("qop %q", f.Get("qop"))
	case f.Get("digest-uri") != saslDigestURI:
		return nil, "", fmt.Errorf("digest-uri %q, want %q", f.Get("digest-uri"), saslDigestURI)
	case f.Get("realm") != "" && f.Get("realm") != saslRealm:
		return nil, "", fmt.Errorf("realm %q", f.Get("realm"))
	}
	p := digestmd5.Params{User: user, Realm: f.Get("realm"), Pass: pass,
		Nonce: st.nonce, CNonce: f.Get("cnonce"), NC: "00000001",
		DigestURI: saslDigestURI, AuthzID: f.Get("authzid")}
	if !strings.EqualFold(f.Get("charset"), "utf-8") {
		var ok bool
		if p.User, ok = digestmd5.Latin1(p.User); ok {
			p.Pass, ok = digestmd5.Latin1(p.Pass)
		}
		if !ok {
			return nil, "", fmt.Errorf("credentials not in ISO 8859-1")
		}
	}
	want, rspauth := digestmd5.Response(p)
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(f.Get("response")))) != 1 {
		return nil, "", fmt.Errorf("wrong password for %q", user)
	}
	st.done = true
	// The authorized id is the authentication id (SaslServerCallbackHandler
	// ignores a requested authzid).
	return []byte("rspauth=" + rspauth), user, nil
}

// kerberosName is KerberosName's parser.
var kerberosName = regexp.MustCompile(`^([^/@]*)(/([^/@]*))?@([^/@]*)$`)

// validSASLID is SASLAuthenticationProvider.isValid: a name KerberosName
// accepts — anything without "@", else name[/host]@REALM.
func validSASLID(id string) bool {
	return !strings.Contains(id, "@") || kerberosName.MatchString(id)
}
