package zktest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/zkcurator/zkcurator/testserver/realzk"
)

// KerberosServicePrincipal is the principal (without realm) of the real
// ZooKeeper RealKerberosZK starts: the Java client's default service name
// "zookeeper" and host "localhost" (what 127.0.0.1 canonicalises to).
const KerberosServicePrincipal = "zookeeper/localhost"

// JAAS writes a JAAS configuration file with one Krb5LoginModule section
// (such as "Server" or "Client") logging principal in from keytab, and
// returns its path.
func (k *KDC) JAAS(section, principal, keytab string) string {
	k.t.Helper()
	conf := fmt.Sprintf(`%s {
	com.sun.security.auth.module.Krb5LoginModule required
	useKeyTab=true
	keyTab="%s"
	storeKey=true
	useTicketCache=false
	principal="%s";
};
`, section, keytab, principal)
	f, err := os.CreateTemp(k.Dir, "jaas-"+strings.ToLower(section)+"-*.conf")
	if err != nil {
		k.t.Fatalf("zktest: %v", err)
	}
	defer f.Close()
	if _, err := f.WriteString(conf); err != nil {
		k.t.Fatalf("zktest: %v", err)
	}
	return f.Name()
}

// RealKerberosZK starts a real standalone ZooKeeper that authenticates
// clients with SASL GSSAPI against this KDC: the service principal
// KerberosServicePrincipal@Realm from its own keytab (JAAS "Server"
// section), the SASL authentication provider, and extra zoo.cfg keys in
// config (may be nil). It calls RequireReal; the server is closed when the
// test ends.
func (k *KDC) RealKerberosZK(config map[string]string) *realzk.Ensemble {
	k.t.Helper()
	RequireReal(k.t)
	principal, keytab := k.AddPrincipal(KerberosServicePrincipal)
	jaas := k.JAAS("Server", principal, keytab)
	ctx, cancel := context.WithTimeout(context.Background(), realStartTimeout)
	defer cancel()
	e, err := realzk.Start(ctx, realzk.Options{
		Dir:    k.Dir,
		Config: config,
		SystemProperties: map[string]string{
			"java.security.auth.login.config": jaas,
			"java.security.krb5.conf":         k.KRB5Conf,
			"zookeeper.authProvider.1":        "org.apache.zookeeper.server.auth.SASLAuthenticationProvider",
		},
		Logf: k.t.Logf,
	})
	if err != nil {
		k.t.Fatalf("zktest: start real ZooKeeper with Kerberos: %v", err)
	}
	k.t.Cleanup(func() {
		if err := e.Close(); err != nil {
			k.t.Errorf("zktest: %v", err)
		}
	})
	return e
}

// ZooKeeperLog returns the logs of the real ZooKeeper servers started by
// RealKerberosZK, for a failure message (the server logs why it refused a
// SASL client).
func (k *KDC) ZooKeeperLog() string {
	logs, _ := filepath.Glob(filepath.Join(k.Dir, "realzk-*", "m*", "zookeeper.log"))
	var b strings.Builder
	for _, l := range logs {
		data, _ := os.ReadFile(l)
		b.Write(data)
	}
	return b.String()
}
