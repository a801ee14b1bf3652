package zk_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver/realzk"
	"github.com/zkcurator/zkcurator/zk"
)

// tlsFailsFast dials addr with cfg and requires a quick failure that
// carries the TLS verification error (checked by check).
func tlsFailsFast(t *testing.T, addr string, cfg *tls.Config, check func(error) bool) {
	t.Helper()
	// A long connection timeout: only failing at once passes.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, dial := range []func() error{
		func() error {
			c, err := zk.Dial(ctx, addr, zk.WithTLS(cfg), zk.WithConnectionTimeout(time.Minute))
			if c != nil {
				c.Close()
			}
			return err
		},
		func() error {
			c, err := zk.Connect(ctx, addr, zk.WithTLS(cfg), zk.WithConnectionTimeout(time.Minute))
			if c != nil {
				c.Close()
			}
			return err
		},
	} {
		start := time.Now()
		err := dial()
		require.Error(t, err)
		require.Less(t, time.Since(start), 10*time.Second, "not retried until the timeout: %v", err)
		require.True(t, check(err), "want the TLS error, got %v", err)
		require.NotErrorIs(t, err, context.DeadlineExceeded)
	}
}

func isUnknownAuthority(err error) bool {
	var e x509.UnknownAuthorityError
	return errors.As(err, &e)
}

func isHostnameError(err error) bool {
	var e x509.HostnameError
	return errors.As(err, &e)
}

// tlsServer is a bare Go TLS listener (no ZooKeeper behind it: the
// embedded server has no TLS listener yet) for verification failures,
// which happen before any ZooKeeper byte.
func tlsServer(t *testing.T, cert tls.Certificate) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}

func TestTLSVerificationErrorFailsDialAtOnce(t *testing.T) {
	serverCA := zktest.NewTestCA(t, "server CA")
	otherCA := zktest.NewTestCA(t, "other CA")
	addr := tlsServer(t, serverCA.IssueTLS(t, "127.0.0.1"))

	tlsFailsFast(t, addr, &tls.Config{RootCAs: otherCA.Pool()}, isUnknownAuthority)
	tlsFailsFast(t, addr, &tls.Config{RootCAs: serverCA.Pool(), ServerName: "zk.example"}, isHostnameError)
}

func TestTLSRealServer(t *testing.T) {
	zktest.RequireReal(t)
	ca := zktest.NewTestCA(t, "zkcurator test CA")
	certPEM, keyPEM := ca.Issue(t, "127.0.0.1", "localhost")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e, err := realzk.Start(ctx, realzk.Options{Logf: t.Logf, TLS: &realzk.TLS{CertPEM: certPEM, KeyPEM: keyPEM}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	addr := e.SecureAddr(0)
	require.NotEmpty(t, addr)

	// The right CA: connects and works.
	c := zktest.Connect(t, addr, zk.WithTLS(&tls.Config{RootCAs: ca.Pool()}))
	p := zktest.UniquePath(t)
	_, err = c.Create(ctx, p, []byte("over tls"), zk.ModePersistent, nil)
	require.NoError(t, err)
	data, _, err := c.Get(ctx, p)
	require.NoError(t, err)
	require.Equal(t, "over tls", string(data))

	// A wrong CA, a wrong name: Dial and Connect fail at once with the
	// x509 error.
	tlsFailsFast(t, addr, &tls.Config{RootCAs: zktest.NewTestCA(t, "other CA").Pool()}, isUnknownAuthority)
	tlsFailsFast(t, addr, &tls.Config{RootCAs: ca.Pool(), ServerName: "zk.example"}, isHostnameError)

	// Plain TCP on the secure port is not ZooKeeper: no session (bounded).
	short, cancel2 := context.WithTimeout(ctx, 2*time.Second)
	defer cancel2()
	_, err = zk.Dial(short, addr)
	require.ErrorIs(t, err, zk.ErrNoServer)
}

// ssl.clientAuth=need: a client certificate from the trusted CA is
// required; without one the server's alert fails Dial at once.
func TestTLSRealServerClientAuth(t *testing.T) {
	zktest.RequireReal(t)
	ca := zktest.NewTestCA(t, "zkcurator test CA")
	certPEM, keyPEM := ca.Issue(t, "127.0.0.1")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e, err := realzk.Start(ctx, realzk.Options{Logf: t.Logf,
		TLS: &realzk.TLS{CertPEM: certPEM, KeyPEM: keyPEM, CAPEM: ca.PEM, ClientAuth: "need"}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	addr := e.SecureAddr(0)

	client := ca.IssueTLS(t, "client")
	c := zktest.Connect(t, addr, zk.WithTLS(&tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{client}}))
	_, _, err = c.Exists(ctx, "/")
	require.NoError(t, err)

	tlsFailsFast(t, addr, &tls.Config{RootCAs: ca.Pool()}, func(err error) bool {
		var oe *net.OpError
		return errors.As(err, &oe) && oe.Op == "remote error"
	})
}
