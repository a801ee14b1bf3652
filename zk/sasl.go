package zk

import (
	"context"
	"errors"
)

// ErrSASLFailed is matched (errors.Is) by every SASL failure: a rejected
// exchange, a mechanism that could not go on (its error, a malformed
// challenge, a server that did not prove it knows the password, a server
// without SASL). The error that ends a session (StateAuthFailed; see
// WithSASL) matches ErrAuthFailed too.
var ErrSASLFailed = errors.New("zk: SASL authentication failed")

// SASLMechanism is a SASL client mechanism (DIGEST-MD5, GSSAPI) that
// authenticates every connection of a session before any other request is
// sent on it (see WithSASL). Implementations must be safe for concurrent use:
// each connection, including every reconnect, starts its own exchange.
type SASLMechanism interface {
	// Name is the mechanism's SASL name, such as "DIGEST-MD5" or "GSSAPI".
	Name() string
	// Start begins the exchange for one connection to server, the
	// host:port the connection dialled (GSSAPI derives the service
	// principal's host from it).
	Start(ctx context.Context, server string) (SASLExchange, error)
}

// SASLExchange is one SASL authentication exchange on one connection.
// The Conn drives it: Step(nil) first, then each server token in turn,
// one SASL packet (op 102) per non-nil response, until done.
type SASLExchange interface {
	// Step takes the server's last token (nil before the first step; a
	// server may also send none) and returns the token to send next, and
	// done when the client's side of the exchange is complete once that
	// token is answered. A nil response with done true ends the exchange
	// without another packet (DIGEST-MD5 after checking the server's
	// rspauth); a non-nil empty response is sent as an empty token (the
	// first packet of a mechanism without an initial response). An error
	// fails the exchange on this connection (see WithSASL for what
	// follows). ctx ends when the connection's read timeout passes or
	// the Conn closes.
	Step(ctx context.Context, challenge []byte) (response []byte, done bool, err error)
}
