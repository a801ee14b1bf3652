package testserver

import (
	"crypto/tls"
	"fmt"
	"net"
)

// listen opens the server's listener on addr: plain TCP, or TLS when the
// server was started WithTLS. With TLS every connection's handshake runs on
// its first read, in the connection's own goroutine, so a client that does
// not speak TLS only fails its own connection (closed on the handshake
// error), as on a real server's secureClientPort.
func (s *Server) listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if s.cfg.tls == nil {
		return ln, nil
	}
	return tls.NewListener(ln, s.cfg.tls), nil
}

// checkTLSConfig rejects a TLS config a server cannot serve with: one
// without a certificate.
func checkTLSConfig(cfg *tls.Config) error {
	if cfg == nil {
		return nil
	}
	if len(cfg.Certificates) == 0 && cfg.GetCertificate == nil && cfg.GetConfigForClient == nil {
		return fmt.Errorf("testserver: WithTLS: the tls.Config has no server certificate")
	}
	return nil
}

// TLS reports whether the server listens with TLS (WithTLS).
func (s *Server) TLS() bool { return s.cfg.tls != nil }
