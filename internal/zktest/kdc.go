package zktest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// KDC is an MIT Kerberos KDC (Debian krb5-kdc, krb5-admin-server,
// krb5-user) that StartKDC runs for a test on a loopback port, with its
// own realm database, kdc.conf and krb5.conf in a temporary directory.
type KDC struct {
	// Realm is the Kerberos realm, such as "ZKCURATOR.TEST".
	Realm string
	// Dir holds the database, the configuration, keytabs and caches.
	Dir string
	// KRB5Conf is the client krb5.conf naming this KDC (for gokrb5, kinit
	// and Java's -Djava.security.krb5.conf).
	KRB5Conf string
	// Addr is the KDC's host:port (TCP and UDP).
	Addr string

	kdcConf string
	t       testing.TB
}

// kdcTools are the MIT commands StartKDC runs, with the package each
// comes from.
var kdcTools = map[string]string{
	"krb5kdc":      "krb5-kdc",
	"kdb5_util":    "krb5-kdc",
	"kadmin.local": "krb5-admin-server",
	"kinit":        "krb5-user",
}

// kdcStartTimeout bounds creating the realm and the KDC answering.
const kdcStartTimeout = 30 * time.Second

// lookKDCTool finds an MIT tool in PATH or in /usr/sbin (not in a
// non-root PATH on Debian).
func lookKDCTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	p := filepath.Join("/usr/sbin", name)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s not found (install Debian package %s)", name, kdcTools[name])
	}
	return p, nil
}

// StartKDC creates realm (with the KDC's own kdc.conf and a krb5.conf with
// rdns and hostname canonicalisation off, so "localhost" stays localhost)
// and runs krb5kdc on a free loopback port until the test ends. It needs
// EnvReal=1 (it skips otherwise); then missing MIT tools or a KDC that does
// not start fail the test, never skip it.
func StartKDC(t testing.TB, realm string) *KDC {
	t.Helper()
	if os.Getenv(EnvReal) != "1" {
		t.Skipf("needs an MIT Kerberos KDC: set %s=1 (with Debian packages krb5-kdc krb5-admin-server krb5-user)", EnvReal)
	}
	for name := range kdcTools {
		if _, err := lookKDCTool(name); err != nil {
			t.Fatalf("zktest: %s=1 but no MIT Kerberos: %v", EnvReal, err)
		}
	}
	var lastErr error
	for range 3 { // a port taken between reserving and binding: try new ones
		k, err := startKDC(t, realm)
		if err == nil {
			return k
		}
		lastErr = err
	}
	t.Fatalf("zktest: start KDC for %s: %v", realm, lastErr)
	return nil
}

func startKDC(t testing.TB, realm string) (*KDC, error) {
	dir, err := os.MkdirTemp("", "zktest-kdc-")
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	port, err := freeLoopbackPort()
	if err != nil {
		return nil, err
	}
	k := &KDC{
		Realm:    realm,
		Dir:      dir,
		KRB5Conf: filepath.Join(dir, "krb5.conf"),
		Addr:     net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		kdcConf:  filepath.Join(dir, "kdc.conf"),
		t:        t,
	}
	if err := k.writeConfigs(port); err != nil {
		return nil, err
	}
	if out, err := k.run("kdb5_util", "-r", realm, "create", "-s", "-P", "zktest-master-password"); err != nil {
		return nil, fmt.Errorf("kdb5_util create: %v\n%s", err, out)
	}
	return k, k.serve()
}

// freeLoopbackPort reserves a port free for both TCP and UDP on 127.0.0.1
// and releases it.
func freeLoopbackPort() (int, error) {
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		_ = l.Close()
		if err == nil {
			_ = u.Close()
			return port, nil
		}
	}
	return 0, errors.New("no loopback port free for both TCP and UDP")
}

func (k *KDC) writeConfigs(port int) error {
	kdcConf := fmt.Sprintf(`[kdcdefaults]
	kdc_listen = 127.0.0.1:%[1]d
	kdc_tcp_listen = 127.0.0.1:%[1]d

[realms]
	%[2]s = {
		database_name = %[3]s/principal
		key_stash_file = %[3]s/stash
		acl_file = %[3]s/kadm5.acl
		max_life = 1h
		max_renewable_life = 1h
		supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
	}

[logging]
	kdc = FILE:%[3]s/kdc.log
	admin_server = FILE:%[3]s/kadmin.log
	default = FILE:%[3]s/krb5.log
`, port, k.Realm, k.Dir)
	krb5Conf := fmt.Sprintf(`[libdefaults]
	default_realm = %[1]s
	dns_lookup_realm = false
	dns_lookup_kdc = false
	rdns = false
	dns_canonicalize_hostname = false
	udp_preference_limit = 1
	ticket_lifetime = 1h
	default_tkt_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
	default_tgs_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
	permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96

[realms]
	%[1]s = {
		kdc = 127.0.0.1:%[2]d
	}

[domain_realm]
	localhost = %[1]s
`, k.Realm, port)
	if err := os.WriteFile(k.kdcConf, []byte(kdcConf), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(k.Dir, "kadm5.acl"), nil, 0o600); err != nil {
		return err
	}
	return os.WriteFile(k.KRB5Conf, []byte(krb5Conf), 0o644)
}

// Env is the environment for MIT tools and a JVM to use this KDC
// (KRB5_CONFIG, KRB5_KDC_PROFILE) added to the process's own.
func (k *KDC) Env() []string {
	return append(os.Environ(), "KRB5_CONFIG="+k.KRB5Conf, "KRB5_KDC_PROFILE="+k.kdcConf)
}

// run runs an MIT tool with the KDC's environment and returns its output.
func (k *KDC) run(name string, args ...string) ([]byte, error) {
	path, err := lookKDCTool(name)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), kdcStartTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = k.Env()
	cmd.Stdin = strings.NewReader("")
	return cmd.CombinedOutput()
}

// serve starts krb5kdc in the foreground as a child, stopped when the test
// ends, and waits until it answers on its TCP port.
func (k *KDC) serve() error {
	path, err := lookKDCTool("krb5kdc")
	if err != nil {
		return err
	}
	logf, err := os.Create(filepath.Join(k.Dir, "krb5kdc.out"))
	if err != nil {
		return err
	}
	cmd := exec.Command(path, "-n", "-r", k.Realm, "-P", filepath.Join(k.Dir, "kdc.pid"))
	cmd.Env = k.Env()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return fmt.Errorf("krb5kdc: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); _ = logf.Close() }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	deadline := time.Now().Add(kdcStartTimeout)
	for {
		c, err := net.DialTimeout("tcp", k.Addr, time.Second)
		if err == nil {
			_ = c.Close()
			break
		}
		select {
		case werr := <-exited:
			exited <- werr
			return fmt.Errorf("krb5kdc exited (%v) before answering on %s: %s", werr, k.Addr, k.logs())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("krb5kdc did not answer on %s within %v: %s", k.Addr, kdcStartTimeout, k.logs())
		}
	}
	k.t.Cleanup(stop)
	return nil
}

// logs returns the KDC's output and log, for errors.
func (k *KDC) logs() string {
	out, _ := os.ReadFile(filepath.Join(k.Dir, "krb5kdc.out"))
	log, _ := os.ReadFile(filepath.Join(k.Dir, "kdc.log"))
	return string(out) + string(log)
}

// AddPrincipal creates principal (a name without realm, such as "client"
// or "zookeeper/localhost") with a random key and returns its full name
// (name@REALM) and a keytab holding its key. More keytabs of the same
// principal (Keytab) keep the key: they do not invalidate this one.
func (k *KDC) AddPrincipal(name string) (principal, keytab string) {
	k.t.Helper()
	principal = name + "@" + k.Realm
	if out, err := k.run("kadmin.local", "-r", k.Realm, "-q", "addprinc -randkey "+principal); err != nil || strings.Contains(string(out), "rror") {
		k.t.Fatalf("zktest: kadmin.local addprinc %s: %v\n%s", principal, err, out)
	}
	return principal, k.Keytab(principal)
}

// SetMaxLife limits the lifetime of the tickets issued to principal
// (name@REALM) as a client (kadmin.local modprinc -maxlife), so tests see
// tickets expire and get renewed within seconds: a TGT lives the least of
// its client's, krbtgt's and the realm's max_life (1h), and a service
// ticket no longer than the TGT it came from. MIT's KDC takes lifetimes
// down to a second.
func (k *KDC) SetMaxLife(principal string, d time.Duration) {
	k.t.Helper()
	q := fmt.Sprintf("modprinc -maxlife \"%d seconds\" %s", int(d.Seconds()), principal)
	if out, err := k.run("kadmin.local", "-r", k.Realm, "-q", q); err != nil || strings.Contains(string(out), "rror") {
		k.t.Fatalf("zktest: kadmin.local %s: %v\n%s", q, err, out)
	}
}

// Keytab exports principal's current key to a new keytab file (ktadd
// -norandkey) and returns its path.
func (k *KDC) Keytab(principal string) string {
	k.t.Helper()
	f, err := os.CreateTemp(k.Dir, "keytab-*")
	if err != nil {
		k.t.Fatalf("zktest: %v", err)
	}
	path := f.Name()
	_ = f.Close()
	_ = os.Remove(path) // ktadd makes the file
	if out, err := k.run("kadmin.local", "-r", k.Realm, "-q", "ktadd -norandkey -k "+path+" "+principal); err != nil || strings.Contains(string(out), "rror") {
		k.t.Fatalf("zktest: kadmin.local ktadd %s: %v\n%s", principal, err, out)
	}
	return path
}

// Kinit gets a TGT for principal from keytab (kinit -k -t) into a new
// FILE credentials cache and returns the cache's path.
func (k *KDC) Kinit(principal, keytab string) string {
	k.t.Helper()
	f, err := os.CreateTemp(k.Dir, "ccache-*")
	if err != nil {
		k.t.Fatalf("zktest: %v", err)
	}
	path := f.Name()
	_ = f.Close()
	if out, err := k.run("kinit", "-k", "-t", keytab, "-c", "FILE:"+path, principal); err != nil {
		k.t.Fatalf("zktest: kinit %s: %v\n%s", principal, err, out)
	}
	return path
}
