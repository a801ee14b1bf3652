package kerberos

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
	"github.com/stretchr/testify/require"
)

func TestTicketFreshAndUsable(t *testing.T) {
	now := time.Now()
	tk := &ticket{life: time.Hour, end: now.Add(time.Hour)}
	require.True(t, tk.fresh(now))
	require.True(t, tk.fresh(now.Add(47*time.Minute)))
	require.False(t, tk.fresh(now.Add(49*time.Minute)), "the last fifth: due for renewal")
	require.True(t, tk.usable(now.Add(59*time.Minute)))
	require.False(t, tk.usable(now.Add(59*time.Minute+45*time.Second)), "too close to its end")
	var none *ticket
	require.False(t, none.fresh(now))
	require.False(t, none.usable(now))
}

// unreachableMechanism is a keytab Mechanism whose realm's KDC does not
// listen (127.0.0.1:1), holding a TGT and a service ticket for
// zookeeper/localhost that end in lifeLeft.
func unreachableMechanism(t *testing.T, lifeLeft time.Duration) *Mechanism {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "krb5.conf")
	require.NoError(t, os.WriteFile(conf, []byte("[libdefaults]\n default_realm = EXAMPLE.TEST\n udp_preference_limit = 1\n[realms]\nEXAMPLE.TEST = {\n kdc = 127.0.0.1:1\n}\n"), 0o600))
	kt := keytab.New()
	require.NoError(t, kt.AddEntry("app", "EXAMPLE.TEST", "secret", time.Now(), 1, etypeID.AES256_CTS_HMAC_SHA1_96))
	m, err := New(Config{Principal: "app", Keytab: kt, KRB5ConfPath: conf})
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	key := types.EncryptionKey{KeyType: etypeID.AES256_CTS_HMAC_SHA1_96, KeyValue: make([]byte, 32)}
	held := func(name ...string) *ticket {
		tkt := messages.Ticket{TktVNO: 5, Realm: "EXAMPLE.TEST", SName: types.NewPrincipalName(nametype.KRB_NT_SRV_INST, name[0]+"/"+name[1])}
		return &ticket{tkt: tkt, key: key, life: time.Hour, end: time.Now().Add(lifeLeft)}
	}
	m.tgts["EXAMPLE.TEST"] = held("krbtgt", "EXAMPLE.TEST")
	m.svc["zookeeper/localhost"] = held("zookeeper", "localhost")
	return m
}

// The tickets in hand serve a connection without a KDC: fresh ones
// always, ones due for renewal while still valid; expired ones do not.
func TestHeldTicketsServeWithoutKDC(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, left := range []time.Duration{50 * time.Minute, 5 * time.Minute} {
		ex, err := unreachableMechanism(t, left).Start(ctx, "localhost:2181")
		require.NoError(t, err, "%v left", left)
		first, done, err := ex.Step(ctx, nil)
		require.NoError(t, err)
		require.False(t, done)
		require.NotEmpty(t, first)
	}
	_, err := unreachableMechanism(t, 10*time.Second).Start(ctx, "localhost:2181")
	require.ErrorIs(t, err, ErrKDCUnreachable)
}
