package testserver

import (
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
	}
}

// Option configures a Server created by Start or New.
type Option func(*config)

// WithAddr sets the TCP address to listen on. The default, "127.0.0.1:0",
// picks a free loopback port; Addr reports the one chosen.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithTickTime sets ZooKeeper's tickTime (default 100ms): the granularity of
// session expiry and of container/TTL reaping, and the default minimum
// session timeout (2 ticks).
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

// withOutputLimit bounds the bytes queued for one connection (tests).
func withOutputLimit(n int) Option { return func(c *config) { c.outLimit = n } }
