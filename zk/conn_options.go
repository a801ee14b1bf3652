package zk

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"time"

	"github.com/zkcurator/zkcurator/jute"
)

// validateCore fills in the defaults of the session-core options (request
// size, close and connection timeouts) that were not given. Their values
// were already checked when the options were applied (applyOptions), so a
// bad value fails Dial and Connect there, naming the option.
func (c *connConfig) validateCore() error {
	if !c.maxRequestSet {
		c.maxRequest = jute.DefaultMaxBuffer
	}
	if !c.closeTimeoutSet {
		c.closeTimeout = DefaultCloseTimeout
	}
	if c.client.connectionTimeout == 0 {
		c.client.connectionTimeout = DefaultConnectionTimeout
	}
	return nil
}

// DefaultSessionTimeout is the session timeout requested when
// WithSessionTimeout is not given.
const DefaultSessionTimeout = 10 * time.Second

type connConfig struct {
	sessionTimeout  time.Duration
	sessionID       int64
	passwd          []byte
	handler         func(Event)
	dialer          func(ctx context.Context, network, addr string) (net.Conn, error)
	tls             *tls.Config
	readOnly        bool
	logger          *slog.Logger
	maxBuffer       int
	maxRequest      int // largest request frame sent (length field), jute.maxbuffer
	maxRequestSet   bool
	closeTimeout    time.Duration // bounds Close's wait for the closeSession reply
	closeTimeoutSet bool
	auths           []authCred
	sasl            SASLMechanism // WithSASL; nil: no SASL
	shuffleSeed     *int64
	hostProvider    HostProvider  // WithHostProvider
	roProbeFirst    time.Duration // WithReadOnlyProbeInterval
	roProbeMax      time.Duration
	defaultACL      []ACL        // the ACL of creates given a nil ACL
	check           optionCheck  // what applying the options found
	client          clientConfig // options only the Client layer reads
}

// Option configures Dial and Connect. Each option's doc says which layers
// read it: "Conn and Client" options work with both (a Client passes them
// to its sessions); "Client only" options make Dial fail with
// ErrInvalidOption. Bad values make Dial and Connect fail with
// ErrInvalidOption, naming the option.
type Option func(*connConfig)

// WithSessionTimeout sets the requested session timeout (default 10s; it
// must be positive). The server clamps it (by default to 2..20 ticks);
// SessionTimeout reports the negotiated value. Conn and Client.
func WithSessionTimeout(d time.Duration) Option {
	return func(c *connConfig) {
		if d <= 0 {
			c.invalid("WithSessionTimeout", "must be positive, got %v", d)
		}
		c.sessionTimeout = d
	}
}

// WithSession re-attaches to an existing session instead of creating one.
// If the session has expired, Dial fails with ErrSessionExpired. Conn and
// Client (a Client re-attaches its first session only).
func WithSession(id int64, passwd []byte) Option {
	return func(c *connConfig) { c.sessionID, c.passwd = id, append([]byte(nil), passwd...) }
}

// WithEventHandler sets a function called with every session-state event
// (Type EventNone) and every watch event no watch of this Conn claimed. It
// runs on the Conn's single event goroutine, in server order; a slow handler
// delays later events but never the Conn's I/O. Conn and Client (called
// for every session of the Client; most Client users want
// WithStateListener instead).
func WithEventHandler(f func(Event)) Option {
	return func(c *connConfig) {
		if f == nil {
			c.invalid("WithEventHandler", "nil handler")
		}
		c.handler = f
	}
}

// WithDialer sets the function used to open TCP connections (default: a
// net.Dialer). Conn and Client.
func WithDialer(d func(ctx context.Context, network, addr string) (net.Conn, error)) Option {
	return func(c *connConfig) {
		if d == nil {
			c.invalid("WithDialer", "nil dialer")
		}
		c.dialer = d
	}
}

// WithTLS wraps every connection in TLS (client side). When cfg.ServerName
// is empty, the host name of the server being dialled is used. A TLS
// failure that retrying cannot fix (the server's certificate fails
// verification, or the server refuses ours with an alert) fails Dial and
// Connect at once with that error, matchable with errors.As (for example
// x509.UnknownAuthorityError, x509.HostnameError); once a session is
// established, such a failure on a reconnect is logged and the next host
// is tried. Conn and Client.
func WithTLS(cfg *tls.Config) Option {
	return func(c *connConfig) {
		if cfg == nil {
			c.invalid("WithTLS", "nil *tls.Config")
		}
		c.tls = cfg
	}
}

// WithReadOnly allows connecting to a server that has lost its quorum and
// serves reads only (State then reports StateConnectedReadOnly and writes
// fail with ErrNotReadOnly). Conn and Client.
func WithReadOnly(ok bool) Option {
	return func(c *connConfig) { c.readOnly = ok }
}

// WithLogger sets the logger (default: discard). Conn and Client.
func WithLogger(l *slog.Logger) Option {
	return func(c *connConfig) {
		if l == nil {
			c.invalid("WithLogger", "nil logger")
		}
		c.logger = l
	}
}

// WithMaxBuffer sets the largest frame accepted from a server (default
// 0xfffff bytes, the default of ZooKeeper's jute.maxbuffer; it must be
// positive). A larger frame is a protocol error that drops the
// connection. Conn and Client.
func WithMaxBuffer(n int) Option {
	return func(c *connConfig) {
		if n <= 0 {
			c.invalid("WithMaxBuffer", "must be positive, got %d", n)
		}
		c.maxBuffer = n
	}
}

// WithMaxRequestSize sets the largest request a Conn sends, counted as
// ZooKeeper counts it: the frame's length field (request header and body,
// without the 4-byte length itself). The default, jute.DefaultMaxBuffer
// (1048575), is the server's default jute.maxbuffer; a server that gets a
// longer frame drops the connection. A larger request fails at once with
// ErrRequestTooLarge and is never sent: the connection, and everything
// else in flight on it, is untouched. Set it to the server's
// jute.maxbuffer when that was changed. n must be > 0. Conn and Client.
func WithMaxRequestSize(n int) Option {
	return func(c *connConfig) {
		if n <= 0 {
			c.invalid("WithMaxRequestSize", "must be positive, got %d", n)
		}
		c.maxRequest, c.maxRequestSet = n, true
	}
}

// DefaultCloseTimeout bounds how long Close waits for the server to
// answer closeSession when WithCloseTimeout is not given.
const DefaultCloseTimeout = 2 * time.Second

// WithCloseTimeout bounds how long Close waits for the server's answer to
// closeSession (default DefaultCloseTimeout; never longer than the read
// timeout, 2/3 of the session timeout). When it passes, Close returns
// anyway and the session expires on the server after its timeout. d must
// be > 0. Conn and Client.
func WithCloseTimeout(d time.Duration) Option {
	return func(c *connConfig) {
		if d <= 0 {
			c.invalid("WithCloseTimeout", "must be positive, got %v", d)
		}
		c.closeTimeout, c.closeTimeoutSet = d, true
	}
}

// WithAuth adds a credential sent on every connection, before any request
// (like AddAuth, but also for the first connection). Dial and Connect
// return once the server has accepted every such credential; one it
// refuses (an unknown scheme, a bad x509 or ip credential) makes them fail
// with an error matching ErrAuthFailed, as kazoo's start does, instead of
// returning a session that dies at once. The scheme must not be empty.
// Conn and Client.
func WithAuth(scheme string, auth []byte) Option {
	return func(c *connConfig) {
		if scheme == "" {
			c.invalid("WithAuth", "empty scheme")
		}
		c.auths = append(c.auths, authCred{scheme: scheme, auth: append([]byte(nil), auth...)})
	}
}

// WithHostShuffle makes the host order deterministic (hosts are shuffled
// with this seed instead of a random one). Meant for tests. Conn and
// Client.
func WithHostShuffle(seed int64) Option {
	return func(c *connConfig) { c.shuffleSeed = &seed }
}

// WithDefaultACL sets the ACL of nodes created with a nil ACL — by Create,
// CreateWith, CreateOp in a Multi, and the parents, containers and
// namespace a Client creates (default OpenACLUnsafe, as in Curator's
// ACLProvider default). It must not be empty. Conn and Client.
func WithDefaultACL(acl []ACL) Option {
	return func(c *connConfig) {
		if len(acl) == 0 {
			c.invalid("WithDefaultACL", "empty ACL")
		}
		c.defaultACL = append([]ACL(nil), acl...)
	}
}
