package main

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

// serve runs the command with args until the test ends (or stop is
// called) and returns its address.
func serve(t *testing.T, args ...string) (addr string, stop func() error) {
	t.Helper()
	lines := make(chan string, 1)
	stopCh := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- run(append([]string{"-addr", "127.0.0.1:0"}, args...), func(l string) { lines <- l }, stopCh)
	}()
	var line string
	select {
	case line = <-lines:
	case err := <-errc:
		t.Fatalf("zktestserver exited: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("zktestserver did not start")
	}
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		close(stopCh)
		return <-errc
	}
	t.Cleanup(func() { _ = stop() })
	f := strings.Fields(line)
	for i, w := range f {
		if w == "on" {
			return f[i+1], stop
		}
	}
	t.Fatalf("no address in %q", line)
	return "", nil
}

// -save writes what a client left behind; -load starts from it.
func TestSaveAndLoad(t *testing.T) {
	file := filepath.Join(t.TempDir(), "snap.json")
	addr, stop := serve(t, "-save", file, "-extended-types")
	ctx := zktest.Context(t)
	c := zktest.Connect(t, addr)
	_, err := c.Create(ctx, "/seed", []byte("hello"), zk.ModePersistent, nil)
	require.NoError(t, err)
	_, _, err = c.CreateWith(ctx, "/seed/ttl", nil, zk.CreateOptions{Mode: zk.ModePersistentTTL, TTL: time.Hour})
	require.NoError(t, err)
	require.NoError(t, c.Close())
	require.NoError(t, stop())

	b, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Contains(t, string(b), `"format": "`+testserver.SnapshotFormat+`"`)
	require.Contains(t, string(b), `"path": "/seed/ttl"`)

	addr2, _ := serve(t, "-load", file, "-extended-types")
	c2 := zktest.Connect(t, addr2)
	data, _, err := c2.Get(ctx, "/seed")
	require.NoError(t, err)
	require.Equal(t, "hello", string(data))

	// Without -extended-types a TTL create is refused, as on real 3.8.
	addr3, _ := serve(t)
	c3 := zktest.Connect(t, addr3)
	_, _, err = c3.CreateWith(ctx, "/t", nil, zk.CreateOptions{Mode: zk.ModePersistentTTL, TTL: time.Hour})
	require.ErrorIs(t, err, zk.ErrUnimplemented)
}

func TestTLSFlags(t *testing.T) {
	ca := zktest.NewTestCA(t, "zktestserver CA")
	certPEM, keyPEM := ca.Issue(t, "127.0.0.1")
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o600))
		return p
	}
	cert, key, caFile := write("cert.pem", certPEM), write("key.pem", keyPEM), write("ca.pem", ca.PEM)
	addr, _ := serve(t, "-tls-cert", cert, "-tls-key", key, "-tls-ca", caFile)
	client := ca.IssueTLS(t, "client")
	c := zktest.Connect(t, addr, zk.WithTLS(&tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{client}}))
	_, _, err := c.Exists(zktest.Context(t), "/")
	require.NoError(t, err)

	closed := make(chan struct{})
	close(closed) // a wrongly started server stops at once
	for _, args := range [][]string{{"-tls-cert", cert}, {"-tls-ca", caFile}, {"-tls-cert", key, "-tls-key", key}, {"-load", filepath.Join(dir, "missing.json")}} {
		err := run(args, func(string) { t.Error("started with", args) }, closed)
		require.Error(t, err, "%v", args)
	}
}

// -sasl-user and -sasl-users (name:password lines or a JAAS file) enable
// DIGEST-MD5 for those users; -sasl-required refuses everyone else.
func TestSASLFlags(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		return p
	}
	jaas := write("jaas.conf", `Server {
	org.apache.zookeeper.server.auth.DigestLoginModule required
	user_bob="bob-pw"
	user_carol="carol:pw";
};`)
	lines := write("users.txt", "# users\n\ndave:dave-pw\n")
	ctx := zktest.Context(t)
	dial := func(addr, user, pass string) (*zk.Conn, error) {
		return zk.Dial(ctx, addr, zk.WithSASL(zk.DigestMD5(user, pass)))
	}

	addr, _ := serve(t, "-sasl-user", "alice:secret", "-sasl-users", jaas, "-sasl-required")
	for user, pass := range map[string]string{"alice": "secret", "bob": "bob-pw", "carol": "carol:pw"} {
		c, err := dial(addr, user, pass)
		require.NoError(t, err, user)
		_, err = c.Create(ctx, "/"+user, nil, zk.ModePersistent,
			[]zk.ACL{{Perms: zk.PermAll, ID: zk.ID{Scheme: "sasl", ID: user}}})
		require.NoError(t, err, user)
		require.NoError(t, c.Close())
	}
	_, err := dial(addr, "alice", "wrong")
	require.ErrorIs(t, err, zk.ErrAuthFailed)
	anon, err := zk.Dial(ctx, addr)
	if err == nil { // the server may refuse at the first request rather than at the handshake
		_, _, err = anon.Exists(ctx, "/")
		_ = anon.Close()
	}
	require.Error(t, err, "-sasl-required refuses a client without SASL")

	// Without -sasl-required a client without SASL gets in, but not
	// through sasl ACLs.
	addr2, _ := serve(t, "-sasl-users", lines)
	c, err := dial(addr2, "dave", "dave-pw")
	require.NoError(t, err)
	_, err = c.Create(ctx, "/d", nil, zk.ModePersistent, []zk.ACL{{Perms: zk.PermAll, ID: zk.ID{Scheme: "sasl", ID: "dave"}}})
	require.NoError(t, err)
	require.NoError(t, c.Close())
	anon2 := zktest.Connect(t, addr2)
	_, _, err = anon2.Get(ctx, "/d")
	require.ErrorIs(t, err, zk.ErrNoAuth)

	closed := make(chan struct{})
	close(closed)
	for _, args := range [][]string{
		{"-sasl-required"},
		{"-sasl-user", "alice"},
		{"-sasl-user", ":pw"},
		{"-sasl-user", "a:1", "-sasl-user", "a:2"},
		{"-sasl-users", filepath.Join(dir, "missing")},
		{"-sasl-users", write("bad.txt", "no-colon\n")},
		{"-sasl-users", write("empty.txt", "# nobody\n")},
	} {
		err := run(args, func(string) { t.Error("started with", args) }, closed)
		require.Error(t, err, "%v", args)
	}
}
