package kerberos_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/zk"
	"github.com/zkcurator/zkcurator/zk/kerberos"
)

const testKRB5Conf = `[libdefaults]
	default_realm = EXAMPLE.TEST
[realms]
	EXAMPLE.TEST = {
		kdc = 127.0.0.1:1
	}
`

// writeConfig writes a krb5.conf naming an unreachable KDC and a keytab
// holding app@EXAMPLE.TEST's key, and returns their paths.
func writeConfig(t *testing.T) (krb5Conf, kt string) {
	t.Helper()
	dir := t.TempDir()
	krb5Conf = filepath.Join(dir, "krb5.conf")
	require.NoError(t, os.WriteFile(krb5Conf, []byte(testKRB5Conf), 0o600))
	k := keytab.New()
	require.NoError(t, k.AddEntry("app", "EXAMPLE.TEST", "secret", time.Now(), 1, etypeID.AES256_CTS_HMAC_SHA1_96))
	b, err := k.Marshal()
	require.NoError(t, err)
	kt = filepath.Join(dir, "app.keytab")
	require.NoError(t, os.WriteFile(kt, b, 0o600))
	return krb5Conf, kt
}

func TestNewValidatesConfig(t *testing.T) {
	krb5Conf, kt := writeConfig(t)
	missing := filepath.Join(t.TempDir(), "missing")
	cases := []struct {
		name string
		cfg  kerberos.Config
		want error
	}{
		{"keytab without principal", kerberos.Config{KRB5ConfPath: krb5Conf, KeytabPath: kt}, zk.ErrInvalidArgument},
		{"missing keytab", kerberos.Config{KRB5ConfPath: krb5Conf, Principal: "app", KeytabPath: missing}, fs.ErrNotExist},
		{"principal not in keytab", kerberos.Config{KRB5ConfPath: krb5Conf, Principal: "other", KeytabPath: kt}, kerberos.ErrPrincipalNotInKeytab},
		{"principal of another realm", kerberos.Config{KRB5ConfPath: krb5Conf, Principal: "app@OTHER.TEST", KeytabPath: kt}, kerberos.ErrPrincipalNotInKeytab},
		{"bad principal", kerberos.Config{KRB5ConfPath: krb5Conf, Principal: "@EXAMPLE.TEST", KeytabPath: kt}, zk.ErrInvalidArgument},
		{"missing krb5.conf", kerberos.Config{KRB5ConfPath: missing, Principal: "app", KeytabPath: kt}, fs.ErrNotExist},
		{"missing ccache", kerberos.Config{KRB5ConfPath: krb5Conf, CCachePath: missing}, fs.ErrNotExist},
		{"unsupported ccache type", kerberos.Config{KRB5ConfPath: krb5Conf, CCachePath: "KEYRING:persistent:0"}, zk.ErrInvalidArgument},
		{"service name with host", kerberos.Config{KRB5ConfPath: krb5Conf, Principal: "app", KeytabPath: kt, ServiceName: "zookeeper/h"}, zk.ErrInvalidArgument},
		{"service host with port", kerberos.Config{KRB5ConfPath: krb5Conf, Principal: "app", KeytabPath: kt, ServiceHost: "h:2181"}, zk.ErrInvalidArgument},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := kerberos.New(tc.cfg)
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, m)
		})
	}

	m, err := kerberos.New(kerberos.Config{KRB5ConfPath: krb5Conf, Principal: "app", KeytabPath: kt})
	require.NoError(t, err)
	require.Equal(t, "GSSAPI", m.Name())
}

func TestKRB5ConfigFromEnv(t *testing.T) {
	krb5Conf, kt := writeConfig(t)
	t.Setenv("KRB5_CONFIG", filepath.Join(t.TempDir(), "missing")+string(os.PathListSeparator)+krb5Conf)
	_, err := kerberos.New(kerberos.Config{Principal: "app", KeytabPath: kt}) // realm from default_realm
	require.NoError(t, err)
}

func TestCCacheFromEnv(t *testing.T) {
	krb5Conf, _ := writeConfig(t)
	t.Setenv("KRB5CCNAME", "FILE:"+filepath.Join(t.TempDir(), "none"))
	_, err := kerberos.New(kerberos.Config{KRB5ConfPath: krb5Conf})
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.ErrorContains(t, err, "kinit")
}
