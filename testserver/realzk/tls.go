package realzk

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// TLS makes every member also listen on a secure client port (see
// Ensemble.SecureAddr), as ZooKeeper does with secureClientPort: the
// Netty connection factory serves both ports, the key and trust stores
// are PEM files written into the member's directory.
type TLS struct {
	// CertPEM is the server's certificate chain, leaf first. Clients
	// connect to 127.0.0.1: the leaf needs that IP address in its SANs
	// for hostname verification to pass.
	CertPEM []byte
	// KeyPEM is the certificate's private key, PKCS#8 ("PRIVATE KEY"),
	// unencrypted, as ZooKeeper's PEM loader reads it.
	KeyPEM []byte
	// CAPEM holds the CA certificates the server trusts for client
	// certificates (ssl.trustStore); needed when ClientAuth is "need" or
	// "want", ignored otherwise.
	CAPEM []byte
	// ClientAuth is ssl.clientAuth: "none" (the default here), "want" or
	// "need".
	ClientAuth string
}

// File names of the PEM stores inside a member's directory.
const (
	keyStoreName   = "keystore.pem"
	trustStoreName = "truststore.pem"
)

func (t *TLS) validate() error {
	if len(t.CertPEM) == 0 || len(t.KeyPEM) == 0 {
		return fmt.Errorf("realzk: start: TLS needs CertPEM and KeyPEM")
	}
	if !strings.Contains(string(t.KeyPEM), "BEGIN PRIVATE KEY") {
		return fmt.Errorf("realzk: start: TLS.KeyPEM must be an unencrypted PKCS#8 key (BEGIN PRIVATE KEY)")
	}
	switch t.ClientAuth {
	case "", "none":
	case "want", "need":
		if len(t.CAPEM) == 0 {
			return fmt.Errorf("realzk: start: TLS.ClientAuth=%q needs CAPEM", t.ClientAuth)
		}
	default:
		return fmt.Errorf("realzk: start: TLS.ClientAuth=%q, want none, want or need", t.ClientAuth)
	}
	return nil
}

func (t *TLS) clientAuth() string {
	if t.ClientAuth == "" {
		return "none"
	}
	return t.ClientAuth
}

// tlsCfg renders the zoo.cfg lines of m's secure client port.
func tlsCfg(t *TLS, m *member) string {
	var b strings.Builder
	w := func(k string, v any) { fmt.Fprintf(&b, "%s=%v\n", k, v) }
	w("serverCnxnFactory", "org.apache.zookeeper.server.NettyServerCnxnFactory")
	w("secureClientPortAddress", "127.0.0.1")
	w("secureClientPort", m.securePort)
	w("ssl.keyStore.location", filepath.Join(m.dir, keyStoreName))
	w("ssl.keyStore.type", "PEM")
	if len(t.CAPEM) > 0 {
		w("ssl.trustStore.location", filepath.Join(m.dir, trustStoreName))
		w("ssl.trustStore.type", "PEM")
	}
	w("ssl.clientAuth", t.clientAuth())
	return b.String()
}

// tlsFiles returns the PEM stores to write into m's directory.
func tlsFiles(t *TLS, m *member) []struct{ path, body string } {
	files := []struct{ path, body string }{
		{filepath.Join(m.dir, keyStoreName), string(t.KeyPEM) + "\n" + string(t.CertPEM)},
	}
	if len(t.CAPEM) > 0 {
		files = append(files, struct{ path, body string }{filepath.Join(m.dir, trustStoreName), string(t.CAPEM)})
	}
	return files
}

func (m *member) secureAddr() string {
	if m.securePort == 0 {
		return ""
	}
	return "127.0.0.1:" + strconv.Itoa(m.securePort)
}

// SecureAddr returns the secure client address ("127.0.0.1:port") of
// member i, or "" if i is out of range or the ensemble was started
// without Options.TLS.
func (e *Ensemble) SecureAddr(i int) string {
	if i < 0 || i >= len(e.members) {
		return ""
	}
	return e.members[i].secureAddr()
}

// SecureConnectString is ConnectString for the secure client ports ("" without
// Options.TLS).
func (e *Ensemble) SecureConnectString() string {
	addrs := make([]string, 0, len(e.members))
	for _, m := range e.members {
		if a := m.secureAddr(); a != "" {
			addrs = append(addrs, a)
		}
	}
	return strings.Join(addrs, ",")
}
