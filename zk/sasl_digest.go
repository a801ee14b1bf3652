package zk

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/zkcurator/zkcurator/internal/digestmd5"
)

// The DIGEST-MD5 SASL mechanism (RFC 2831), as ZooKeeper's server runs it
// for users of its DigestLoginModule (JAAS: user_<name>="<password>").
const (
	// DigestMD5Realm is the realm ZooKeeper's server uses for DIGEST-MD5.
	DigestMD5Realm = "zk-sasl-md5"
	// digestService and digestURI are the service and digest-uri the
	// Java client uses ("zookeeper" on server name "zk-sasl-md5").
	digestService = "zookeeper"
	digestURI     = digestService + "/" + DigestMD5Realm
	// maxDigestChallenge is RFC 2831's limit on a challenge's size.
	maxDigestChallenge = 2048
)

// DigestMD5 returns the DIGEST-MD5 SASL mechanism for username and
// password, for WithSASL. The server must have that user in its JAAS
// Server section (org.apache.zookeeper.server.auth.DigestLoginModule with
// user_<username>="<password>") and the SASL authentication provider
// (zookeeper.authProvider.1=org.apache.zookeeper.server.auth.SASLAuthenticationProvider).
// The authenticated client appears in ACLs as sasl:<username>.
//
// The exchange is the one the Java client makes: an empty first token,
// the server's challenge, the client's response (qop auth, digest-uri
// zookeeper/zk-sasl-md5), and the server's rspauth, which is checked: a
// server that does not know the password fails the exchange.
//
// The username must not be empty; both must be valid UTF-8. A bad
// argument makes Dial and Connect fail with ErrInvalidOption (through
// WithSASL).
func DigestMD5(username, password string) SASLMechanism {
	return &digestMD5{user: username, pass: password}
}

type digestMD5 struct {
	user, pass string
	cnonce     func() (string, error) // nil: random; tests fix it
}

func (m *digestMD5) Name() string { return "DIGEST-MD5" }

// validate reports a bad argument of DigestMD5 (WithSASL calls it).
func (m *digestMD5) validate() error {
	switch {
	case m.user == "":
		return errors.New("DIGEST-MD5: empty username")
	case !utf8.ValidString(m.user):
		return errors.New("DIGEST-MD5: username is not valid UTF-8")
	case !utf8.ValidString(m.pass):
		return errors.New("DIGEST-MD5: password is not valid UTF-8")
	}
	return nil
}

// Start begins one exchange; server is not used (DIGEST-MD5 names the
// service by realm, not by host).
func (m *digestMD5) Start(ctx context.Context, server string) (SASLExchange, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	return &digestExchange{m: m}, nil
}

// digestExchange is one DIGEST-MD5 exchange: step 0 sends the empty
// initial token, step 1 answers the challenge, step 2 checks rspauth.
type digestExchange struct {
	m       *digestMD5
	step    int
	rspauth string // expected from the server at step 2
}

func (e *digestExchange) Step(ctx context.Context, challenge []byte) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	e.step++
	switch e.step {
	case 1:
		// DIGEST-MD5 has no initial response: the server speaks first.
		return []byte{}, false, nil
	case 2:
		resp, rspauth, err := e.m.respond(challenge)
		if err != nil {
			return nil, false, err
		}
		e.rspauth = rspauth
		return resp, false, nil
	case 3:
		f, err := digestmd5.Parse(challenge)
		if err != nil {
			return nil, false, fmt.Errorf("DIGEST-MD5: server's final message: %w", err)
		}
		got := f.Get("rspauth")
		if subtle.ConstantTimeCompare([]byte(got), []byte(e.rspauth)) != 1 {
			return nil, false, errors.New("DIGEST-MD5: the server's rspauth does not match: it does not know the password")
		}
		return nil, true, nil
	}
	return nil, false, errors.New("DIGEST-MD5: exchange already complete")
}

// respond answers the server's digest-challenge: the digest-response, and
// the rspauth the server must send back.
func (m *digestMD5) respond(challenge []byte) (resp []byte, rspauth string, err error) {
	if len(challenge) == 0 {
		return nil, "", errors.New("DIGEST-MD5: the server sent no challenge (is SASL configured on the server?)")
	}
	if len(challenge) > maxDigestChallenge {
		return nil, "", fmt.Errorf("DIGEST-MD5: challenge of %d bytes, limit %d", len(challenge), maxDigestChallenge)
	}
	f, err := digestmd5.Parse(challenge)
	if err != nil {
		return nil, "", fmt.Errorf("DIGEST-MD5: challenge: %w", err)
	}
	nonce := f.Get("nonce")
	if nonce == "" {
		return nil, "", errors.New("DIGEST-MD5: challenge without a nonce")
	}
	if a := f.Get("algorithm"); a != "md5-sess" {
		return nil, "", fmt.Errorf("DIGEST-MD5: challenge algorithm %q, want md5-sess", a)
	}
	if qops := f.Get("qop"); qops != "" && !digestmd5.HasToken(qops, "auth") {
		return nil, "", fmt.Errorf("DIGEST-MD5: server offers qop %q, not auth", qops)
	}
	realm := f.Get("realm") // the first realm offered
	utf8ok := f.Get("charset") == "utf-8"
	user, pass, realmEnc := m.user, m.pass, realm
	if !utf8ok {
		// Without charset=utf-8 the values are ISO 8859-1 (RFC 2831 2.1.2.1).
		var ok bool
		if user, ok = digestmd5.Latin1(m.user); ok {
			pass, ok = digestmd5.Latin1(m.pass)
		}
		if !ok {
			return nil, "", errors.New("DIGEST-MD5: the server did not offer charset=utf-8 and the credentials are not ISO 8859-1")
		}
		realmEnc, _ = digestmd5.Latin1(realm)
	}
	cnonce, err := m.newCnonce()
	if err != nil {
		return nil, "", err
	}
	const nc = "00000001"
	response, rspauth := digestmd5.Response(digestmd5.Params{
		User: user, Realm: realmEnc, Pass: pass,
		Nonce: nonce, CNonce: cnonce, NC: nc, DigestURI: digestURI,
	})

	q := digestmd5.Quote
	var b strings.Builder
	if utf8ok {
		b.WriteString("charset=utf-8,")
	}
	fmt.Fprintf(&b, "username=%s,realm=%s,nonce=%s,nc=%s,cnonce=%s,digest-uri=%s,maxbuf=65536,response=%s,qop=auth",
		q(m.user), q(realm), q(nonce), nc, q(cnonce), q(digestURI), response)
	return []byte(b.String()), rspauth, nil
}

func (m *digestMD5) newCnonce() (string, error) {
	if m.cnonce != nil {
		return m.cnonce()
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("DIGEST-MD5: cnonce: %w", err)
	}
	return base64.RawStdEncoding.EncodeToString(b[:]), nil
}
