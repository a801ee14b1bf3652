package kerberos

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/zkcurator/zkcurator/zk"
)

// DefaultServiceName is the service part of ZooKeeper's service principal
// (the Java client's zookeeper.sasl.client.username default).
const DefaultServiceName = "zookeeper"

// Errors New and the exchange wrap; match them with errors.Is.
var (
	// ErrPrincipalNotInKeytab means the keytab holds no key for the
	// configured principal. New returns it.
	ErrPrincipalNotInKeytab = errors.New("kerberos: principal not in keytab")
	// ErrKDCUnreachable means no KDC of the realm answered (none listed in
	// krb5.conf, or none reachable). Starting an exchange returns it; the
	// next connection attempt tries again.
	ErrKDCUnreachable = errors.New("kerberos: KDC unreachable")
	// ErrSecurityLayer means the server's security-layer offer does not
	// include "no security layer", the only one this mechanism speaks
	// (ZooKeeper's servers always offer it).
	ErrSecurityLayer = errors.New("kerberos: server requires a SASL security layer")
)

// Config says who the client is and how to reach its KDC. Exactly one
// credential source is used: a keytab (KeytabPath or Keytab) if one is
// given, else a credentials cache.
type Config struct {
	// Principal is the client principal, "user[/instance][@REALM]";
	// without a realm, krb5.conf's default_realm. Required with a
	// keytab; with a credentials cache it defaults to the cache's
	// principal and, if set, must be that principal.
	Principal string

	// KeytabPath is a keytab file holding the principal's keys (ktutil,
	// kadmin ktadd). Keytab, if set, is used instead.
	KeytabPath string
	// Keytab is an already loaded keytab.
	Keytab *keytab.Keytab

	// CCachePath is the credentials cache (the file kinit writes) used
	// when no keytab is given: default $KRB5CCNAME (only the FILE: type,
	// with or without its prefix), then /tmp/krb5cc_<uid>. It is read
	// again when its TGT is due for renewal and the file changed, so a
	// new kinit is picked up; else a renewable TGT is renewed (kinit -R).
	CCachePath string

	// KRB5ConfPath is the krb5.conf to read: default $KRB5_CONFIG (the
	// first of its files that exists), then /etc/krb5.conf. KRB5Conf, if
	// set, is used instead.
	KRB5ConfPath string
	// KRB5Conf is an already parsed krb5.conf.
	KRB5Conf *krbconfig.Config

	// ServiceName is the service part of the server's principal; default
	// "zookeeper".
	ServiceName string
	// ServiceHost fixes the host part of the server's principal (as the
	// Java client's zookeeper.server.principal does) instead of taking
	// the host of the server address dialled.
	ServiceHost string
	// CanonicalizeHostname replaces the host dialled by its canonical
	// name from DNS (reverse lookup of its address) before asking for the
	// service ticket, as the Java client does by default
	// (zookeeper.sasl.client.canonicalize.hostname): connect strings of
	// IP addresses then find principals such as zookeeper/zk1.example.com.
	// Ignored when ServiceHost is set.
	CanonicalizeHostname bool

	// AuthorizationID is the authorization id sent at the end of the
	// exchange; default the client principal (what the Java client
	// sends). ZooKeeper's servers name the session by the authenticated
	// principal whatever this says.
	AuthorizationID string
}

// resolved is a validated Config.
type resolved struct {
	user, realm string // the client principal, split at '@'
	krb5        *krbconfig.Config
	kt          *keytab.Keytab // nil: use ccache
	ccache      string
	service     string
	host        string // fixed service host, or ""
	canon       bool
	authzID     string
}

// resolve validates cfg and loads what it names.
func resolve(cfg Config) (*resolved, error) {
	r := &resolved{service: cfg.ServiceName, host: cfg.ServiceHost, canon: cfg.CanonicalizeHostname, authzID: cfg.AuthorizationID}
	if r.service == "" {
		r.service = DefaultServiceName
	}
	if strings.ContainsAny(r.service, "/@") || strings.ContainsAny(r.host, "/@:") {
		return nil, invalid("ServiceName %q / ServiceHost %q: want a bare name and host (no '/', '@' or port)", r.service, r.host)
	}
	var err error
	if r.krb5, err = loadKRB5Conf(cfg); err != nil {
		return nil, err
	}
	if cfg.Principal != "" {
		if r.user, r.realm, err = splitPrincipal(cfg.Principal, r.krb5.LibDefaults.DefaultRealm); err != nil {
			return nil, err
		}
	}
	switch {
	case cfg.Keytab != nil || cfg.KeytabPath != "":
		err = r.useKeytab(cfg)
	default:
		err = r.useCCache(cfg)
	}
	if err != nil {
		return nil, err
	}
	if r.authzID == "" {
		r.authzID = r.user + "@" + r.realm
	}
	return r, nil
}

// invalid is a Config error: it wraps zk.ErrInvalidArgument.
func invalid(format string, args ...any) error {
	return fmt.Errorf("kerberos: invalid config: "+format+": %w", append(args, zk.ErrInvalidArgument)...)
}

func splitPrincipal(p, defaultRealm string) (user, realm string, err error) {
	user, realm, hasRealm := strings.Cut(p, "@")
	if !hasRealm {
		realm = defaultRealm
	}
	if user == "" || strings.HasPrefix(user, "/") || strings.HasSuffix(user, "/") || strings.Contains(realm, "@") {
		return "", "", invalid("principal %q: want user[/instance][@REALM]", p)
	}
	if realm == "" {
		return "", "", invalid("principal %q has no realm and krb5.conf has no default_realm", p)
	}
	return user, realm, nil
}

func loadKRB5Conf(cfg Config) (*krbconfig.Config, error) {
	if cfg.KRB5Conf != nil {
		return cfg.KRB5Conf, nil
	}
	path := cfg.KRB5ConfPath
	if path == "" {
		path = "/etc/krb5.conf"
		for _, p := range filepath.SplitList(os.Getenv("KRB5_CONFIG")) {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	c, err := krbconfig.Load(path)
	if err != nil {
		if _, statErr := os.Stat(path); statErr != nil {
			return nil, fmt.Errorf("kerberos: krb5.conf: %w", statErr)
		}
		return nil, fmt.Errorf("kerberos: krb5.conf %s: %w", path, err)
	}
	return c, nil
}

func (r *resolved) useKeytab(cfg Config) error {
	if r.user == "" {
		return invalid("a keytab needs a Principal")
	}
	r.kt = cfg.Keytab
	if r.kt == nil {
		if _, err := os.Stat(cfg.KeytabPath); err != nil {
			return fmt.Errorf("kerberos: keytab: %w", err)
		}
		kt, err := keytab.Load(cfg.KeytabPath)
		if err != nil {
			return fmt.Errorf("kerberos: keytab %s: %w", cfg.KeytabPath, err)
		}
		r.kt = kt
	}
	want := strings.Split(r.user, "/")
	for _, e := range r.kt.Entries {
		if e.Principal.Realm == r.realm && slices.Equal(e.Principal.Components, want) {
			return nil
		}
	}
	return fmt.Errorf("kerberos: keytab %s: %s@%s: %w", cfg.KeytabPath, r.user, r.realm, ErrPrincipalNotInKeytab)
}

func (r *resolved) useCCache(cfg Config) error {
	r.ccache = cfg.CCachePath
	if r.ccache == "" {
		r.ccache = os.Getenv("KRB5CCNAME")
	}
	if r.ccache == "" {
		r.ccache = fmt.Sprintf("/tmp/krb5cc_%d", os.Getuid())
	}
	if kind, rest, ok := strings.Cut(r.ccache, ":"); ok {
		if kind != "FILE" {
			return invalid("credentials cache %q: only FILE: caches are supported (or give a keytab)", r.ccache)
		}
		r.ccache = rest
	}
	cc, err := loadCCache(r.ccache)
	if err != nil {
		return err
	}
	p := cc.DefaultPrincipal
	user, realm := strings.Join(p.PrincipalName.NameString, "/"), p.Realm
	if r.user != "" && (r.user != user || r.realm != realm) {
		return invalid("principal %s@%s is not the credentials cache's principal %s@%s", r.user, r.realm, user, realm)
	}
	r.user, r.realm = user, realm
	if _, err := client.NewFromCCache(cc, r.krb5); err != nil { // no goroutine until a login
		return fmt.Errorf("kerberos: credentials cache %s: %w", r.ccache, err)
	}
	return nil
}

func loadCCache(path string) (*credentials.CCache, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("kerberos: credentials cache (run kinit, or give a keytab): %w", err)
	}
	cc, err := credentials.LoadCCache(path)
	if err != nil {
		return nil, fmt.Errorf("kerberos: credentials cache %s: %w", path, err)
	}
	return cc, nil
}
