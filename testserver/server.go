// Package testserver is an in-process ZooKeeper server speaking the real
// wire protocol, so tests need no Java. It behaves like a standalone Apache
// ZooKeeper 3.8 where a client can observe it (reply codes, Stat fields,
// sequential numbering, watch rules, multi semantics) and adds fault
// injection: dropped connections, expired sessions, stalls, latency,
// refused connections, replies lost after a write was applied, restarts.
//
// Start a server for a test with New, or Start/Close outside tests; connect
// any ZooKeeper client to ConnectString.
package testserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// ErrClosed is returned by Stop and Restart after Close.
var ErrClosed = errors.New("testserver: server closed")

// Server is an embedded single-node ZooKeeper server. All methods are safe
// for concurrent use.
type Server struct {
	cfg        config
	ver        versionInfo
	log        *slog.Logger
	minTimeout time.Duration
	maxTimeout time.Duration
	addr       string
	started    time.Time

	lifeMu sync.Mutex // serialises Stop, Restart, Close

	// mu serialises every state change: the tree, zxid, sessions, watches,
	// connections. Replies and events are queued while it is held, so their
	// order is exact.
	mu            sync.Mutex
	tree          *tree
	scratch       view // the view of the write being prepared (see newView)
	zxid          int64
	sessions      map[int64]*session
	conns         map[*conn]struct{}
	dataWatches   *watchManager
	childWatches  *watchManager
	nextSessionID int64
	ln            net.Listener // nil while stopped
	closed        bool
	rejectUntil   time.Time
	dropOp        int32
	dropArmed     bool
	holes         map[int64]bool // blackholed session ids (Blackhole)
	perIP         map[string]int // open connections per client IP (limits.go)
	ro            roMode         // read-only mode (readonly.go)

	// Fault state read by connection writers without mu.
	latency    atomic.Int64 // ns added to every reply
	stallUntil atomic.Int64 // unix ns; replies held until then
	faultMu    sync.Mutex
	faultCh    chan struct{} // closed and replaced when latency/stall change

	packetsRecv atomic.Int64
	packetsSent atomic.Int64

	// queued counts the reply bytes queued on every connection; outConns
	// lists the connections that may hold some (limits.go).
	queued   atomic.Int64
	outMu    sync.Mutex
	outConns map[*conn]struct{}

	connWG sync.WaitGroup // accept loop and connection goroutines
	tickWG sync.WaitGroup
	done   chan struct{}
}

// Start creates a server and starts listening; it is accepting connections
// when Start returns. Nil options are skipped. Close the server when done.
func Start(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := s.listen(cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("testserver: listen %s: %w", cfg.addr, err)
	}
	s.addr = ln.Addr().String()
	s.serveListener(ln)
	s.tickWG.Add(1)
	go s.tickLoop()
	s.log.Info("testserver started", "addr", s.addr, "version", s.ver.full)
	return s, nil
}

// newServer builds a server's state without starting anything.
func newServer(cfg config) (*Server, error) {
	if err := checkTLSConfig(cfg.tls); err != nil {
		return nil, err
	}
	vi, ok := parseVersion(cfg.version)
	if !ok {
		return nil, fmt.Errorf("testserver: unsupported version %q (want %s)", cfg.version, versionList)
	}
	minTO, maxTO := cfg.minTimeout, cfg.maxTimeout
	if minTO <= 0 {
		minTO = 2 * cfg.tick
	}
	if maxTO < minTO {
		maxTO = minTO
	}
	now := time.Now()
	s := &Server{
		cfg:           cfg,
		ver:           vi,
		log:           cfg.logger,
		minTimeout:    minTO,
		maxTimeout:    maxTO,
		started:       now,
		tree:          newTree(),
		sessions:      map[int64]*session{},
		conns:         map[*conn]struct{}{},
		perIP:         map[string]int{},
		outConns:      map[*conn]struct{}{},
		dataWatches:   newWatchManager(),
		childWatches:  newWatchManager(),
		nextSessionID: initialSessionID(1, now),
		faultCh:       make(chan struct{}),
		done:          make(chan struct{}),
	}
	if cfg.snapshot != nil {
		if err := s.loadSnapshot(cfg.snapshot, now); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// New starts a server for a test and closes it when the test ends. It
// calls t.Fatal if the server cannot start.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Addr returns the address the server listens on, "127.0.0.1:port".
func (s *Server) Addr() string { return s.addr }

// ConnectString returns the connect string for clients; for a single
// server it is Addr.
func (s *Server) ConnectString() string { return s.addr }

// Close stops the server: the listener, every connection and every
// goroutine have ended when it returns. Data and sessions are discarded.
// Close is idempotent: calling it again returns nil. After Close, Stop and
// Restart return ErrClosed, Sessions returns nothing, and the fault
// methods do nothing (DropConnections returns 0, DropSession and
// ExpireSession false); Addr and ConnectString still name the old address,
// where nothing listens.
func (s *Server) Close() error {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.stopLocked()
	close(s.done)
	s.tickWG.Wait()
	s.mu.Lock()
	s.sessions = map[int64]*session{}
	s.mu.Unlock()
	s.log.Info("testserver closed", "addr", s.addr)
	return nil
}

// Stop stops listening and closes every connection, as if the server
// process died, but keeps the data and the sessions; session timers keep
// running, so sessions whose clients do not come back in time expire.
// Restart resumes service on the same address. Stop on a stopped server
// does nothing; after Close it returns ErrClosed.
func (s *Server) Stop() error {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.isClosed() {
		return ErrClosed
	}
	s.stopLocked()
	return nil
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Restart listens again on the same address after Stop, with the same data
// and sessions. It is a no-op when the server is listening, and fails after
// Close or when the address cannot be bound.
func (s *Server) Restart() error {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	s.mu.Lock()
	closed, running := s.closed, s.ln != nil
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if running {
		return nil
	}
	ln, err := s.listen(s.addr)
	if err != nil {
		return fmt.Errorf("testserver: restart on %s: %w", s.addr, err)
	}
	s.serveListener(ln)
	s.log.Info("testserver restarted", "addr", s.addr)
	return nil
}

// stopLocked closes the listener and every connection and waits for their
// goroutines. Caller holds lifeMu.
func (s *Server) stopLocked() {
	s.mu.Lock()
	ln := s.ln
	s.ln = nil
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	if ln != nil {
		_ = ln.Close()
	}
	for _, c := range conns {
		c.abort()
	}
	s.connWG.Wait()
}

// Sessions returns the ids of the live sessions, sorted.
func (s *Server) Sessions() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, len(s.sessions))
	for id := range s.sessions {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

func (s *Server) serveListener(ln net.Listener) {
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	s.connWG.Add(1)
	go s.acceptLoop(ln)
}

func (s *Server) acceptLoop(ln net.Listener) {
	defer s.connWG.Done()
	var (
		failures int
		errLog   acceptErrorLog
	)
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			s.mu.Lock()
			stopped := s.ln != ln
			s.mu.Unlock()
			if stopped {
				return
			}
			// Too many open files and the like: back off (5ms doubling
			// to 1s) and log at most once a second.
			failures++
			wait := acceptBackoff(failures)
			errLog.log(s, err, wait, time.Now())
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-s.done:
				t.Stop()
				return
			}
			continue
		}
		failures = 0
		s.mu.Lock()
		if s.ln != ln || time.Now().Before(s.rejectUntil) {
			s.mu.Unlock()
			_ = nc.Close()
			continue
		}
		c := newConn(s, nc)
		if !s.admitLocked(c) {
			s.mu.Unlock()
			_ = nc.Close()
			continue
		}
		s.conns[c] = struct{}{}
		s.connWG.Add(1)
		s.mu.Unlock()
		s.trackOutput(c)
		go c.serve()
	}
}

func (s *Server) tickLoop() {
	defer s.tickWG.Done()
	t := time.NewTicker(s.cfg.tick)
	defer t.Stop()
	// ContainerManager: a fixed-rate timer, first run one interval in.
	reap := time.NewTicker(s.cfg.containerCheck)
	defer reap.Stop()
	for {
		select {
		case <-s.done:
			return
		case now := <-t.C:
			s.mu.Lock()
			s.expireSessionsLocked(now)
			s.mu.Unlock()
		case now := <-reap.C:
			s.mu.Lock()
			s.reapLocked(now)
			s.mu.Unlock()
		}
	}
}

// faultChanged returns a channel closed at the next latency or stall change.
func (s *Server) faultChanged() <-chan struct{} {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	return s.faultCh
}

func (s *Server) signalFault() {
	s.faultMu.Lock()
	close(s.faultCh)
	s.faultCh = make(chan struct{})
	s.faultMu.Unlock()
}

func hexID(id int64) string { return fmt.Sprintf("0x%x", uint64(id)) }
