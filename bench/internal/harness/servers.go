package harness

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver/realzk"
)

// ServerKind names a server implementation.
type ServerKind string

// The servers benchmarked.
const (
	ServerReal     ServerKind = "real"     // Apache ZooKeeper via testserver/realzk
	ServerEmbedded ServerKind = "embedded" // the Go server in testserver, in this process
	// ServerEmbeddedProc is the Go server in a child process (this program
	// re-executed; see ServeIfChild), so that process-wide CPU and
	// allocation counts measure the client alone against a fast server.
	ServerEmbeddedProc ServerKind = "embedded-proc"
)

// Servers lists every server kind in the order reports show them.
var Servers = []ServerKind{ServerReal, ServerEmbedded, ServerEmbeddedProc}

// OutOfProcess reports whether the server runs in another process, so that
// this process's CPU time, system calls and allocations are the client's.
func (k ServerKind) OutOfProcess() bool { return k != ServerEmbedded }

// ErrUnavailable marks a server that cannot run on this machine (no Java or
// no ZooKeeper installation); benchmarks skip on it.
var ErrUnavailable = errors.New("harness: server unavailable")

// Server is a running server with NodePath created.
type Server struct {
	Kind  ServerKind
	Addr  string // host:port of the (first) server
	close func() error
}

// Close stops the server.
func (s *Server) Close() error { return s.close() }

// StartServer starts a server of kind k and creates NodePath on it. A real
// server that cannot start for lack of Java or ZooKeeper returns an error
// wrapping ErrUnavailable.
func StartServer(ctx context.Context, k ServerKind) (*Server, error) {
	var (
		connect string
		closeFn func() error
	)
	switch k {
	case ServerReal:
		// maxClientCnxns=0: the idle-sessions curve opens hundreds of
		// sessions from one address (ZooKeeper's default allows 60).
		e, err := realzk.Start(ctx, realzk.Options{JVMFlags: realzk.ThroughputJVMFlags,
			Config: map[string]string{"maxClientCnxns": "0"}})
		if errors.Is(err, realzk.ErrNotInstalled) {
			return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		if err != nil {
			return nil, err
		}
		connect, closeFn = e.ConnectString(), e.Close
	case ServerEmbedded:
		var err error
		if connect, closeFn, err = startEmbedded(); err != nil {
			return nil, err
		}
	case ServerEmbeddedProc:
		var err error
		if connect, closeFn, err = startEmbeddedProc(ctx); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("harness: unknown server kind %q", k)
	}
	addr, _, _ := strings.Cut(connect, ",")
	addr, _, _ = strings.Cut(addr, "/")
	s := &Server{Kind: k, Addr: addr, close: closeFn}
	if err := Prepare(ctx, addr); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

// Prepare makes NodePath exist on the server at addr with NodeData.
func Prepare(ctx context.Context, addr string) error {
	r, err := DialRaw(ctx, addr, NodePath, NodeData())
	if err != nil {
		return fmt.Errorf("prepare %s: %w", addr, err)
	}
	defer r.Close()
	acl := []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "world", ID: "anyone"}}}
	code, err := r.Call(ctx, jute.OpCreate, &jute.CreateRequest{Path: NodePath, Data: NodeData(), ACL: acl})
	if err == nil && code == jute.ErrNodeExists {
		code, err = r.Call(ctx, jute.OpSetData, &jute.SetDataRequest{Path: NodePath, Data: NodeData(), Version: -1})
	}
	if err == nil && code != 0 {
		err = fmt.Errorf("error code %d", code)
	}
	if err != nil {
		return fmt.Errorf("prepare %s: create %s: %w", addr, NodePath, err)
	}
	return nil
}

// Lazy starts a server on first use and keeps it until Close, so a test
// binary starts each server at most once.
type Lazy struct {
	Kind ServerKind // the server to start; set before the first Get

	mu      sync.Mutex
	started bool
	srv     *Server
	err     error
}

// Get returns the server, starting it on the first call. A failed start is
// remembered and returned again.
func (l *Lazy) Get(ctx context.Context) (*Server, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.started {
		l.started = true
		l.srv, l.err = StartServer(ctx, l.Kind)
	}
	return l.srv, l.err
}

// Close stops the server if it was started.
func (l *Lazy) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.srv == nil {
		return nil
	}
	err := l.srv.Close()
	l.srv, l.err = nil, errors.New("harness: server closed")
	return err
}
