package testserver

import (
	"crypto/tls"
	"io"
	"log/slog"
	"time"

	"github.com/zkcurator/zkcurator/jute"
)

// config holds the settings chosen with Options.
type config struct {
	addr       string
	tick       time.Duration
	minTimeout time.Duration // 0: 2 * tick
	maxTimeout time.Duration
	version    string
	maxBuffer  int
	logger     *slog.Logger
	// outLimit bounds the bytes queued for one connection before it is
	// closed as a slow consumer.
	outLimit int
	// fourLetter is the four-letter word whitelist ("srvr" always).
	fourLetter map[string]bool
	// readOnlyMode is readonlymode.enabled: "isro" is answered.
	readOnlyMode bool
	// Resource limits (limits.go); 0 means none.
	maxClientConns   int
	handshakeTimeout time.Duration
	maxQueued        int64
	// SASL (sasl.go): DIGEST-MD5 users, nil without SASL; requireSASL
	// is zookeeper.sessionRequireClientSASLAuth.
	saslUsers   map[string]string
	requireSASL bool
	// extendedTypes is zookeeper.extendedTypesEnabled: TTL nodes.
	extendedTypes bool
	// containerCheck is znode.container.checkIntervalMs: how often empty
	// containers and expired TTL nodes are deleted.
	containerCheck time.Duration
	// tls, when set, makes the server listen with TLS only.
	tls *tls.Config
	// snapshot, when set, is the state the server starts with.
	snapshot *Snapshot
}

func defaultConfig() config {
	return config{
		addr:       "127.0.0.1:0",
		tick:       100 * time.Millisecond,
		maxTimeout: 60 * time.Second,
		version:    "3.8",
		maxBuffer:  jute.DefaultMaxBuffer,
		logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		outLimit:   32 << 20,
		fourLetter: map[string]bool{"srvr": true},

		maxClientConns:   DefaultMaxClientConns,
		handshakeTimeout: DefaultHandshakeTimeout,
		maxQueued:        DefaultMaxQueuedBytes,
		// ContainerManager's default checkIntervalMs.
		containerCheck: 60 * time.Second,
	}
}

// WithFourLetterWords sets the four-letter words the server answers, like
// ZooKeeper's 4lw.commands.whitelist: each argument is a word or a
// comma-separated list of words, and "*" enables every word the server
// knows. "srvr" is always enabled (zkServer.sh needs it, as in ZooKeeper).
// Default: "srvr" only, as in ZooKeeper 3.8. A word not enabled is answered
// "<word> is not executed because it is not in the whitelist." Later calls
// replace earlier ones.
func WithFourLetterWords(words ...string) Option {
	return func(c *config) {
		c.fourLetter = parseFourLetterWhitelist(words)
	}
}

// WithReadOnlyMode is ZooKeeper's readonlymode.enabled: the server answers
// the "isro" four-letter word ("rw", or "ro" while SetReadOnly is on) even
// when WithFourLetterWords leaves it out, as a real server does. Start
// every server of a test that clients probe for a read-write server
// (zk.WithReadOnly) with it, like setting the property on every member. A
// server in read-only mode (SetReadOnly) answers "isro" either way.
func WithReadOnlyMode(on bool) Option { return func(c *config) { c.readOnlyMode = on } }

// Option configures a Server created by Start or New.
type Option func(*config)

// WithAddr sets the TCP address to listen on. The default, "127.0.0.1:0",
// picks a free loopback port; Addr reports the one chosen.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithTickTime sets ZooKeeper's tickTime (default 100ms): the granularity of
// session expiry and the default minimum session timeout (2 ticks).
// Container and TTL reaping has its own interval
// (WithContainerCheckInterval).
func WithTickTime(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.tick = d
		}
	}
}

// WithSessionTimeouts sets the bounds a client's requested session timeout
// is clamped into. Defaults: min = 2 * tickTime, max = 60s.
func WithSessionTimeouts(min, max time.Duration) Option {
	return func(c *config) { c.minTimeout, c.maxTimeout = min, max }
}

// WithVersion selects the ZooKeeper release to emulate: "3.8" (default),
// "3.9", "3.7", "3.6" or "3.5". Ops the release did not accept
// (Request.isValid of that release) are answered with Unimplemented (-6)
// and the connection is then closed, as an old server does
// (UnimplementedRequestProcessor): 3.5 lacks multiRead (22), getEphemerals
// (103), getAllChildrenNumber (104), setWatches2 (105) and addWatch (106);
// 3.5 and 3.6 lack whoAmI (107). 3.9 carries the zxid of the transaction
// that fired a watch in the notification's reply header (ZOOKEEPER-4655;
// earlier releases send -1). srvr, stat and mntr report the release.
// Start and New fail on any other version.
func WithVersion(v string) Option { return func(c *config) { c.version = v } }

// WithMaxBuffer sets jute.maxbuffer: an incoming frame longer than n bytes
// makes the server close the connection. Default jute.DefaultMaxBuffer.
func WithMaxBuffer(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxBuffer = n
		}
	}
}

// WithLogger sets the logger for connection and session events. Default:
// discard.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.logger = l
		}
	}
}

// WithExtendedTypes enables TTL nodes, as the system property
// zookeeper.extendedTypesEnabled=true does on a real server. Off by default,
// like a real ZooKeeper 3.8: then createTTL and the TTL create modes are
// answered with Unimplemented (-6), the request fails and the connection
// stays open.
func WithExtendedTypes(enabled bool) Option { return func(c *config) { c.extendedTypes = enabled } }

// WithContainerCheckInterval sets how often the server deletes empty
// containers (that once had a child) and expired TTL nodes: the system
// property znode.container.checkIntervalMs of a real server. Default 60s,
// like ZooKeeper; the first check runs one interval after the server
// starts. Tests that wait for reaping set it low (zktest uses 100ms).
func WithContainerCheckInterval(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.containerCheck = d
		}
	}
}

// WithTLS makes the server listen with TLS using cfg (a ZooKeeper
// secureClientPort): clients connect with TLS (zk.WithTLS); a plain client's
// handshake fails and its connection is closed. Set cfg.ClientAuth and
// cfg.ClientCAs to require client certificates. The server keeps its own
// clone of cfg; nil means plain TCP.
func WithTLS(cfg *tls.Config) Option {
	return func(c *config) {
		if cfg != nil {
			c.tls = cfg.Clone()
		} else {
			c.tls = nil
		}
	}
}

// withOutputLimit bounds the bytes queued for one connection (tests).
func withOutputLimit(n int) Option { return func(c *config) { c.outLimit = n } }
