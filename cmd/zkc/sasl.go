package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/zkcurator/zkcurator/zk"
	"github.com/zkcurator/zkcurator/zk/kerberos"
)

// The SASL mechanisms --sasl names.
const (
	saslDigest   = "digest"
	saslKerberos = "kerberos"
)

// kerberosFlags are the --kerberos-* and --krb5-conf flags.
type kerberosFlags struct {
	principal string
	keytab    string
	ccache    string
	conf      string
	service   string
	host      string
	canon     bool
}

// isSet reports whether a Kerberos flag is set.
func (k kerberosFlags) isSet() bool {
	return k != kerberosFlags{}
}

// addSASLFlags registers the SASL flags (defaults: the current values, as
// addGlobalFlags).
func (a *app) addSASLFlags(f *pflag.FlagSet) {
	g := a.g
	f.StringVar(&a.g.saslMech, "sasl", g.saslMech, `authenticate every connection with SASL: "digest" (DIGEST-MD5, with --sasl-user) or "kerberos" (GSSAPI, with the --kerberos-* flags); default from the flags given`)
	f.StringVar(&a.g.saslUser, "sasl-user", g.saslUser, "SASL DIGEST-MD5 user (ACL id sasl:<user>)")
	f.StringVar(&a.g.saslPass, "sasl-password", g.saslPass, "password of --sasl-user; visible to other users in the process list: prefer --sasl-password-file or $ZKC_SASL_PASSWORD")
	f.StringVar(&a.g.saslFile, "sasl-password-file", g.saslFile, "`file` whose first line is the password of --sasl-user")
	f.StringVar(&a.g.krb.principal, "kerberos-principal", g.krb.principal, "Kerberos client principal user[/host][@REALM] (default with a ccache: its principal)")
	f.StringVar(&a.g.krb.keytab, "kerberos-keytab", g.krb.keytab, "keytab `file` of --kerberos-principal (without it: the kinit credentials cache)")
	f.StringVar(&a.g.krb.ccache, "kerberos-ccache", g.krb.ccache, "kinit credentials cache `file` (default $KRB5CCNAME, then /tmp/krb5cc_<uid>)")
	f.StringVar(&a.g.krb.conf, "krb5-conf", g.krb.conf, "krb5.conf `file` (default $KRB5_CONFIG, then /etc/krb5.conf)")
	f.StringVar(&a.g.krb.service, "kerberos-service", g.krb.service, "service part of the servers' principal (default zookeeper, as zookeeper.sasl.client.username)")
	f.StringVar(&a.g.krb.host, "kerberos-host", g.krb.host, "host part of the servers' principal (as zookeeper.server.principal; default: the host dialled)")
	f.BoolVar(&a.g.krb.canon, "kerberos-canonicalize", g.krb.canon, "use the canonical DNS name of the host dialled in the servers' principal (as zookeeper.sasl.client.canonicalize.hostname)")
}

// saslOption is the zk.WithSASL option the SASL flags ask for, or nil.
func (a *app) saslOption() (zk.Option, error) {
	mech, err := a.saslMechanism()
	if mech == "" || err != nil {
		return nil, err
	}
	digest := a.g.saslUser != "" || a.g.saslPass != "" || a.g.saslFile != ""
	krb := a.g.krb.isSet()
	switch mech {
	case saslDigest:
		if krb {
			return nil, usageErr{errors.New("--sasl digest takes no --kerberos-*/--krb5-conf flags")}
		}
		return a.digestOption()
	case saslKerberos:
		if digest {
			return nil, usageErr{errors.New("--sasl kerberos takes no --sasl-user/--sasl-password flags (the principal is --kerberos-principal)")}
		}
		return a.kerberosOption()
	}
	return nil, usageErr{fmt.Errorf("--sasl %q: want digest or kerberos", mech)}
}

// saslMechanism is the mechanism the SASL flags ask for: --sasl, else the
// one their other flags imply; "" for none.
func (a *app) saslMechanism() (string, error) {
	if a.g.saslMech != "" {
		return a.g.saslMech, nil
	}
	digest := a.g.saslUser != "" || a.g.saslPass != "" || a.g.saslFile != ""
	krb := a.g.krb.isSet()
	switch {
	case digest && krb:
		return "", usageErr{errors.New("--sasl-* (DIGEST-MD5) and --kerberos-*/--krb5-conf (GSSAPI) flags: choose one mechanism")}
	case digest:
		return saslDigest, nil
	case krb:
		return saslKerberos, nil
	}
	return "", nil
}

// saslSummary says how the session authenticated with SASL, for whoami:
// "" without SASL.
func (a *app) saslSummary() string {
	mech, _ := a.saslMechanism()
	switch mech {
	case saslDigest:
		return "DIGEST-MD5 as " + a.g.saslUser
	case saslKerberos:
		if a.g.krb.principal != "" {
			return "GSSAPI as " + a.g.krb.principal
		}
		return "GSSAPI (the credentials cache's principal)"
	}
	return ""
}

// digestOption is SASL DIGEST-MD5 for --sasl-user with the password from
// --sasl-password, --sasl-password-file or $ZKC_SASL_PASSWORD.
func (a *app) digestOption() (zk.Option, error) {
	if a.g.saslUser == "" {
		return nil, usageErr{errors.New("SASL DIGEST-MD5 needs --sasl-user")}
	}
	pass := a.g.saslPass
	switch {
	case pass != "" && a.g.saslFile != "":
		return nil, usageErr{errors.New("--sasl-password and --sasl-password-file: give one")}
	case a.g.saslFile != "":
		b, err := os.ReadFile(a.g.saslFile)
		if err != nil {
			return nil, usageErr{fmt.Errorf("--sasl-password-file: %w", err)}
		}
		pass, _, _ = strings.Cut(string(b), "\n")
		pass = strings.TrimSuffix(pass, "\r")
	case pass == "":
		pass = os.Getenv("ZKC_SASL_PASSWORD")
	}
	if pass == "" {
		return nil, usageErr{fmt.Errorf("no password for --sasl-user %s: give --sasl-password-file, $ZKC_SASL_PASSWORD or --sasl-password", a.g.saslUser)}
	}
	return zk.WithSASL(zk.DigestMD5(a.g.saslUser, pass)), nil
}

// kerberosOption is SASL GSSAPI from the --kerberos-* flags. The
// mechanism is made once per zkc (or shell) and closed with it, so its
// tickets serve every connection and reconnect.
func (a *app) kerberosOption() (zk.Option, error) {
	if a.mech != nil {
		return zk.WithSASL(a.mech), nil
	}
	k := a.g.krb
	switch {
	case k.keytab != "" && k.ccache != "":
		return nil, usageErr{errors.New("--kerberos-keytab and --kerberos-ccache: give one credential source")}
	case k.keytab != "" && k.principal == "":
		return nil, usageErr{errors.New("--kerberos-keytab needs --kerberos-principal")}
	case k.host != "" && k.canon:
		return nil, usageErr{errors.New("--kerberos-host and --kerberos-canonicalize: give one")}
	}
	m, err := kerberos.New(kerberos.Config{
		Principal:            k.principal,
		KeytabPath:           k.keytab,
		CCachePath:           k.ccache,
		KRB5ConfPath:         k.conf,
		ServiceName:          k.service,
		ServiceHost:          k.host,
		CanonicalizeHostname: k.canon,
	})
	if err != nil {
		// Every error of New is about the flags or the files they name.
		return nil, usageErr{err}
	}
	a.mech = m
	return zk.WithSASL(m), nil
}
