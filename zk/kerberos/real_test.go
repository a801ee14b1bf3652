package kerberos_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk/kerberos"
)

// realm is the test realm of the real-server tests.
const realm = "ZKCURATOR.TEST"

// kerberized is one KDC, one real ZooKeeper authenticating with GSSAPI,
// and a client principal, shared by the subtests of one test.
type kerberized struct {
	kdc       *zktest.KDC
	addr      string // the server's connect string (127.0.0.1:port)
	principal string // app@ZKCURATOR.TEST
	keytab    string // its keys
	saslID    string // how the server names it in ACLs
	classpath string // KrbCurator compiled
}

func startKerberized(t *testing.T) *kerberized {
	t.Helper()
	kdc := zktest.StartKDC(t, realm)
	k := &kerberized{kdc: kdc, addr: kdc.RealKerberosZK(nil).ConnectString()}
	k.principal, k.keytab = kdc.AddPrincipal("app")
	k.saslID = "app@" + realm // ZooKeeper 3.8: short name, then the realm appended back
	k.classpath = zktest.CompileJava(t, zktest.CuratorJars, filepath.Join("testdata", "KrbCurator.java"))
	return k
}

// java starts a Curator client authenticated as principal from keytab.
func (k *kerberized) java(t *testing.T, principal, keytab string) *zktest.JavaProcess {
	t.Helper()
	j := zktest.StartJava(t, k.classpath, "KrbCurator", k.addr, k.kdc.JAAS("Client", principal, keytab), k.kdc.KRB5Conf)
	j.Expect("CONNECTED")
	return j
}

// TestKerberosRealZooKeeper authenticates to a real ZooKeeper 3.8 with
// GSSAPI, against a real MIT KDC, and checks the sasl: ACLs it gets:
// the same as a Java Curator client authenticated as the same principal.
func TestKerberosRealZooKeeper(t *testing.T) {
	k := startKerberized(t)

	t.Run("java whoami", func(t *testing.T) {
		j := k.java(t, k.principal, k.keytab)
		j.Send("whoami")
		require.Contains(t, j.Expect("END"), "WHO sasl:"+k.saslID, "the id ZooKeeper gives the principal")
		j.Send("create /java-made from-java " + k.saslID)
		require.Equal(t, "OK", j.ExpectPrefix(""))
		j.Send("quit")
		j.Wait()
	})

	t.Run("raw wire keytab", func(t *testing.T) {
		m, err := kerberos.New(kerberos.Config{Principal: k.principal, KeytabPath: k.keytab, KRB5ConfPath: k.kdc.KRB5Conf, CanonicalizeHostname: true})
		require.NoError(t, err)
		r := dialRaw(t, k.addr)
		_, code := r.get("/java-made")
		require.EqualValues(t, -102, code, "NoAuth before authenticating")
		require.NoError(t, r.authenticate(m, k.addr), k.kdc.ZooKeeperLog())
		data, code := r.get("/java-made")
		require.EqualValues(t, 0, code)
		require.Equal(t, "from-java", string(data))
	})

	t.Run("raw wire ccache", func(t *testing.T) {
		cc := k.kdc.Kinit(k.principal, k.keytab)
		m, err := kerberos.New(kerberos.Config{CCachePath: "FILE:" + cc, KRB5ConfPath: k.kdc.KRB5Conf, ServiceHost: "localhost"})
		require.NoError(t, err)
		r := dialRaw(t, k.addr)
		require.NoError(t, r.authenticate(m, k.addr), k.kdc.ZooKeeperLog())
		data, code := r.get("/java-made")
		require.EqualValues(t, 0, code)
		require.Equal(t, "from-java", string(data))
	})

	t.Run("raw wire other principal", func(t *testing.T) {
		other, kt := k.kdc.AddPrincipal("other")
		m, err := kerberos.New(kerberos.Config{Principal: other, KeytabPath: kt, KRB5ConfPath: k.kdc.KRB5Conf, ServiceHost: "localhost"})
		require.NoError(t, err)
		r := dialRaw(t, k.addr)
		require.NoError(t, r.authenticate(m, k.addr))
		_, code := r.get("/java-made")
		require.EqualValues(t, -102, code, "NoAuth: the ACL names app, not other")
	})
}
