package kerberos_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk/kerberos"
)

func TestJavaKerberosProbe(t *testing.T) {
	kdc := zktest.StartKDC(t, "ZKCURATOR.TEST")
	zkSrv := kdc.RealKerberosZK(nil)
	principal, kt := kdc.AddPrincipal("app")
	cp := zktest.CompileJava(t, zktest.CuratorJars, filepath.Join("testdata", "KrbCurator.java"))
	java := zktest.StartJava(t, cp, "KrbCurator", zkSrv.ConnectString(), kdc.JAAS("Client", principal, kt), kdc.KRB5Conf)
	java.Expect("CONNECTED")
	java.Send("whoami")
	t.Log(java.Expect("END"))
	java.Send("create /k1 hello app@ZKCURATOR.TEST")
	t.Log(java.ExpectPrefix(""))
	java.Send("get /k1")
	t.Log(java.ExpectPrefix(""))
	java.Send("acl /k1")
	t.Log(java.Expect("END"))
	java.Send("quit")
	java.Wait()
	require.True(t, true)
}

func TestRawProbe(t *testing.T) {
	kdc := zktest.StartKDC(t, "ZKCURATOR.TEST")
	zkSrv := kdc.RealKerberosZK(nil)
	principal, kt := kdc.AddPrincipal("app")
	cp := zktest.CompileJava(t, zktest.CuratorJars, filepath.Join("testdata", "KrbCurator.java"))
	java := zktest.StartJava(t, cp, "KrbCurator", zkSrv.ConnectString(), kdc.JAAS("Client", principal, kt), kdc.KRB5Conf)
	java.Expect("CONNECTED")
	java.Send("create /k1 hello app@ZKCURATOR.TEST")
	require.Equal(t, "OK", java.ExpectPrefix(""))
	java.Send("quit")
	java.Wait()

	m, err := kerberos.New(kerberos.Config{Principal: principal, KeytabPath: kt, KRB5ConfPath: kdc.KRB5Conf, CanonicalizeHostname: true})
	require.NoError(t, err)
	r := dialRaw(t, zkSrv.ConnectString())
	_, code := r.get("/k1")
	require.EqualValues(t, -102, code)
	require.NoError(t, r.authenticate(m, zkSrv.ConnectString()), kdc.ZooKeeperLog())
	data, code := r.get("/k1")
	require.EqualValues(t, 0, code)
	require.Equal(t, "hello", string(data))
}
