package zktest

import "github.com/zkcurator/zkcurator/testserver/realzk"

// KerberosServicePrincipal is the principal (without realm) of the real
// ZooKeeper RealKerberosZK starts: the Java client's default service name
// "zookeeper" and host "localhost" (what 127.0.0.1 canonicalises to).
const KerberosServicePrincipal = "zookeeper/localhost"

// KerberosSection is a JAAS section (for WriteJAAS) logging principal in
// with Java's Krb5LoginModule from keytab: "Server" for a ZooKeeper
// server, "Client" for a Java ZooKeeper client (Curator).
func KerberosSection(name, principal, keytab string) JAASSection {
	return JAASSection{Name: name, LoginModule: "com.sun.security.auth.module.Krb5LoginModule", Options: map[string]string{
		"useKeyTab":      "true",
		"keyTab":         keytab,
		"storeKey":       "true",
		"useTicketCache": "false",
		"principal":      principal,
	}}
}

// RealKerberosZK starts a real standalone ZooKeeper (RealSASL) that
// authenticates clients with SASL GSSAPI against this KDC, as the service
// principal KerberosServicePrincipal@Realm from its own keytab, with
// props added to its JVM properties (may be nil). It calls RequireReal;
// the server is closed when the test ends. Its connect string is
// 127.0.0.1:port: a client dialling it needs the service host
// "localhost" (fixed, or 127.0.0.1 canonicalised).
func (k *KDC) RealKerberosZK(props map[string]string) *realzk.Ensemble {
	k.t.Helper()
	RequireReal(k.t)
	principal, keytab := k.AddPrincipal(KerberosServicePrincipal)
	sys := map[string]string{"java.security.krb5.conf": k.KRB5Conf}
	for key, v := range props {
		sys[key] = v
	}
	return RealSASL(k.t, WriteJAAS(k.t, KerberosSection("Server", principal, keytab)), sys)
}
