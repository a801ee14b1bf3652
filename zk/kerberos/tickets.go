package kerberos

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
)

// The ticket cache of a Mechanism. gokrb5's own caches are not used: its
// TGT session starts a renewal goroutine per login that only Destroy
// stops, and its service-ticket cache hands out a ticket until the last
// second of its life and hides the times needed to renew it earlier.

const (
	// refreshDivisor: a ticket is renewed when a connection needs it in
	// the last 1/refreshDivisor of its lifetime (the Java client's login
	// thread renews the TGT at about 80 %).
	refreshDivisor = 5
	// expirySlack: a ticket this close to its end is no longer used, so
	// that the server does not see it expire while the AP-REQ is on its
	// way.
	expirySlack = 30 * time.Second
)

// ticket is a ticket with its session key and times.
type ticket struct {
	tkt       messages.Ticket
	key       types.EncryptionKey
	life      time.Duration // start to end
	end       time.Time     // on our clock (see fromReply)
	kdcEnd    time.Time     // the KDC's clock
	renewTill time.Time     // the KDC's clock

	// The renewal schedule (see renew.go), guarded by Mechanism.mu: when
	// to renew it next (zero: never, the ticket can no longer be used),
	// and how many renewals in a row failed.
	renewAt time.Time
	failed  int
}

func newTicket(tkt messages.Ticket, key types.EncryptionKey, auth, start, end, renewTill time.Time) *ticket {
	if start.IsZero() {
		start = auth
	}
	return &ticket{tkt: tkt, key: key, life: end.Sub(start), end: end, kdcEnd: end, renewTill: renewTill}
}

// fromReply is the ticket of a KDC reply received at now. Its end is
// counted on our clock from now (the KDC issued it just now), so a clock
// some minutes off the KDC's neither renews every ticket at once nor uses
// one past its end.
func fromReply(tkt messages.Ticket, p messages.EncKDCRepPart, now time.Time) *ticket {
	t := newTicket(tkt, p.Key, p.AuthTime, p.StartTime, p.EndTime, p.RenewTill)
	t.end = now.Add(t.life)
	return t
}

// fresh reports whether t is held and not yet due for renewal at now.
func (t *ticket) fresh(now time.Time) bool {
	if t == nil {
		return false
	}
	return now.Before(t.end.Add(-t.life / refreshDivisor))
}

// usable reports whether t is held and still valid enough to use at now
// when it cannot be renewed.
func (t *ticket) usable(now time.Time) bool {
	if t == nil {
		return false
	}
	return now.Before(t.usableUntil())
}

// usableUntil is when t stops being usable.
func (t *ticket) usableUntil() time.Time {
	return t.end.Add(-min(expirySlack, t.life/10))
}

// serviceTicket returns the ticket for spn: the one held while fresh,
// else a new one from the KDC, else (KDC trouble) the one held while
// usable. Called with m.kdc held.
func (m *Mechanism) serviceTicket(spn string) (*ticket, error) {
	now := m.now()
	old := m.held(m.svc, spn)
	if old.fresh(now) {
		return old, nil
	}
	t, err := m.fetchSvc(spn, m.serviceRealm(spn), now)
	if err != nil {
		if old.usable(now) {
			return old, nil
		}
		return nil, err
	}
	m.store(m.svc, spn, t, now)
	return t, nil
}

// held is the ticket of tickets (m.tgts or m.svc) under name.
func (m *Mechanism) held(tickets map[string]*ticket, name string) *ticket {
	m.mu.Lock()
	defer m.mu.Unlock()
	return tickets[name]
}

// store keeps t in tickets (m.tgts or m.svc) under name, planning its
// renewal. Called with m.kdc held.
func (m *Mechanism) store(tickets map[string]*ticket, name string, t *ticket, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.plan(t, now)
	tickets[name] = t
}

// serviceRealm is the realm of the service principal spn ("service/host"):
// krb5.conf's domain_realm for host, else the client's realm.
func (m *Mechanism) serviceRealm(spn string) string {
	_, host, _ := strings.Cut(spn, "/")
	if realm := m.r.krb5.ResolveRealm(host); realm != "" {
		return realm
	}
	return m.r.realm
}

// newServiceTicket asks realm's KDC for a ticket to spn (TGS exchange).
// Called with m.kdc held.
func (m *Mechanism) newServiceTicket(spn, realm string, now time.Time) (*ticket, error) {
	tgt, err := m.tgt(realm, now)
	if err != nil {
		return nil, err
	}
	princ := types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, spn)
	_, rep, err := m.client().TGSREQGenerateAndExchange(princ, realm, tgt.tkt, tgt.key, false)
	if err != nil {
		return nil, kdcError("service ticket for "+spn+"@"+realm, err)
	}
	return fromReply(rep.Ticket, rep.DecryptedEncPart, now), nil
}

// client is the gokrb5 client. Called with m.kdc held (only what holds
// it replaces the client).
func (m *Mechanism) client() *client.Client {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cl
}

// tgt returns the ticket-granting ticket for realm: the one held while
// fresh, else a new or renewed one, else (KDC trouble) the one held while
// usable. Called with m.kdc held.
func (m *Mechanism) tgt(realm string, now time.Time) (*ticket, error) {
	old := m.held(m.tgts, realm)
	if old.fresh(now) {
		return old, nil
	}
	t, err := m.fetchTGT(realm, now)
	if err != nil {
		if old.usable(now) {
			return old, nil
		}
		return nil, err
	}
	m.store(m.tgts, realm, t, now)
	return t, nil
}

// newTGT gets a new TGT for realm: cross-realm from the client's realm, a
// login with the keytab, or the credentials cache's. Called with m.kdc
// held.
func (m *Mechanism) newTGT(realm string, now time.Time) (*ticket, error) {
	switch {
	case realm != m.r.realm:
		return m.crossRealmTGT(realm, now)
	case m.r.kt != nil:
		return m.login(now)
	default:
		return m.ccacheTGT(now)
	}
}

// login gets a TGT with the keytab (AS exchange).
func (m *Mechanism) login(now time.Time) (*ticket, error) {
	what := fmt.Sprintf("login as %s@%s", m.r.user, m.r.realm)
	cl := m.client()
	req, err := messages.NewASReqForTGT(m.r.realm, m.r.krb5, cl.Credentials.CName())
	if err != nil {
		return nil, kdcError(what, err)
	}
	rep, err := cl.ASExchange(m.r.realm, req, 0)
	if err != nil {
		return nil, kdcError(what, err)
	}
	return fromReply(rep.Ticket, rep.DecryptedEncPart, now), nil
}

// ccacheTGT reads the credentials cache again if it changed (a new kinit)
// and returns its TGT if fresh, else renews the TGT held if it is
// renewable (kinit -R does the same): renew-till after both now and the
// ticket's end, since a renewal cannot extend a ticket past renew-till.
func (m *Mechanism) ccacheTGT(now time.Time) (*ticket, error) {
	if st, err := stampOf(m.r.ccache); err == nil && st != m.ccStamp {
		if err := m.loadCCache(now); err != nil {
			return nil, err
		}
	}
	cur := m.held(m.tgts, m.r.realm)
	if cur.fresh(now) {
		return cur, nil
	}
	if cur != nil && now.Before(cur.renewTill) && cur.kdcEnd.Before(cur.renewTill) {
		princ := types.PrincipalName{NameType: nametype.KRB_NT_SRV_INST, NameString: []string{"krbtgt", m.r.realm}}
		_, rep, err := m.client().TGSREQGenerateAndExchange(princ, m.r.realm, cur.tkt, cur.key, true)
		if err != nil {
			return nil, kdcError("renew the TGT of "+m.r.user+"@"+m.r.realm, err)
		}
		return fromReply(rep.Ticket, rep.DecryptedEncPart, now), nil
	}
	return nil, fmt.Errorf("kerberos: the TGT of %s@%s in credentials cache %s has expired or is about to, and cannot be renewed (past its renew-till): run kinit again",
		m.r.user, m.r.realm, m.r.ccache)
}

// crossRealmTGT gets a TGT for realm from the client's realm.
func (m *Mechanism) crossRealmTGT(realm string, now time.Time) (*ticket, error) {
	home, err := m.tgt(m.r.realm, now)
	if err != nil {
		return nil, err
	}
	princ := types.PrincipalName{NameType: nametype.KRB_NT_SRV_INST, NameString: []string{"krbtgt", realm}}
	_, rep, err := m.client().TGSREQGenerateAndExchange(princ, m.r.realm, home.tkt, home.key, false)
	if err != nil {
		return nil, kdcError("cross-realm TGT for "+realm, err)
	}
	return fromReply(rep.Ticket, rep.DecryptedEncPart, now), nil
}

// fileStamp tells whether a file changed.
type fileStamp struct {
	mod  time.Time
	size int64
}

func stampOf(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{fi.ModTime(), fi.Size()}, nil
}

// loadCCache reads the credentials cache into a new gokrb5 client and
// takes its TGT and service tickets (such as one a Java client left
// there). Called from New, or with m.kdc held.
func (m *Mechanism) loadCCache(now time.Time) error {
	st, err := stampOf(m.r.ccache)
	if err != nil {
		return fmt.Errorf("kerberos: credentials cache (run kinit, or give a keytab): %w", err)
	}
	cc, err := loadCCache(m.r.ccache)
	if err != nil {
		return err
	}
	cl, err := client.NewFromCCache(cc, m.r.krb5, client.DisablePAFXFAST(true)) // no goroutine
	if err != nil {
		return fmt.Errorf("kerberos: credentials cache %s: %w", m.r.ccache, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cl != nil {
		m.cl.Destroy()
	}
	m.cl, m.ccStamp = cl, st
	for _, c := range cc.GetEntries() {
		var tkt messages.Ticket
		if tkt.Unmarshal(c.Ticket) != nil {
			continue
		}
		t := newTicket(tkt, c.Key, c.AuthTime, c.StartTime, c.EndTime, c.RenewTill)
		name := c.Server.PrincipalName.NameString
		switch {
		case len(name) == 2 && name[0] == "krbtgt" && name[1] == m.r.realm && c.Server.Realm == m.r.realm:
			m.plan(t, now)
			m.tgts[m.r.realm] = t
		case len(name) > 0 && name[0] != "krbtgt":
			spn := c.Server.PrincipalName.PrincipalNameString()
			if old := m.svc[spn]; old == nil || old.end.Before(t.end) {
				m.plan(t, now)
				m.svc[spn] = t
			}
		}
	}
	return nil
}
