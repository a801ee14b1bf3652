package zk

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkcurator/zkcurator/internal/queue"
	"github.com/zkcurator/zkcurator/jute"
)

// Conn is one ZooKeeper session. It keeps one TCP connection at a time,
// reconnects (to the next host) by itself while the session lives, and
// re-registers auth and watches after each reconnect. All methods are safe
// for concurrent use; requests from many goroutines are pipelined on the
// one connection.
//
// A Conn whose session expired (or whose authentication failed) is dead:
// every call fails with ErrSessionExpired (ErrAuthFailed); make a new Conn.
// Close releases it in every case.
type Conn struct {
	cfg    connConfig
	log    *slog.Logger
	hp     HostProvider
	chroot string
	ro     roState // read-only probing (conn_readonly.go)

	mu        sync.Mutex
	state     State
	sessionID int64
	passwd    []byte
	timeout   time.Duration // negotiated
	server    string
	auths     []authCred
	// The lifecycle, one value: phase only moves forward (see phase);
	// closing is set when Close (or a failed Dial) begins and stays set.
	phase       phase
	closing     bool
	deadErr     error         // why the session ended (phaseDead)
	dialErr     error         // why Dial gave up at once (phaseDialFailed)
	dialAuths   int           // WithAuth credentials Dial still waits to see accepted
	connectErrs connectErrors // for Dial's error when no server answers

	lastZxid   atomic.Int64
	epoch      time.Time    // monotonic origin of monoNow
	heardAt    atomic.Int64 // monoNow() at the send of the latest request answered; see heard
	xid        int32        // next xid; used by the one writer goroutine at a time
	closeSent  atomic.Bool
	out        *outQueue
	pend       queue.LockedFIFO[*request] // written to the current connection, in xid order: replies must match its head
	refusals   refusals                   // ops each server answered with Unimplemented (conn_unimplemented.go)
	watches    *watchRegistry
	events     *eventQueue
	wbuf       []byte          // writer's buffer, reused across connections
	wbatch     []*request      // writer's batch, reused
	dialed     chan struct{}   // closed when phase leaves phaseDialing: Dial's wait is over
	dead       chan struct{}   // closed when phase becomes phaseDead
	stopCtx    context.Context // done once shutdown begins: ends the session loop and a connect in progress
	stopCancel context.CancelFunc
	loopDone   chan struct{}        // closed when the session loop has ended
	closed     chan struct{}        // closed when Close has finished
	cur        atomic.Pointer[link] // current TCP connection, nil while disconnected

	wg        sync.WaitGroup // event goroutine
	pumpMu    sync.Mutex     // orders starting a watcher's pump against pumpsStop
	pumpsStop chan struct{}  // closed (under pumpMu) by shutdown: watcher pumps end
	pumpWG    sync.WaitGroup

	// saslFailures counts connections in a row whose SASL exchange failed
	// on the client's side (see WithSASL); used by the session loop only.
	saslFailures int
}

// Dial connects to a ZooKeeper ensemble ("h1:2181,h2:2181/chroot", or
// "dns-srv://_zookeeper._tcp.example.com/chroot": see SRVPrefix) and
// returns once a session is established. It gives up when ctx ends or the
// connection timeout passes (WithConnectionTimeout, default 15s), whichever
// comes first, with an error that wraps ErrNoServer, the context's error
// and the last connection error, and names every host with its last error.
// A connect string that cannot be parsed fails at once with
// ErrInvalidConnectString. Afterwards the Conn reconnects by itself in the
// background.
func Dial(ctx context.Context, connectString string, opts ...Option) (*Conn, error) {
	cfg := connConfig{sessionTimeout: DefaultSessionTimeout, maxBuffer: jute.DefaultMaxBuffer}
	if err := applyOptions(&cfg, opts, true); err != nil {
		return nil, err
	}
	connectString, err := srvConnectString(ctx, connectString, &cfg)
	if err != nil {
		return nil, err
	}
	hosts, chroot, err := parseConnectString(connectString)
	if err != nil {
		return nil, err
	}
	if err := cfg.validateCore(); err != nil {
		return nil, err
	}
	if cfg.sessionTimeout <= 0 {
		cfg.sessionTimeout = DefaultSessionTimeout
	}
	if cfg.maxBuffer <= 0 {
		cfg.maxBuffer = jute.DefaultMaxBuffer
	}
	if cfg.dialer == nil {
		var d net.Dialer
		cfg.dialer = d.DialContext
	}
	log := cfg.logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hp := cfg.hostProvider
	if hp == nil {
		if hp, err = NewStaticHostProvider(hosts, StaticHostProviderOptions{Seed: cfg.shuffleSeed}); err != nil {
			return nil, err
		}
	}

	c := &Conn{
		cfg: cfg, log: log, hp: hp, chroot: chroot,
		state:     StateConnecting,
		sessionID: cfg.sessionID, passwd: cfg.passwd,
		auths:     append([]authCred(nil), cfg.auths...),
		xid:       1,
		out:       newOutQueue(),
		watches:   newWatchRegistry(),
		events:    queue.New[eventItem](),
		dialed:    make(chan struct{}),
		dead:      make(chan struct{}),
		loopDone:  make(chan struct{}),
		closed:    make(chan struct{}),
		pumpsStop: make(chan struct{}),
		epoch:     time.Now(),
	}
	c.ro.init(cfg)
	c.stopCtx, c.stopCancel = context.WithCancel(context.Background())
	c.wg.Add(1)
	go c.eventLoop()
	go c.loop()
	return c.awaitSession(ctx, connectString)
}

// awaitSession waits for Dial's first session. WithConnectionTimeout
// bounds the wait even when ctx has no deadline; an earlier deadline of
// ctx wins. On failure the Conn is closed.
func (c *Conn) awaitSession(ctx context.Context, connectString string) (*Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.client.connectionTimeout)
	defer cancel()
	timedOut := false
	select {
	case <-c.dialed:
	case <-ctx.Done():
		timedOut = true
	}
	c.mu.Lock()
	p, dialErr, deadErr := c.phase, c.dialErr, c.deadErr
	c.mu.Unlock()
	switch {
	case p == phaseLive: // connected (just in time, when timedOut): keep it
		return c, nil
	case timedOut:
		c.closeNoSession()
		return nil, c.dialError(connectString, ctx.Err())
	case p == phaseDialFailed:
		c.closeNoSession()
		return nil, dialWrap(connectString, dialErr)
	default: // phaseDead
		c.Close()
		return nil, dialWrap(connectString, deadErr)
	}
}

// dialWrap names Dial's op and connect string on err, which it wraps.
func dialWrap(connectString string, err error) error {
	return &joinedError{msg: "zk: dial " + connectString + ": " + trimPrefix(err.Error()), errs: []error{err}}
}

// connectErrors is why connecting failed, per host and last, for Dial's
// error.
type connectErrors struct {
	byHost map[string]error
	last   error
}

// noteConnectErr records why connecting to host failed, for Dial's error.
func (c *Conn) noteConnectErr(host string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.connectErrs.byHost == nil {
		c.connectErrs.byHost = make(map[string]error)
	}
	c.connectErrs.byHost[host] = err
	c.connectErrs.last = err
}

// dialError is Dial's error when no server answered in time: it wraps
// ErrNoServer, the context's error and the last connection error, and
// names every host with the last error it gave.
func (c *Conn) dialError(connectString string, ctxErr error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for i, h := range c.hp.Servers() {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(h)
		if err, ok := c.connectErrs.byHost[h]; ok {
			fmt.Fprintf(&b, ": %v", err)
		} else {
			b.WriteString(": not tried")
		}
	}
	errs := []error{ErrNoServer, ctxErr}
	if last := c.connectErrs.last; last != nil {
		errs = append(errs, last)
	}
	return &joinedError{
		msg:  fmt.Sprintf("zk: dial %s: could not connect to a server (%v): %s", connectString, ctxErr, b.String()),
		errs: errs,
	}
}

// joinedError is an error with a one-line message of its own that matches
// each of errs with errors.Is and errors.As: Dial's error when no server
// answered in time (ErrNoServer, the context's error, the last connection
// error), a SASL failure (ErrSASLFailed, ErrAuthFailed, the cause), without
// repeating their "zk: " prefixes.
type joinedError struct {
	msg  string
	errs []error
}

func (e *joinedError) Error() string   { return e.msg }
func (e *joinedError) Unwrap() []error { return e.errs }

// SessionID returns the session id (0 before the first connection).
func (c *Conn) SessionID() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sessionID
}

// Password returns a copy of the session password, for WithSession.
func (c *Conn) Password() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.passwd...)
}

// SessionTimeout returns the session timeout negotiated with the server.
func (c *Conn) SessionTimeout() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.timeout
}

// State returns the current session state.
func (c *Conn) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// LastZxid returns the largest zxid seen in a reply.
func (c *Conn) LastZxid() int64 { return c.lastZxid.Load() }

// Server returns the host:port of the current (or last) server.
func (c *Conn) Server() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.server
}

// errNotDialed is the error of every call on a Conn that Dial did not make
// (a zero Conn{}): it matches ErrClosed.
var errNotDialed = fmt.Errorf("%w (Conn not made by Dial)", ErrClosed)

// closedErr returns ErrClosed once Close has begun (errNotDialed for a zero
// Conn), else nil.
func (c *Conn) closedErr() error {
	if c.out == nil {
		return errNotDialed
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing {
		return ErrClosed
	}
	return nil
}

func (c *Conn) deadError() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deadErr
}

func (c *Conn) setState(s State) {
	c.mu.Lock()
	c.state = s
	c.mu.Unlock()
}
