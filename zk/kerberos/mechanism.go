package kerberos

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/krberror"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"

	"github.com/zkcurator/zkcurator/zk"
)

// Mechanism is the GSSAPI zk.SASLMechanism (give it to zk.WithSASL). One
// Mechanism keeps its Kerberos tickets across connections, as the Java
// client's login and JGSS do: the first connection logs in (AS exchange
// with the keytab, or the TGT of the credentials cache) and gets a
// service ticket for the server (TGS exchange); later connections,
// reconnects included, reuse both while they are valid, so a reconnect
// storm after a network blip does not reach the KDC, and a KDC that is
// down does not stop reconnects while the tickets in hand are valid.
//
// Once it holds tickets, the Mechanism renews them before they expire,
// as the Java client's login thread does, whether or not a connection
// needs them: at 80-85 % of each ticket's lifetime (jittered, and not
// sooner than a minute after it got the ticket unless the ticket would
// expire first) a timer logs in again with the keytab, or reads the
// credentials cache again and renews its TGT if the cache's renew-till
// allows, then gets new service tickets for the servers it holds tickets
// for. A renewal that fails (KDC down or slow) keeps the ticket in hand
// in use and is retried with backoff until that ticket expires. So an
// idle session whose connection drops hours later finds valid tickets
// although the KDC is unreachable at that moment. A connection that
// needs a ticket due for renewal asks the KDC itself (falling back to
// the ticket in hand if the KDC fails), unless a renewal is in flight:
// then it uses the ticket in hand instead of waiting. Share one Mechanism
// between the Conns or Clients of one principal to share its tickets.
//
// It is safe for concurrent use: concurrent connections that need the KDC
// wait for one request instead of each making their own. Between
// renewals it holds no goroutine, only a timer (time.AfterFunc); Close
// stops it, waits for a renewal in flight, and forgets the tickets and
// keys.
type Mechanism struct {
	r      *resolved
	now    func() time.Time                             // time.Now; tests move it
	after  func(d time.Duration, f func()) renewalTimer // time.AfterFunc; tests fire it themselves
	jitter func() float64                               // rand.Float64 in [0, 1): where in the renewal window

	// Held while talking to the KDC (one request at a time), and by
	// whatever replaces cl's credentials cache.
	kdc sync.Mutex
	// Hooks to the KDC, so that tests of the renewal schedule need none:
	// a new TGT for a realm (newTGT) and a new service ticket (newServiceTicket).
	fetchTGT func(realm string, now time.Time) (*ticket, error)
	fetchSvc func(spn, realm string, now time.Time) (*ticket, error)

	mu sync.Mutex // guards everything below; never held while talking to the KDC
	// The gokrb5 client (credentials and krb5.conf; its own session and
	// ticket caches are not used) and the tickets.
	cl       *client.Client
	ccStamp  fileStamp          // the credentials cache file cl was read from
	tgts     map[string]*ticket // TGTs by realm (the client's, cross-realm)
	svc      map[string]*ticket // service tickets by service principal
	timer    renewalTimer       // the next renewal, or nil
	timerAt  time.Time          // when timer fires (m.now's clock)
	timerGen int                // counts timers armed; a firing timer clears timer if still the current one
	renewing bool               // a renewal round is running
	closed   bool
	inFlight sync.WaitGroup // KDC goroutines of Start, and a renewal round
}

// New validates cfg, loads the krb5.conf, keytab or credentials cache it
// names, and returns the GSSAPI mechanism to give to zk.WithSASL. Config
// mistakes wrap zk.ErrInvalidArgument; a missing file wraps fs.ErrNotExist;
// a keytab without the principal's key wraps ErrPrincipalNotInKeytab. The
// KDC is not contacted, nor a renewal timer armed, until a connection
// starts an exchange.
func New(cfg Config) (*Mechanism, error) {
	r, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	m := &Mechanism{r: r, now: time.Now, after: afterFunc, jitter: rand.Float64, tgts: map[string]*ticket{}, svc: map[string]*ticket{}}
	m.fetchTGT, m.fetchSvc = m.newTGT, m.newServiceTicket
	if r.kt != nil {
		m.cl = client.NewWithKeytab(r.user, r.realm, r.kt, r.krb5, client.DisablePAFXFAST(true)) // no KDC, no goroutine
	} else if err := m.loadCCache(m.now()); err != nil {
		return nil, err
	}
	return m, nil
}

// Name returns "GSSAPI".
func (m *Mechanism) Name() string { return "GSSAPI" }

// Start returns the exchange for one connection to server, whose first
// step sends the AP-REQ. It asks the KDC only for tickets it does not hold
// or that need renewing. The KDC calls (gokrb5 has no context) run on
// their own goroutine: when ctx ends first Start returns ctx's error and
// that goroutine finishes in the background, bounded by gokrb5's own
// network timeouts (its tickets are kept for the next connection). After
// Close, Start returns an error matching zk.ErrClosed.
func (m *Mechanism) Start(ctx context.Context, server string) (zk.SASLExchange, error) {
	host, err := m.serviceHost(ctx, server)
	if err != nil {
		return nil, err
	}
	spn := m.r.service + "/" + host
	// A fresh ticket in hand: no KDC, no goroutine.
	if ex, ok, err := m.fromHeld(spn, (*ticket).fresh); err != nil {
		return nil, err
	} else if ok {
		return ex, nil
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, fmt.Errorf("kerberos: service ticket for %s: %w", spn, zk.ErrClosed)
	}
	m.inFlight.Add(1)
	m.mu.Unlock()
	type result struct {
		ex  *exchange
		err error
	}
	ch := make(chan result, 1)
	go func() {
		defer m.inFlight.Done()
		ex, err := m.initiate(spn)
		ch <- result{ex, err}
	}()
	select {
	case res := <-ch:
		if res.err != nil {
			return nil, res.err
		}
		return res.ex, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("kerberos: service ticket for %s: %w", spn, ctx.Err())
	}
}

// Close stops the renewal timer and forgets the tickets and their keys;
// later Starts fail with zk.ErrClosed. It waits for a KDC request in
// flight, of a connection or of a renewal (bounded by gokrb5's network
// timeouts: 5 s to connect and 5 s to answer per KDC); nothing of the
// Mechanism runs after it returns. Close the Mechanism after the Conns
// and Clients that use it; it is idempotent and always returns nil.
func (m *Mechanism) Close() error {
	m.mu.Lock()
	already := m.closed
	m.closed = true
	m.stopTimerLocked()
	m.mu.Unlock()
	if already {
		return nil
	}
	m.inFlight.Wait()
	m.kdc.Lock()
	defer m.kdc.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cl != nil {
		m.cl.Destroy() // ends any renewal goroutine gokrb5 started for a referral
		m.cl = nil
	}
	clear(m.tgts)
	clear(m.svc)
	return nil
}

// serviceHost is the host part of the service principal for server.
func (m *Mechanism) serviceHost(ctx context.Context, server string) (string, error) {
	if m.r.host != "" {
		return m.r.host, nil
	}
	host := server
	if h, _, err := net.SplitHostPort(server); err == nil {
		host = h
	}
	if host == "" {
		return "", fmt.Errorf("kerberos: no host in server address %q: %w", server, zk.ErrInvalidArgument)
	}
	if m.r.canon {
		host = canonicalHost(ctx, host)
	}
	return strings.ToLower(host), nil
}

// canonicalHost is host's canonical name: the first name a reverse lookup
// of its (first) address gives, as Java's getCanonicalHostName; host
// itself when a lookup fails.
func canonicalHost(ctx context.Context, host string) string {
	addr := host
	if net.ParseIP(host) == nil {
		addrs, err := net.DefaultResolver.LookupHost(ctx, host)
		if err != nil || len(addrs) == 0 {
			return host
		}
		addr = addrs[0]
	}
	names, err := net.DefaultResolver.LookupAddr(ctx, addr)
	if err != nil || len(names) == 0 {
		return host
	}
	return strings.TrimSuffix(names[0], ".")
}

// initiate gets a ticket for spn (held or from the KDC) and builds the
// AP-REQ token. A fresh ticket in hand serves without waiting for the
// KDC lock; so does a usable one while another request (a renewal, or
// another connection's) is talking to the KDC.
func (m *Mechanism) initiate(spn string) (*exchange, error) {
	if ex, ok, err := m.fromHeld(spn, (*ticket).fresh); ok || err != nil {
		return ex, err
	}
	if !m.kdc.TryLock() {
		if ex, ok, err := m.fromHeld(spn, (*ticket).usable); ok || err != nil {
			return ex, err
		}
		m.kdc.Lock()
	}
	defer m.kdc.Unlock()
	if m.isClosed() {
		return nil, fmt.Errorf("kerberos: service ticket for %s: %w", spn, zk.ErrClosed)
	}
	t, err := m.serviceTicket(spn)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rescheduleLocked(m.now())
	return m.apReqLocked(spn, t)
}

// fromHeld builds the AP-REQ from the ticket held for spn if ok(ticket,
// now); ok reports whether it did.
func (m *Mechanism) fromHeld(spn string, ok func(*ticket, time.Time) bool) (*exchange, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, false, fmt.Errorf("kerberos: service ticket for %s: %w", spn, zk.ErrClosed)
	}
	now := m.now()
	t := m.svc[spn]
	if !ok(t, now) {
		return nil, false, nil
	}
	if m.timer == nil && !m.renewing {
		m.rescheduleLocked(now) // tickets read from a credentials cache
	}
	ex, err := m.apReqLocked(spn, t)
	return ex, true, err
}

// apReqLocked builds the exchange for a ticket to spn. Called with m.mu
// held (m.cl is replaced when a credentials cache is read again).
func (m *Mechanism) apReqLocked(spn string, t *ticket) (*exchange, error) {
	// Integrity and confidentiality are what the Java client asks for; no
	// mutual authentication (nor does the Java client ask for it), so the
	// server answers the AP-REQ with its security-layer offer directly.
	// Each AP-REQ has a new authenticator, so reusing the ticket is no
	// replay.
	tok, err := spnego.NewKRB5TokenAPREQ(m.cl, t.tkt, t.key, []int{gssapi.ContextFlagInteg, gssapi.ContextFlagConf}, nil)
	if err != nil {
		return nil, fmt.Errorf("kerberos: AP-REQ for %s: %w", spn, err)
	}
	b, err := tok.Marshal()
	if err != nil {
		return nil, fmt.Errorf("kerberos: AP-REQ for %s: %w", spn, err)
	}
	return &exchange{apReq: b, key: t.key, authzID: m.r.authzID}, nil
}

func (m *Mechanism) isClosed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.closed
}

// kdcError wraps a gokrb5 error of what, adding ErrKDCUnreachable when no
// KDC could be reached.
func kdcError(what string, err error) error {
	var ke krberror.Krberror
	if errors.As(err, &ke) && ke.RootCause == krberror.NetworkingError {
		return fmt.Errorf("kerberos: %s: %w: %v", what, ErrKDCUnreachable, err)
	}
	var kerr messages.KRBError
	if errors.As(err, &kerr) {
		return fmt.Errorf("kerberos: %s: %w", what, kerr)
	}
	return fmt.Errorf("kerberos: %s: %w", what, err)
}
