package zk

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkcurator/zkcurator/internal/queue"
	"github.com/zkcurator/zkcurator/jute"
)

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
	shuffleSeed     *int64
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
// (like AddAuth, but also for the first connection). The scheme must not
// be empty. Conn and Client.
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
	hosts  []string
	chroot string

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
	deadErr     error            // why the session ended (phaseDead)
	dialErr     error            // why Dial gave up at once (phaseDialFailed)
	connErrs    map[string]error // last connect error per host, for Dial's error
	lastConnErr error

	lastZxid   atomic.Int64
	epoch      time.Time    // monotonic origin of monoNow
	heardAt    atomic.Int64 // monoNow() at the send of the latest request answered; see heard
	xid        int32        // next xid; used by the one writer goroutine at a time
	closeSent  atomic.Bool
	out        *outQueue
	pend       pendingQueue
	watches    *watchRegistry
	events     *eventQueue
	wbuf       []byte          // writer's buffer, reused across connections
	wbatch     []*request      // writer's batch, reused
	dialed     chan struct{}   // closed when phase leaves phaseDialing: Dial's wait is over
	dead       chan struct{}   // closed when phase becomes phaseDead
	stopCtx    context.Context // done once shutdown begins: ends the session loop and a connect in progress
	stopCancel context.CancelFunc
	loopDone   chan struct{} // closed when the session loop has ended
	closed     chan struct{} // closed when Close has finished
	curMu      sync.Mutex
	cur        *link // current TCP connection, nil while disconnected

	wg        sync.WaitGroup // event goroutine
	pumpMu    sync.Mutex     // orders starting a watcher's pump against pumpsStop
	pumpsStop chan struct{}  // closed (under pumpMu) by shutdown: watcher pumps end
	pumpWG    sync.WaitGroup
}

// Dial connects to a ZooKeeper ensemble ("h1:2181,h2:2181/chroot") and
// returns once a session is established. It gives up when ctx ends or the
// connection timeout passes (WithConnectionTimeout, default 15s), whichever
// comes first, with an error that wraps ErrNoServer, the context's error
// and the last connection error, and names every host with its last error.
// A connect string that cannot be parsed fails at once with
// ErrInvalidConnectString. Afterwards the Conn reconnects by itself in the
// background.
func Dial(ctx context.Context, connectString string, opts ...Option) (*Conn, error) {
	hosts, chroot, err := parseConnectString(connectString)
	if err != nil {
		return nil, err
	}
	cfg := connConfig{sessionTimeout: DefaultSessionTimeout, maxBuffer: jute.DefaultMaxBuffer}
	if err := applyOptions(&cfg, opts, true); err != nil {
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
	var rng *rand.Rand
	if cfg.shuffleSeed != nil {
		rng = rand.New(rand.NewPCG(uint64(*cfg.shuffleSeed), 0))
	} else {
		rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	rng.Shuffle(len(hosts), func(i, j int) { hosts[i], hosts[j] = hosts[j], hosts[i] })

	c := &Conn{
		cfg: cfg, log: log, hosts: hosts, chroot: chroot,
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
		return nil, fmt.Errorf("zk: dial %s: %w", connectString, dialErr)
	default: // phaseDead
		c.Close()
		return nil, fmt.Errorf("zk: dial %s: %w", connectString, deadErr)
	}
}

// noteConnectErr records why connecting to host failed, for Dial's error.
func (c *Conn) noteConnectErr(host string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.connErrs == nil {
		c.connErrs = make(map[string]error)
	}
	c.connErrs[host] = err
	c.lastConnErr = err
}

// dialError is Dial's error when no server answered in time: it wraps
// ErrNoServer, the context's error and the last connection error, and
// names every host with the last error it gave.
func (c *Conn) dialError(connectString string, ctxErr error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for i, h := range c.hosts {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(h)
		if err, ok := c.connErrs[h]; ok {
			fmt.Fprintf(&b, ": %v", err)
		} else {
			b.WriteString(": not tried")
		}
	}
	if c.lastConnErr != nil {
		return fmt.Errorf("zk: dial %s: %w: %w (hosts: %s): last error: %w", connectString, ErrNoServer, ctxErr, b.String(), c.lastConnErr)
	}
	return fmt.Errorf("zk: dial %s: %w: %w (hosts: %s)", connectString, ErrNoServer, ctxErr, b.String())
}

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

// die ends the session for good: later calls fail with err, queued
// requests fail with err, every watch gets EventNotWatching, and the state
// event is emitted. The current connection is dropped; the session loop
// fails in-flight requests with err and exits. Safe from any goroutine.
func (c *Conn) die(err error, s State) {
	c.mu.Lock()
	first := c.phase != phaseDead
	if first {
		c.deadErr = err
		c.setPhaseLocked(phaseDead)
	}
	if first || s == StateClosed {
		c.state = s
	}
	c.mu.Unlock()
	failAll(c.out.shut(err, s == StateClosed), err)
	if !first {
		if s == StateClosed {
			c.emitState(StateClosed, err)
		}
		return
	}
	c.emitState(s, err)
	os, ws := c.watches.drain()
	if len(os) > 0 || len(ws) > 0 {
		c.events.Push(eventItem{ev: Event{Type: EventNotWatching, State: s, Err: err},
			oneshots: os, watchers: ws, final: true})
	}
	c.dropConn(err)
}

// dropConn ends the current connection, if any, with cause err.
func (c *Conn) dropConn(err error) {
	c.curMu.Lock()
	ln := c.cur
	c.curMu.Unlock()
	if ln != nil {
		ln.fail(err)
	}
}

// Close ends the session: it sends closeSession and waits for the reply,
// so the server has deleted the session's ephemeral nodes when Close
// returns. The wait is bounded by the close timeout (WithCloseTimeout,
// default 2s) and by the read timeout (2/3 of the negotiated session
// timeout), whichever is shorter: a silent server cannot hold Close up.
// When the bound passes first, the session is left to expire on the
// server. Requests written before it are answered by the server; anything
// else still waiting gets ErrClosed. Every watch ends (EventNotWatching with
// ErrClosed) and every goroutine of the Conn has ended when Close returns.
// Later calls fail with ErrClosed. Close is idempotent and returns nil.
//
// Close waits for the event goroutine, so it must not be called from the
// event handler (WithEventHandler); call it from another goroutine.
func (c *Conn) Close() error {
	if c.out == nil {
		return nil // a zero Conn: nothing to close
	}
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		<-c.closed
		return nil
	}
	c.closing = true
	alive := c.phase == phaseLive
	wait := c.timeout * 2 / 3
	c.mu.Unlock()

	if alive {
		if wait <= 0 {
			wait = c.cfg.sessionTimeout * 2 / 3
		}
		wait = min(wait, c.cfg.closeTimeout)
		r := newRequest(jute.OpCloseSession, nil, nil)
		if err := c.out.pushLast(r, ErrClosed); err == nil {
			t := time.NewTimer(wait)
			select {
			case <-r.done:
				r.release()
			case <-t.C:
				r.state.CompareAndSwap(reqWaiting, reqAbandoned)
			case <-c.dead:
				r.state.CompareAndSwap(reqWaiting, reqAbandoned)
			}
			t.Stop()
		}
	}
	c.shutdown()
	return nil
}

// closeNoSession ends a Conn whose Dial gave up: no closeSession is sent.
func (c *Conn) closeNoSession() {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		<-c.closed
		return
	}
	c.closing = true
	c.mu.Unlock()
	c.shutdown()
}

func (c *Conn) shutdown() {
	c.die(ErrClosed, StateClosed)
	c.stopCancel()
	<-c.loopDone
	c.events.Close()
	c.wg.Wait()
	c.pumpMu.Lock()
	close(c.pumpsStop)
	c.pumpMu.Unlock()
	c.pumpWG.Wait()
	close(c.closed) // once: Close and closeNoSession call shutdown only when they set closing
}

// phase is how far a Conn's session got. It only moves forward:
// phaseDialing to phaseLive, phaseDialFailed or phaseDead, and on to
// phaseDead (Close, expiry, failed authentication).
type phase uint8

const (
	phaseDialing    phase = iota // Dial waits for the first session
	phaseLive                    // a session was established (it may be disconnected now)
	phaseDialFailed              // Dial must give up at once (dialErr)
	phaseDead                    // the session ended for good (deadErr)
)

// setPhaseLocked moves the lifecycle to p and closes the channels that
// announce it. Caller holds mu; p is later than the current phase.
func (c *Conn) setPhaseLocked(p phase) {
	if c.phase == phaseDialing {
		close(c.dialed)
	}
	if p == phaseDead {
		close(c.dead)
	}
	c.phase = p
}
