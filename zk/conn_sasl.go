package zk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zkcurator/zkcurator/jute"
)

// SASL on a connection, the Java client's way (ClientCnxn and
// ZooKeeperSaslClient): right after the ConnectResponse, before anything
// else is written on the connection (auth packets, SetWatches, user
// requests: those wait in the outgoing queue), the client sends SASL
// packets (op 102, normal xids, body GetSASLRequest{token}) one at a time
// and reads the server's SetSASLResponse{token} to each. The server
// answers a rejected exchange with AuthFailed (SessionClosedRequireSaslAuth
// when it requires SASL) and closes the connection.

const (
	// maxSASLRounds bounds the packets of one exchange (DIGEST-MD5 takes
	// 2, GSSAPI 3 or 4): a mechanism that never completes fails.
	maxSASLRounds = 16
	// maxSASLMechanismFailures is how many connections in a row may fail
	// the exchange on the client's side (the mechanism's error, a server
	// answering without SASL) before the session is given up with
	// StateAuthFailed. A server that rejects the credentials ends the
	// session at once.
	maxSASLMechanismFailures = 3
)

// WithSASL authenticates every connection of the session with the SASL
// mechanism m (DigestMD5, or GSSAPI from package zk/kerberos) before any
// other request is sent on it; requests made meanwhile wait and go after
// it. The authenticated identity appears in ACLs as sasl:<name>.
//
// Events: the session-state event StateSyncConnected (or
// StateConnectedReadOnly) comes once the exchange has succeeded, followed
// by StateSaslAuthenticated, on the first connection and every reconnect.
// (The Java client reports SyncConnected before the exchange; like kazoo,
// a Conn reports a connection only once it may be used.) Dial returns
// only after the first exchange.
//
// Failure is not retried forever. When the server rejects the exchange
// (a wrong password: it answers AuthFailed and closes the connection),
// the session ends at once: StateAuthFailed, and every call (Dial
// included, on the first connection) fails with an error matching
// ErrAuthFailed and ErrSASLFailed (and ErrSessionClosedRequireSaslAuth
// when the server said that). When the client's side fails (the
// mechanism's error, a malformed challenge, a server without SASL
// configured), the Conn tries the next connection, and gives up the same
// way after 3 such failures in a row. A connection lost during the
// exchange is reconnected like any other. A Client publishes AuthFailed
// and stops (see AuthFailed). Conn and Client.
func WithSASL(m SASLMechanism) Option {
	return func(c *connConfig) {
		if m == nil {
			c.invalid("WithSASL", "nil mechanism")
			return
		}
		if v, ok := m.(interface{ validate() error }); ok {
			if err := v.validate(); err != nil {
				c.invalid("WithSASL", "%v", err)
				return
			}
		}
		c.sasl = m
	}
}

// saslOutcome is how an exchange on one connection ended.
type saslOutcome int

const (
	saslOK         saslOutcome = iota
	saslRejected               // the server refused: the session ends
	saslMechFailed             // the client's side failed: counts toward the limit
	saslConnLost               // the connection failed: reconnect as usual
)

// authenticate runs the SASL exchange on a new connection, before the
// reader and writer start, and decides what a failure means. It returns
// false when the connection must not be used (the caller drops it).
func (c *Conn) authenticate(ln *link) bool {
	outcome, err := c.saslExchange(ln)
	switch outcome {
	case saslOK:
		c.saslFailures = 0
		c.log.Info("zk: SASL authenticated", "server", ln.host, "mechanism", c.cfg.sasl.Name())
		return true
	case saslRejected:
		c.log.Error("zk: SASL authentication rejected", "server", ln.host, "err", err)
		c.noteConnectErr(ln.host, err)
		c.die(err, StateAuthFailed)
	case saslMechFailed:
		c.saslFailures++
		c.noteConnectErr(ln.host, err)
		if c.saslFailures >= maxSASLMechanismFailures {
			c.log.Error("zk: SASL authentication failed; giving up", "server", ln.host, "failures", c.saslFailures, "err", err)
			c.die(fmt.Errorf("%w: %w (%d connections in a row)", ErrAuthFailed, err, c.saslFailures), StateAuthFailed)
		} else {
			c.log.Warn("zk: SASL authentication failed; trying the next connection", "server", ln.host, "failures", c.saslFailures, "err", err)
		}
	case saslConnLost:
		c.noteConnectErr(ln.host, err)
		c.log.Info("zk: connection lost during SASL authentication", "server", ln.host, "err", err)
	}
	ln.fail(err)
	return false
}

// saslExchange runs one exchange on ln, bounded by the read timeout.
func (c *Conn) saslExchange(ln *link) (saslOutcome, error) {
	m := c.cfg.sasl
	mechErr := func(err error) (saslOutcome, error) {
		return saslMechFailed, &joinedError{
			msg:  fmt.Sprintf("zk: SASL %s with %s failed: %s", m.Name(), ln.host, trimPrefix(err.Error())),
			errs: []error{ErrSASLFailed, err},
		}
	}
	ctx, cancel := context.WithTimeout(c.stopCtx, ln.readTimeout)
	defer cancel()
	// Unblock a read or write when the time is up or the Conn closes.
	stop := context.AfterFunc(ctx, func() { ln.nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	ex, err := m.Start(ctx, ln.host)
	if err != nil {
		return mechErr(err)
	}
	tok, done, err := ex.Step(ctx, nil)
	for round := 0; ; round++ {
		if err != nil {
			if ctx.Err() != nil && c.stopCtx.Err() != nil {
				return saslConnLost, ErrClosed
			}
			return mechErr(err)
		}
		if done && tok == nil {
			return saslOK, nil
		}
		if round == maxSASLRounds {
			return mechErr(fmt.Errorf("no result after %d packets", maxSASLRounds))
		}
		reply, code, ioErr := c.saslRoundTrip(ln, tok)
		if ioErr != nil {
			if cerr := ctx.Err(); cerr != nil {
				ioErr = fmt.Errorf("%w: %w", ioErr, cerr)
			}
			if errors.Is(ioErr, ErrProtocol) {
				return mechErr(ioErr)
			}
			return saslConnLost, ioErr
		}
		if code != 0 {
			cause := codeError(code)
			return saslRejected, &joinedError{
				msg:  fmt.Sprintf("zk: SASL %s rejected by %s: %s", m.Name(), ln.host, trimPrefix(cause.Error())),
				errs: []error{ErrSASLFailed, ErrAuthFailed, cause},
			}
		}
		if done {
			return saslOK, nil
		}
		tok, done, err = ex.Step(ctx, reply)
	}
}

// saslRoundTrip writes one SASL packet and reads its reply: the server's
// token and the reply's error code.
func (c *Conn) saslRoundTrip(ln *link, token []byte) ([]byte, int32, error) {
	if token == nil {
		token = []byte{}
	}
	xid := c.nextXid()
	buf := appendFrame(c.wbuf[:0], xid, jute.OpSASL, &jute.GetSASLRequest{Token: token})
	c.wbuf = buf
	sent := c.monoNow()
	ln.nc.SetWriteDeadline(time.Now().Add(ln.readTimeout))
	if _, err := ln.nc.Write(buf); err != nil {
		return nil, 0, err
	}
	ln.nc.SetReadDeadline(time.Now().Add(ln.readTimeout))
	for {
		frame, err := jute.ReadFrame(ln.nc, nil, c.cfg.maxBuffer)
		if err != nil {
			if errors.Is(err, jute.ErrCorrupt) {
				err = fmt.Errorf("%w: SASL reply: %w", ErrProtocol, err)
			}
			return nil, 0, err
		}
		var d jute.Decoder
		d.Reset(frame)
		var h jute.ReplyHeader
		h.Decode(&d)
		if err := d.Err(); err != nil {
			return nil, 0, fmt.Errorf("%w: SASL reply header: %w", ErrProtocol, err)
		}
		if h.Xid == jute.XidNotification || h.Xid == jute.XidPing {
			continue // nothing of ours is waiting for it
		}
		if h.Xid != xid {
			return nil, 0, protoErr("SASL reply xid %d, expected %d", h.Xid, xid)
		}
		c.heard(sent)
		if h.Zxid > 0 {
			c.lastZxid.Store(h.Zxid)
		}
		if h.Err != 0 {
			return nil, h.Err, nil
		}
		var r jute.SetSASLResponse
		r.Decode(&d)
		if err := d.Err(); err != nil {
			return nil, 0, fmt.Errorf("%w: SASL reply: %w", ErrProtocol, err)
		}
		return r.Token, 0, nil
	}
}
