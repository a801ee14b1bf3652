package kerberos

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/krberror"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"

	"github.com/zkcurator/zkcurator/zk"
)

// mechanism is the GSSAPI zk.SASLMechanism.
type mechanism struct{ r *resolved }

// New validates cfg, loads the krb5.conf, keytab or credentials cache it
// names, and returns the GSSAPI mechanism to give to zk.WithSASL. Config
// mistakes wrap zk.ErrInvalidArgument; a missing file wraps fs.ErrNotExist;
// a keytab without the principal's key wraps ErrPrincipalNotInKeytab. The
// KDC is not contacted until a connection starts an exchange.
//
// The mechanism holds no goroutines or connections between exchanges, so
// it needs no Close: each exchange logs in (keytab) or reads the
// credentials cache, asks for the service ticket, and forgets both.
func New(cfg Config) (zk.SASLMechanism, error) {
	r, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	return &mechanism{r: r}, nil
}

// Name returns "GSSAPI".
func (m *mechanism) Name() string { return "GSSAPI" }

// Start gets a service ticket for the server dialled and returns the
// exchange whose first step sends the AP-REQ. The KDC calls (gokrb5 has no
// context) run on their own goroutine: when ctx ends first Start returns
// ctx's error and that goroutine finishes in the background, bounded by
// gokrb5's own network timeouts.
func (m *mechanism) Start(ctx context.Context, server string) (zk.SASLExchange, error) {
	host, err := m.serviceHost(ctx, server)
	if err != nil {
		return nil, err
	}
	spn := m.r.service + "/" + host
	type result struct {
		ex  *exchange
		err error
	}
	ch := make(chan result, 1)
	go func() {
		ex, err := m.initiate(spn)
		ch <- result{ex, err}
	}()
	select {
	case res := <-ch:
		return res.ex, res.err
	case <-ctx.Done():
		return nil, fmt.Errorf("kerberos: service ticket for %s: %w", spn, ctx.Err())
	}
}

// serviceHost is the host part of the service principal for server.
func (m *mechanism) serviceHost(ctx context.Context, server string) (string, error) {
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

// newClient is a gokrb5 client logged in from the keytab, or holding the
// credentials cache's TGT.
func (m *mechanism) newClient() (*client.Client, error) {
	if m.r.kt != nil {
		cl := client.NewWithKeytab(m.r.user, m.r.realm, m.r.kt, m.r.krb5, client.DisablePAFXFAST(true))
		if err := cl.Login(); err != nil {
			cl.Destroy()
			return nil, kdcError(fmt.Sprintf("login as %s@%s", m.r.user, m.r.realm), err)
		}
		return cl, nil
	}
	cc, err := loadCCache(m.r.ccache)
	if err != nil {
		return nil, err
	}
	cl, err := client.NewFromCCache(cc, m.r.krb5, client.DisablePAFXFAST(true))
	if err != nil {
		return nil, fmt.Errorf("kerberos: credentials cache %s: %w", m.r.ccache, err)
	}
	return cl, nil
}

// initiate logs in, gets the ticket for spn and builds the AP-REQ token.
func (m *mechanism) initiate(spn string) (*exchange, error) {
	cl, err := m.newClient()
	if err != nil {
		return nil, err
	}
	defer cl.Destroy() // ends gokrb5's TGT renewal goroutine
	tkt, key, err := cl.GetServiceTicket(spn)
	if err != nil {
		return nil, kdcError("service ticket for "+spn+"@"+m.r.realm, err)
	}
	// Integrity and confidentiality are what the Java client asks for; no
	// mutual authentication (nor does the Java client ask for it), so the
	// server answers the AP-REQ with its security-layer offer directly.
	tok, err := spnego.NewKRB5TokenAPREQ(cl, tkt, key, []int{gssapi.ContextFlagInteg, gssapi.ContextFlagConf}, nil)
	if err != nil {
		return nil, fmt.Errorf("kerberos: AP-REQ for %s: %w", spn, err)
	}
	b, err := tok.Marshal()
	if err != nil {
		return nil, fmt.Errorf("kerberos: AP-REQ for %s: %w", spn, err)
	}
	return &exchange{apReq: b, key: key, authzID: m.r.authzID}, nil
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
