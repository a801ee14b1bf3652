package kerberos_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"
	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
	"github.com/zkcurator/zkcurator/zk/kerberos"
)

// acceptor plays the server's side of RFC 4752 with gokrb5's service
// code and the service's keytab: it verifies the client's AP-REQ, offers
// the layers, and returns the client's choice.
func accept(t *testing.T, ex zk.SASLExchange, serviceKeytab string) (client string, choice []byte) {
	t.Helper()
	ctx := context.Background()
	first, done, err := ex.Step(ctx, nil)
	require.NoError(t, err)
	require.False(t, done)
	var tok spnego.KRB5Token
	require.NoError(t, tok.Unmarshal(first))
	require.True(t, tok.IsAPReq())
	kt, err := keytab.Load(serviceKeytab)
	require.NoError(t, err)
	// APReq.Verify (not service.VerifyAPREQ, whose replay cache leaves a
	// goroutine behind) decrypts the ticket and authenticator and checks
	// that they match.
	ok, err := tok.APReq.Verify(kt, 5*time.Minute, types.HostAddress{}, nil)
	require.True(t, ok, "AP-REQ rejected: %v", err)
	key := tok.APReq.Ticket.DecryptedEncPart.Key

	offer := gssapi.WrapToken{Flags: 0x01, EC: 12, Payload: []byte{0x01, 0, 0, 0}}
	require.NoError(t, offer.SetCheckSum(key, keyusage.GSSAPI_ACCEPTOR_SEAL))
	b, err := offer.Marshal()
	require.NoError(t, err)
	last, done, err := ex.Step(ctx, b)
	require.NoError(t, err)
	require.True(t, done)
	var answer gssapi.WrapToken
	require.NoError(t, answer.Unmarshal(last, false))
	ok, err = answer.Verify(key, keyusage.GSSAPI_INITIATOR_SEAL)
	require.True(t, ok, "answer checksum: %v", err)
	return tok.APReq.Authenticator.CName.PrincipalNameString() + "@" + tok.APReq.Authenticator.CRealm, answer.Payload
}

// TestGSSAPIAgainstMITKDC runs the mechanism against a real MIT KDC, with
// gokrb5's service side standing in for the server: from a keytab, from a
// kinit credentials cache, with the host canonicalised, and the errors
// when the KDC or the service principal are not there.
func TestGSSAPIAgainstMITKDC(t *testing.T) {
	kdc := zktest.StartKDC(t, "ZKCURATOR.TEST")
	_, serviceKT := kdc.AddPrincipal("zookeeper/localhost")
	clientPrincipal, clientKT := kdc.AddPrincipal("app")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	t.Run("keytab", func(t *testing.T) {
		m, err := kerberos.New(kerberos.Config{Principal: "app", KeytabPath: clientKT, KRB5ConfPath: kdc.KRB5Conf})
		require.NoError(t, err)
		ex, err := m.Start(ctx, "localhost:2181")
		require.NoError(t, err)
		who, choice := accept(t, ex, serviceKT)
		require.Equal(t, clientPrincipal, who)
		require.Equal(t, append([]byte{1, 0, 0, 0}, clientPrincipal...), choice)
	})
	t.Run("concurrent connections", func(t *testing.T) {
		m, err := kerberos.New(kerberos.Config{Principal: "app", KeytabPath: clientKT, KRB5ConfPath: kdc.KRB5Conf})
		require.NoError(t, err)
		exs := make([]zk.SASLExchange, 8)
		errs := make([]error, len(exs))
		var wg sync.WaitGroup
		for i := range exs {
			wg.Go(func() { exs[i], errs[i] = m.Start(ctx, "localhost:2181") })
		}
		wg.Wait()
		for i, ex := range exs {
			require.NoError(t, errs[i])
			who, _ := accept(t, ex, serviceKT)
			require.Equal(t, clientPrincipal, who)
		}
	})
	t.Run("ccache", func(t *testing.T) {
		cc := kdc.Kinit(clientPrincipal, clientKT)
		t.Setenv("KRB5CCNAME", "FILE:"+cc)
		m, err := kerberos.New(kerberos.Config{KRB5ConfPath: kdc.KRB5Conf, ServiceHost: "localhost", AuthorizationID: "someone"})
		require.NoError(t, err)
		ex, err := m.Start(ctx, "127.0.0.1:2181")
		require.NoError(t, err)
		who, choice := accept(t, ex, serviceKT)
		require.Equal(t, clientPrincipal, who)
		require.Equal(t, append([]byte{1, 0, 0, 0}, "someone"...), choice)
	})
	t.Run("ccache of another principal", func(t *testing.T) {
		cc := kdc.Kinit(clientPrincipal, clientKT)
		_, err := kerberos.New(kerberos.Config{Principal: "someone-else", CCachePath: cc, KRB5ConfPath: kdc.KRB5Conf})
		require.ErrorIs(t, err, zk.ErrInvalidArgument)
	})
	t.Run("canonicalize", func(t *testing.T) {
		m, err := kerberos.New(kerberos.Config{Principal: clientPrincipal, KeytabPath: clientKT, KRB5ConfPath: kdc.KRB5Conf, CanonicalizeHostname: true})
		require.NoError(t, err)
		ex, err := m.Start(ctx, "127.0.0.1:2181") // /etc/hosts: 127.0.0.1 localhost
		require.NoError(t, err)
		who, _ := accept(t, ex, serviceKT)
		require.Equal(t, clientPrincipal, who)
	})
	t.Run("unknown service principal", func(t *testing.T) {
		m, err := kerberos.New(kerberos.Config{Principal: "app", KeytabPath: clientKT, KRB5ConfPath: kdc.KRB5Conf})
		require.NoError(t, err)
		_, err = m.Start(ctx, "127.0.0.1:2181") // zookeeper/127.0.0.1 does not exist
		require.ErrorContains(t, err, "zookeeper/127.0.0.1")
		require.NotErrorIs(t, err, kerberos.ErrKDCUnreachable)
	})
	t.Run("stale keytab", func(t *testing.T) {
		_, kt := kdc.AddPrincipal("rotated")
		_ = kdc.Keytab("rotated") // without -norandkey the first keytab would be stale; check the helper keeps it valid
		m, err := kerberos.New(kerberos.Config{Principal: "rotated", KeytabPath: kt, KRB5ConfPath: kdc.KRB5Conf, ServiceHost: "localhost"})
		require.NoError(t, err)
		_, err = m.Start(ctx, "x:1")
		require.NoError(t, err)
	})
}

func TestKDCUnreachable(t *testing.T) {
	krb5Conf, kt := writeConfig(t) // the KDC is 127.0.0.1:1
	m, err := kerberos.New(kerberos.Config{Principal: "app", KeytabPath: kt, KRB5ConfPath: krb5Conf})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = m.Start(ctx, "localhost:2181")
	require.ErrorIs(t, err, kerberos.ErrKDCUnreachable)
}

// Start returns when its context ends even though gokrb5's KDC calls take
// no context: here the KDC accepts the connection and never answers.
func TestStartHonoursContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	dir := t.TempDir()
	krb5Conf := filepath.Join(dir, "krb5.conf")
	require.NoError(t, os.WriteFile(krb5Conf, []byte("[libdefaults]\n udp_preference_limit = 1\n[realms]\nEXAMPLE.TEST = {\n kdc = "+ln.Addr().String()+"\n}\n"), 0o600))
	_, kt := writeConfig(t)
	m, err := kerberos.New(kerberos.Config{Principal: "app@EXAMPLE.TEST", KeytabPath: kt, KRB5ConfPath: krb5Conf})
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = m.Start(ctx, "localhost:2181")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 4*time.Second, "returned before gokrb5's own 5s timeout")

	// End the background login: the KDC hangs up, then goes away.
	c := zktest.Recv(t, accepted)
	require.NoError(t, c.Close())
	require.NoError(t, ln.Close())
	for c := range accepted {
		_ = c.Close()
	}
}
