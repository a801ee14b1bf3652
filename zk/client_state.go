package zk

import "fmt"

// ConnectionState is a Client's connection state, with Apache Curator's
// meaning. Recipes react to it; see ErrorPolicy.
type ConnectionState int

// Connection states.
const (
	// Connected is sent once, for the first successful connection (ReadOnly
	// instead when that connection is to a read-only server).
	Connected ConnectionState = iota + 1
	// Suspended: the connection to the server was lost. The session may
	// still be alive; anything that depends on it (a lock, leadership) is
	// in doubt until Reconnected or Lost.
	Suspended
	// Reconnected: connected again after Suspended or Lost, to the same
	// session or (after Lost) to a new one.
	Reconnected
	// Lost: the session is gone — it expired, or the connection stayed
	// Suspended until the server may expire it: the send time of the
	// last request the server answered (the latest moment the client
	// knows the server heard from the session) plus the negotiated
	// session timeout, less a small margin (a twentieth of the timeout,
	// at most 500ms). So Lost comes before the server can expire the
	// session, not a whole timeout after Suspended. Ephemeral nodes and
	// watches of the old session must be considered gone; the Client
	// starts a new session by itself.
	Lost
	// ReadOnly: connected to a server in read-only mode; writes fail.
	ReadOnly
	// Closed: Close was called. It is the last state a listener sees, and
	// what State reports from then on; every operation fails with
	// ErrClosed. Curator has no such state (its listeners just stop); both
	// error policies treat it as the end of a hold.
	Closed
	// AuthFailed: authentication failed for good, on a reconnect or on a
	// new session after Lost: SASL (the server rejected the credentials,
	// or the mechanism kept failing; see WithSASL), or a WithAuth
	// credential the server refused. The Client does not start new
	// sessions with credentials that cannot work: every operation (and
	// BlockUntilConnected) fails with an error matching ErrAuthFailed (and
	// ErrSASLFailed for SASL) until Close. Curator has no such state (it
	// logs ZooKeeper's AuthFailed event and keeps trying); both error
	// policies treat it as the end of a hold. A credential refused when
	// Connect first dials makes Connect fail instead.
	AuthFailed
)

// String returns the state's name as Curator spells it, e.g. "SUSPENDED".
func (s ConnectionState) String() string {
	switch s {
	case Connected:
		return "CONNECTED"
	case Suspended:
		return "SUSPENDED"
	case Reconnected:
		return "RECONNECTED"
	case Lost:
		return "LOST"
	case ReadOnly:
		return "READ_ONLY"
	case Closed:
		return "CLOSED"
	case AuthFailed:
		return "AUTH_FAILED"
	}
	return fmt.Sprintf("ConnectionState(%d)", int(s))
}

// IsConnected reports whether the state means the client can talk to a
// server (Connected, Reconnected, ReadOnly).
func (s ConnectionState) IsConnected() bool {
	return s == Connected || s == Reconnected || s == ReadOnly
}

// ErrorPolicy decides which connection states recipes must treat as the end
// of whatever they hold (a lock, leadership).
type ErrorPolicy interface {
	// IsError reports whether s ends a recipe's hold.
	IsError(s ConnectionState) bool
}

type standardPolicy struct{}

func (standardPolicy) IsError(s ConnectionState) bool {
	return s == Suspended || s == Lost || s == Closed || s == AuthFailed
}

type sessionPolicy struct{}

func (sessionPolicy) IsError(s ConnectionState) bool {
	return s == Lost || s == Closed || s == AuthFailed
}

// StandardErrorPolicy treats Suspended, Lost, Closed and AuthFailed as errors (Curator's default):
// a hold ends as soon as the connection is in doubt.
var StandardErrorPolicy ErrorPolicy = standardPolicy{}

// SessionErrorPolicy treats only Lost, Closed and AuthFailed as errors: a hold survives a short
// disconnection as long as the session does.
//
// What it guarantees: while the Client is cut off, Lost is published
// before the server can expire the session (see Lost), so a holder's
// context ends before another client can take over. What remains is a
// window it cannot close, which fencing covers:
//   - clock rates: the client's and the server's clocks measure the
//     timeout; a rate difference beyond the margin (real clocks differ
//     by parts per million) shrinks it;
//   - noticing: between the cancellation of a held context and the moment
//     user code checks it, the code may still act on the resource;
//   - writes in flight: a write sent before Lost may reach the resource
//     after another holder took over.
//
// For the last two, pass the recipe's fencing token to the resource, or
// make the writes to ZooKeeper with the holder's Fenced method (a Multi
// with a check of the holder's node, applied only while it exists).
var SessionErrorPolicy ErrorPolicy = sessionPolicy{}
