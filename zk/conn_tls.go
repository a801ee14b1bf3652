package zk

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
)

// isTLSConfigError reports whether a connection attempt failed because
// the TLS peers do not accept each other: the server's certificate failed
// verification (unknown authority, wrong host name, invalid or expired
// certificate), or the server refused the handshake with an alert (bad or
// missing client certificate, no common version or cipher). Trying again
// cannot succeed until someone changes a configuration.
func isTLSConfigError(err error) bool {
	var (
		verr *tls.CertificateVerificationError
		uerr x509.UnknownAuthorityError
		herr x509.HostnameError
		cerr x509.CertificateInvalidError
		rerr tls.RecordHeaderError
		oerr *net.OpError
	)
	switch {
	case errors.As(err, &verr), errors.As(err, &uerr), errors.As(err, &herr), errors.As(err, &cerr):
		return true
	case errors.As(err, &rerr):
		return true // the server does not speak TLS on this port
	case errors.As(err, &oerr) && oerr.Op == "remote error":
		return true // a TLS alert from the server (crypto/tls's alert type is unexported)
	}
	return false
}

// failDial makes a Dial that is still waiting for its first connection
// fail at once with err. It reports false (doing nothing) when the Conn
// has been connected before: the session then keeps trying other hosts.
func (c *Conn) failDial(err error) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.phase != phaseDialing {
		return c.phase == phaseDialFailed
	}
	c.dialErr = err
	c.setPhaseLocked(phaseDialFailed)
	return true
}
