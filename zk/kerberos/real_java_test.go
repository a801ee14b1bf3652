package kerberos_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
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
