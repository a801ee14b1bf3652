package zk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkcurator/zkcurator/internal/listeners"
	"github.com/zkcurator/zkcurator/retry"
)

// Client is a ZooKeeper client in the manner of Apache Curator's
// CuratorFramework: one session at a time (a Conn), operations retried by a
// retry policy, a connection-state bus with Curator's states, an optional
// namespace applied to every path, protected creates and guaranteed
// deletes. When a session is lost the Client starts a new one by itself.
//
// A Client is safe for concurrent use. Create one with Connect and Close it
// when done.
type Client struct {
	cfg     *connConfig
	hosts   string // connect string, chroot and namespace included
	base    string // connect string without the namespace (for EnsurePath of the namespace)
	policy  retry.Policy
	errPol  ErrorPolicy
	bus     *listeners.Bus[ConnectionState]
	tel     *telemetry
	log     *slog.Logger
	connTO  time.Duration
	deletes *deleteWorker

	mu        sync.Mutex
	conn      *Conn         // current session, nil while a new one is being made
	gen       int           // generation of conn; events of older Conns are ignored
	connReady chan struct{} // closed while conn is usable; replaced when it is not
	state     ConnectionState
	closed    bool
	authErr   error // SASL failed for good (AuthFailed): every call fails with it

	noContainers atomic.Bool // the server answered createContainer with Unimplemented

	events chan sessionEvent // Conn events, handled by run
	done   chan struct{}     // closed by Close
	wg     sync.WaitGroup
}

type sessionEvent struct {
	gen int
	ev  Event
}

// Connect connects to the ensemble named by connectString
// ("host1:2181,host2:2181/optional/chroot") and returns once the first
// session is established, or ctx ends. The Client then keeps a session
// alive until Close: it reconnects, and when a session is lost it starts a
// new one. Options set the session timeout, retry policy, namespace,
// credentials, TLS, logger and OpenTelemetry providers.
func Connect(ctx context.Context, connectString string, opts ...Option) (*Client, error) {
	cfg, err := newClientConfig(opts)
	if err != nil {
		return nil, err
	}
	if connectString, err = srvConnectString(ctx, connectString, cfg); err != nil {
		return nil, err
	}
	hostPart, chroot := connectString, ""
	if i := strings.IndexByte(connectString, '/'); i >= 0 {
		hostPart, chroot = connectString[:i], connectString[i:]
	}
	hostList, _, err := parseConnectString(connectString)
	if err != nil {
		return nil, err
	}
	if cfg.hostProvider == nil {
		// One provider for every session, so a server list updated by
		// reconfiguration outlives a lost session.
		if cfg.hostProvider, err = NewStaticHostProvider(hostList, StaticHostProviderOptions{Seed: cfg.shuffleSeed}); err != nil {
			return nil, err
		}
	}
	c := &Client{
		cfg:       cfg,
		base:      connectString,
		hosts:     connectString,
		policy:    cfg.client.retry,
		errPol:    cfg.client.errorPolicy,
		tel:       newTelemetry(cfg.client.tracerProvider, cfg.client.meterProvider),
		log:       cfg.logger,
		connTO:    cfg.client.connectionTimeout,
		connReady: make(chan struct{}),
		events:    make(chan sessionEvent, 64),
		done:      make(chan struct{}),
	}
	if ns := cfg.client.namespace; ns != "" {
		chroot = strings.TrimSuffix(chroot, "/")
		c.hosts = hostPart + chroot + "/" + ns
		if _, _, err := parseConnectString(c.hosts); err != nil {
			return nil, fmt.Errorf("zk: namespace %q: %w", ns, err)
		}
	}
	conn, err := c.dial(ctx, 1)
	if err != nil {
		return nil, err
	}
	c.bus = listeners.New(cfg.client.listeners...)
	c.deletes = newDeleteWorker(c)
	c.mu.Lock()
	c.conn, c.gen = conn, 1
	close(c.connReady)
	c.mu.Unlock()
	if conn.State() == StateConnectedReadOnly {
		c.publish(ReadOnly)
	} else {
		c.publish(Connected)
	}
	c.wg.Add(1)
	go c.run()
	if cfg.client.ensembleTracker {
		c.wg.Add(1)
		go c.trackEnsemble()
	}
	if cfg.client.namespace != "" {
		if err := c.ensureNamespace(ctx); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// connOptions returns the Conn options of session generation gen: the
// Client's, with credentials added since by AddAuth, without the session
// to re-attach to after the first generation, and with handler (if not
// nil) as the event handler behind the user's.
func (c *Client) connOptions(gen int, handler func(Event)) Option {
	c.mu.Lock()
	cfg := *c.cfg
	cfg.auths = append([]authCred(nil), c.cfg.auths...)
	cfg.check = optionCheck{}
	c.mu.Unlock()
	if gen > 1 {
		cfg.sessionID, cfg.passwd = 0, nil
	}
	if user := cfg.handler; handler != nil {
		cfg.handler = func(ev Event) {
			if user != nil {
				user(ev)
			}
			handler(ev)
		}
	}
	return func(dst *connConfig) { *dst = cfg }
}

// dial opens a Conn whose session events reach run tagged with gen.
func (c *Client) dial(ctx context.Context, gen int) (*Conn, error) {
	return Dial(ctx, c.hosts, c.connOptions(gen, func(ev Event) {
		if ev.Type != EventNone {
			return
		}
		select {
		case c.events <- sessionEvent{gen: gen, ev: ev}:
		case <-c.done:
		}
	}))
}

// ensureNamespace creates the namespace node (and its parents) through a
// short-lived session on the connect string without the namespace.
func (c *Client) ensureNamespace(ctx context.Context) error {
	conn, err := Dial(ctx, c.base, c.connOptions(2, nil))
	if err != nil {
		return err
	}
	defer conn.Close()
	// As in Curator 5, the namespace node and its parents are containers.
	return c.ensurePath(ctx, conn, "namespace", "/"+c.cfg.client.namespace, true)
}

// Listen subscribes f to the connection-state changes that happen after
// Listen returns (to see the first Connected too, use WithStateListener).
// Listeners are called in order, one at a time, on one goroutine owned by
// the Client; a slow listener delays other listeners but never the
// session. The returned function unsubscribes f.
//
// The last state a listener sees is Closed, published by Close after every
// other state. Listen on a closed Client subscribes nothing.
func (c *Client) Listen(f func(ConnectionState)) (unsubscribe func()) {
	if c.bus == nil || f == nil {
		return func() {}
	}
	return c.bus.Listen(f)
}

// ErrorPolicy returns the policy recipes consult to decide whether a
// connection state ends their hold (WithErrorPolicy).
func (c *Client) ErrorPolicy() ErrorPolicy {
	if c.errPol == nil {
		return StandardErrorPolicy
	}
	return c.errPol
}

// State returns the last connection state published: Connected or
// ReadOnly after Connect, then Suspended, Reconnected, Lost as the session
// goes (AuthFailed, for good, when SASL authentication fails; see
// WithSASL), and Closed after Close (or on a Client not made by Connect).
func (c *Client) State() ConnectionState {
	if c.done == nil {
		return Closed
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Conn returns the Conn of the current session, or nil while a new session
// is being made and after Close. It is a low-level escape hatch: the
// Client may close that Conn at any moment (when the session is lost), and
// a caller must not Close it itself. The session facts a caller usually
// wants are methods of the Client: SessionID, SessionTimeout, Server,
// LastZxid.
func (c *Client) Conn() *Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn
}

// SessionID returns the current session's id, or 0 while there is none
// (a new session being made, or after Close).
func (c *Client) SessionID() int64 {
	if conn := c.Conn(); conn != nil {
		return conn.SessionID()
	}
	return 0
}

// SessionTimeout returns the session timeout the server negotiated for the
// current session, or 0 while there is none.
func (c *Client) SessionTimeout() time.Duration {
	if conn := c.Conn(); conn != nil {
		return conn.SessionTimeout()
	}
	return 0
}

// Server returns the host:port of the server the current session is (or
// was last) connected to, or "" while there is no session.
func (c *Client) Server() string {
	if conn := c.Conn(); conn != nil {
		return conn.Server()
	}
	return ""
}

// LastZxid returns the largest zxid the current session has seen in a
// reply, or 0 while there is no session.
func (c *Client) LastZxid() int64 {
	if conn := c.Conn(); conn != nil {
		return conn.LastZxid()
	}
	return 0
}

// BlockUntilConnected waits until the client is connected to a server. It
// fails when ctx ends first (the error matches ctx.Err()) or the Client is
// closed (ErrClosed).
func (c *Client) BlockUntilConnected(ctx context.Context) error {
	if c.done == nil {
		return wrapErr("blockUntilConnected", "", errNotConnected)
	}
	_, err := c.liveConn(ctx, 0)
	return wrapErr("blockUntilConnected", "", err)
}

// liveConn returns the current Conn once it is connected, waiting up to
// wait (0: until ctx ends). It fails with ErrConnectionLoss when wait
// passes, so the retry policy decides what happens next.
func (c *Client) liveConn(ctx context.Context, wait time.Duration) (*Conn, error) {
	var timeout <-chan time.Time
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return nil, ErrClosed
		}
		if err := c.authErr; err != nil {
			c.mu.Unlock()
			return nil, err
		}
		conn, ready := c.conn, c.connReady
		c.mu.Unlock()
		select {
		case <-ready:
			if conn == nil {
				// run keeps conn set while connReady is closed; should that
				// ever not hold, fail this attempt (retryable) rather than
				// hand a nil Conn to the operation.
				return nil, ErrConnectionLoss
			}
			return conn, nil
		default:
		}
		if wait > 0 && timeout == nil {
			// Only a call that has to wait pays for the timer.
			t := time.NewTimer(wait)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timeout:
			return nil, ErrConnectionLoss
		case <-c.done:
			return nil, ErrClosed
		}
	}
}

// errNotConnected is the error of every call on a Client that Connect did
// not make (a zero Client{}): it matches ErrClosed.
var errNotConnected = fmt.Errorf("%w (Client not made by Connect)", ErrClosed)

func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// Close ends the session (its ephemeral nodes are deleted), stops
// background work and answers every call in flight. Pending guaranteed
// deletes that have not succeeded yet are abandoned. Listeners get Closed
// as their last state, and State reports Closed. Every later call fails
// with an error matching ErrClosed. Close is idempotent: a second call
// returns nil.
func (c *Client) Close() error {
	if c.done == nil {
		return nil // a zero Client: nothing to close
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	conn := c.conn
	c.mu.Unlock()
	close(c.done)
	var err error
	if conn != nil {
		err = conn.Close()
	}
	c.wg.Wait()
	c.mu.Lock()
	c.conn = nil // the session is over: no session facts after Close
	c.mu.Unlock()
	c.deletes.close()
	c.publish(Closed) // run has ended: nothing is published after it
	c.bus.Close()
	if errors.Is(err, ErrClosed) {
		err = nil
	}
	return err
}
