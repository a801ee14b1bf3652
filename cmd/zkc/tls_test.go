package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/testserver/realzk"
)

// TestTLSFlags connects over TLS with --tls-ca, --tls-cert and --tls-key to
// a real ZooKeeper that requires client certificates (ZKCURATOR_REAL_ZK=1;
// the embedded server has no TLS).
func TestTLSFlags(t *testing.T) {
	if realServer == nil {
		t.Skip("needs a real ZooKeeper: set ZKCURATOR_REAL_ZK=1")
	}
	dir := t.TempDir()
	caCert, caKey := newCert(t, "zkc test CA", nil, nil, true)
	srvCert, srvKey := newCert(t, "127.0.0.1", caCert, caKey, false)
	cliCert, cliKey := newCert(t, "zkc client", caCert, caKey, false)
	caPEM := pemCert(caCert)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o600))
		return p
	}
	caFile := write("ca.pem", caPEM)
	certFile := write("client.pem", pemCert(cliCert))
	keyFile := write("client-key.pem", pemKey(t, cliKey))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e, err := realzk.Start(ctx, realzk.Options{TLS: &realzk.TLS{
		CertPEM: pemCert(srvCert), KeyPEM: pemKey(t, srvKey), CAPEM: caPEM, ClientAuth: "need",
	}})
	require.NoError(t, err, "ZKCURATOR_REAL_ZK=1 but the TLS server does not start")
	defer e.Close()
	secure := e.SecureConnectString()

	require.Equal(t, "zookeeper\n", ok(t, secure, "--tls-ca", caFile, "--tls-cert", certFile, "--tls-key", keyFile, "ls", "/"))
	// An unknown server certificate fails at once as a connection failure.
	r := zkc(t, secure, "--timeout", "5s", "--tls-ca", certFile, "--tls-cert", certFile, "--tls-key", keyFile, "ls", "/")
	require.Equal(t, exitConn, r.code, r.stderr)
	require.Contains(t, r.stderr, "certificate")
	require.Equal(t, exitUsage, zkc(t, secure, "--tls-cert", certFile, "ls", "/").code, "--tls-cert without --tls-key")
	require.Equal(t, exitUsage, zkc(t, secure, "--tls-ca", filepath.Join(dir, "missing.pem"), "ls", "/").code)
}

// newCert makes an ECDSA certificate signed by parent (self-signed when
// parent is nil), valid for 127.0.0.1.
func newCert(t *testing.T, cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, isCA bool) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	if isCA {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
		tmpl.ExtKeyUsage, tmpl.IPAddresses = nil, nil
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return cert, key
}

func pemCert(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

func pemKey(t *testing.T, k *ecdsa.PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}
