package testserver_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

func TestTLSListener(t *testing.T) {
	ca := zktest.NewTestCA(t, "testserver CA")
	srv := testserver.New(t, testserver.WithTLS(&tls.Config{Certificates: []tls.Certificate{ca.IssueTLS(t, "127.0.0.1")}}))
	require.True(t, srv.TLS())
	ctx := zktest.Context(t)

	c := zktest.Connect(t, srv.ConnectString(), zk.WithTLS(&tls.Config{RootCAs: ca.Pool()}))
	_, err := c.Create(ctx, "/tls", []byte("over tls"), zk.ModePersistent, nil)
	require.NoError(t, err)
	data, _, err := c.Get(ctx, "/tls")
	require.NoError(t, err)
	require.Equal(t, "over tls", string(data))

	// A plain client gets no session; the server goes on serving.
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err = zk.Dial(short, srv.ConnectString())
	require.ErrorIs(t, err, zk.ErrNoServer)
	// A client that does not trust the server's CA fails the handshake.
	_, err = zk.Dial(ctx, srv.ConnectString(), zk.WithTLS(&tls.Config{RootCAs: zktest.NewTestCA(t, "other").Pool()}))
	require.Error(t, err)
	_, _, err = c.Exists(ctx, "/tls")
	require.NoError(t, err)

	// Stop and Restart listen with TLS again.
	require.NoError(t, srv.Stop())
	require.NoError(t, srv.Restart())
	require.Eventually(t, func() bool { _, _, err := c.Exists(ctx, "/tls"); return err == nil }, 30*time.Second, 20*time.Millisecond)
}

func TestTLSListenerClientAuth(t *testing.T) {
	ca := zktest.NewTestCA(t, "testserver CA")
	srv := testserver.New(t, testserver.WithTLS(&tls.Config{
		Certificates: []tls.Certificate{ca.IssueTLS(t, "127.0.0.1")},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca.Pool(),
	}))
	ctx := zktest.Context(t)
	client := ca.IssueTLS(t, "client")
	c := zktest.Connect(t, srv.ConnectString(), zk.WithTLS(&tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{client}}))
	_, _, err := c.Exists(ctx, "/")
	require.NoError(t, err)

	// Without a client certificate the server's alert fails the dial.
	_, err = zk.Dial(ctx, srv.ConnectString(), zk.WithTLS(&tls.Config{RootCAs: ca.Pool()}))
	var oe *net.OpError
	require.True(t, errors.As(err, &oe), "want the server's TLS alert, got %v", err)
}

func TestTLSConfigWithoutCertificate(t *testing.T) {
	_, err := testserver.Start(testserver.WithTLS(&tls.Config{}))
	require.ErrorContains(t, err, "no server certificate")
}
