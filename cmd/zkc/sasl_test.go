package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
	"github.com/zkcurator/zkcurator/zk/kerberos"
)

// --sasl-user/--sasl-password authenticate with DIGEST-MD5 (on the
// embedded server's SASL users here; the zk package tests real servers).
func TestSASLFlags(t *testing.T) {
	srv := testserver.New(t, testserver.WithSASLUsers(map[string]string{"alice": "secret"}))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := zk.Dial(ctx, srv.Addr(), zk.WithSASL(zk.DigestMD5("alice", "secret")))
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Create(ctx, "/s", []byte("hidden"), zk.ModePersistent,
		[]zk.ACL{{Perms: zk.PermAll, ID: zk.ID{Scheme: "sasl", ID: "alice"}}})
	require.NoError(t, err)

	require.Equal(t, "hidden\n", ok(t, srv.Addr(), "--sasl-user", "alice", "--sasl-password", "secret", "get", "/s"))
	t.Setenv("ZKC_SASL_PASSWORD", "secret")
	require.Equal(t, "hidden\n", ok(t, srv.Addr(), "--sasl-user", "alice", "get", "/s"))

	require.Equal(t, exitNoAuth, zkc(t, srv.Addr(), "get", "/s").code, "without SASL")
	r := zkc(t, srv.Addr(), "--sasl-user", "alice", "--sasl-password", "wrong", "get", "/s")
	require.Equal(t, exitNoAuth, r.code, r.stderr)
	require.Contains(t, r.stderr, "SASL")
	require.Equal(t, exitUsage, zkc(t, srv.Addr(), "--sasl-password", "x", "get", "/s").code)

	// The password from a file (its first line), and --sasl digest said.
	pw := filepath.Join(t.TempDir(), "pw")
	require.NoError(t, os.WriteFile(pw, []byte("secret\n"), 0o600))
	t.Setenv("ZKC_SASL_PASSWORD", "")
	require.Equal(t, "hidden\n", ok(t, srv.Addr(), "--sasl", "digest", "--sasl-user", "alice", "--sasl-password-file", pw, "get", "/s"))

	// whoami names the mechanism and the user; without SASL it says nothing of it.
	who := ok(t, srv.Addr(), "--sasl-user", "alice", "--sasl-password-file", pw, "whoami")
	require.Contains(t, who, "sasl     DIGEST-MD5 as alice\n")
	require.Contains(t, who, "identity sasl:alice")
	require.NotContains(t, ok(t, srv.Addr(), "whoami"), "sasl ")
}

// Bad combinations of the security flags fail as usage errors (exit 64)
// with a message naming the flags, before any connection.
func TestSecurityFlagErrors(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(pw, []byte("secret"), 0o600))
	t.Setenv("ZKC_SASL_PASSWORD", "")
	t.Setenv("KRB5CCNAME", filepath.Join(dir, "no-ccache"))
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--sasl", "plain"}, `--sasl "plain"`},
		{[]string{"--sasl", "digest"}, "needs --sasl-user"},
		{[]string{"--sasl-user", "alice"}, "no password"},
		{[]string{"--sasl-user", "alice", "--sasl-password", "x", "--sasl-password-file", pw}, "give one"},
		{[]string{"--sasl-user", "alice", "--sasl-password-file", filepath.Join(dir, "missing")}, "--sasl-password-file"},
		{[]string{"--sasl-user", "alice", "--kerberos-principal", "app"}, "choose one mechanism"},
		{[]string{"--sasl", "digest", "--sasl-user", "alice", "--sasl-password-file", pw, "--krb5-conf", "x"}, "--sasl digest takes no"},
		{[]string{"--sasl", "kerberos", "--sasl-user", "alice"}, "--sasl kerberos takes no"},
		{[]string{"--kerberos-keytab", "kt"}, "needs --kerberos-principal"},
		{[]string{"--kerberos-keytab", "kt", "--kerberos-ccache", "cc"}, "one credential source"},
		{[]string{"--kerberos-principal", "app", "--kerberos-host", "h", "--kerberos-canonicalize"}, "give one"},
		{[]string{"--sasl", "kerberos", "--krb5-conf", filepath.Join(dir, "missing")}, "krb5.conf"},
		{[]string{"--sasl", "kerberos", "--krb5-conf", "/dev/null"}, "credentials cache"},
		{[]string{"--tls-cert", pw}, "--tls-cert and --tls-key"},
		{[]string{"--auth", "nocolon"}, "want scheme:credential"},
	}
	for _, c := range cases {
		r := zkc(t, "127.0.0.1:1", append(c.args, "get", "/")...)
		require.Equal(t, exitUsage, r.code, "%v: %s", c.args, r.stderr)
		require.Contains(t, r.stderr, c.want, "%v", c.args)
	}
}

// TestKerberosFlags connects zkc with --sasl kerberos to a Kerberized
// real ZooKeeper and MIT KDC (ZKCURATOR_REAL_ZK=1): from a keytab, and
// from a kinit credentials cache; the server names it sasl:<principal>.
func TestKerberosFlags(t *testing.T) {
	kdc := zktest.StartKDC(t, "ZKCURATOR.TEST")
	addr := kdc.RealKerberosZK(nil).ConnectString() // 127.0.0.1:port; the principal says localhost
	principal, keytab := kdc.AddPrincipal("app")
	acl := []zk.ACL{{Perms: zk.PermAll, ID: zk.ID{Scheme: "sasl", ID: principal}}}
	mech, err := kerberos.New(kerberos.Config{Principal: principal, KeytabPath: keytab, KRB5ConfPath: kdc.KRB5Conf, ServiceHost: "localhost"})
	require.NoError(t, err)
	defer mech.Close()
	c := client(t, addr, zk.WithSASL(mech))
	_, err = c.Create(testCtx(t), "/krb", []byte("for app only"), zk.ModePersistent, acl)
	require.NoError(t, err)

	require.Equal(t, "for app only\n", ok(t, addr, "--sasl", "kerberos", "--kerberos-principal", principal,
		"--kerberos-keytab", keytab, "--krb5-conf", kdc.KRB5Conf, "--kerberos-canonicalize", "get", "/krb"))
	t.Setenv("KRB5_CONFIG", kdc.KRB5Conf)
	t.Setenv("KRB5CCNAME", "FILE:"+kdc.Kinit(principal, keytab))
	who := ok(t, addr, "--sasl", "kerberos", "--kerberos-host", "localhost", "whoami")
	require.Contains(t, who, "sasl:"+principal)
	require.Contains(t, who, "sasl     GSSAPI (the credentials cache's principal)")
	require.Equal(t, exitNoAuth, zkc(t, addr, "get", "/krb").code, "without Kerberos")
	r := zkc(t, addr, "--sasl", "kerberos", "--kerberos-host", "nosuchhost", "get", "/krb")
	require.Equal(t, exitNoAuth, r.code, r.stderr)
	require.Contains(t, r.stderr, "zookeeper/nosuchhost")
}
