package zktest

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/zkcurator/zkcurator/testserver/realzk"
)

// JAAS and SASL setups for real ZooKeeper servers (and Java clients): a
// test writes a JAAS file with WriteJAAS and starts a server reading it
// with RealSASL. DIGEST-MD5 uses DigestServerSection/DigestClientSection;
// a Kerberos test writes its own sections (Krb5LoginModule) the same way.

// SASLProvider is the zookeeper.authProvider.1 value that makes a real
// server turn a SASL identity into the ACL id sasl:<name>.
const SASLProvider = "org.apache.zookeeper.server.auth.SASLAuthenticationProvider"

// JAASSection is one section of a JAAS login configuration:
//
//	Name { LoginModule required key="value" ...; };
type JAASSection struct {
	Name        string            // "Server" (ZooKeeper server) or "Client" (Java client)
	LoginModule string            // e.g. org.apache.zookeeper.server.auth.DigestLoginModule
	Options     map[string]string // written sorted by key, values quoted
}

// DigestServerSection is the JAAS Server section of a real server with
// DIGEST-MD5 users (name to password).
func DigestServerSection(users map[string]string) JAASSection {
	opts := make(map[string]string, len(users))
	for u, p := range users {
		opts["user_"+u] = p
	}
	return JAASSection{Name: "Server", LoginModule: "org.apache.zookeeper.server.auth.DigestLoginModule", Options: opts}
}

// DigestClientSection is the JAAS Client section a Java ZooKeeper client
// (Curator) uses to authenticate with DIGEST-MD5.
func DigestClientSection(user, password string) JAASSection {
	return JAASSection{Name: "Client", LoginModule: "org.apache.zookeeper.server.auth.DigestLoginModule",
		Options: map[string]string{"username": user, "password": password}}
}

// WriteJAAS writes a JAAS file with sections to the test's temp dir and
// returns its path.
func WriteJAAS(t testing.TB, sections ...JAASSection) string {
	t.Helper()
	var b strings.Builder
	for _, s := range sections {
		fmt.Fprintf(&b, "%s {\n  %s required", s.Name, s.LoginModule)
		for _, k := range slices.Sorted(maps.Keys(s.Options)) {
			v := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s.Options[k])
			fmt.Fprintf(&b, "\n  %s=\"%s\"", k, v)
		}
		b.WriteString(";\n};\n")
	}
	path := filepath.Join(t.TempDir(), "jaas.conf")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatalf("zktest: write JAAS file: %v", err)
	}
	return path
}

// RealSASL calls RequireReal, then starts a standalone real ZooKeeper for
// this test whose JVM reads the JAAS file jaas
// (java.security.auth.login.config) and registers the SASL authentication
// provider (zookeeper.authProvider.1), with props added to (or
// overriding) those JVM properties — for example
// "zookeeper.sessionRequireClientSASLAuth": "true". It is closed when the
// test ends; t.Fatal if it does not start.
func RealSASL(t testing.TB, jaas string, props map[string]string) *realzk.Ensemble {
	t.Helper()
	RequireReal(t)
	sys := map[string]string{
		"java.security.auth.login.config": jaas,
		"zookeeper.authProvider.1":        SASLProvider,
	}
	maps.Copy(sys, props)
	ctx, cancel := context.WithTimeout(context.Background(), realStartTimeout)
	defer cancel()
	e, err := realzk.Start(ctx, realzk.Options{Members: 1, SystemProperties: sys, Logf: t.Logf})
	if err != nil {
		t.Fatalf("zktest: start real ZooKeeper with SASL: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("zktest: %v", err)
		}
	})
	return e
}
