// Package program is the set-up the example programs under examples/
// share: the -servers flag and its usage text, the embedded ZooKeeper test
// server started when -servers is empty, and the clients an example
// connects, so each main.go holds only what it shows. examples/quickstart
// does not use it: it is the README's first program and stays readable on
// its own.
package program

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// Main is an example program's main function. It parses -servers, with a
// usage text made of "Usage: go run ./examples/<name> [-servers
// host:port,...]", about (what the program shows) and the flags; it calls
// run with the connect string (empty: run starts the embedded server, see
// Start) and, if run fails, prints "<name>: <error>" and exits with 1.
func Main(name, about string, run func(servers string) error) {
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(),
			"Usage: go run ./examples/%s [-servers host:port,...]\n\n%s\n\nFlags:\n", name, about)
		flag.PrintDefaults()
	}
	servers := flag.String("servers", "", "ZooKeeper connect string; empty starts the embedded test server")
	flag.Parse()
	if err := run(*servers); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// Env is the ZooKeeper an example runs against and the clients it
// connected there. Close closes them all.
type Env struct {
	// Servers is the connect string the clients use.
	Servers string
	// Server is the embedded server Start started, nil when the example
	// was given -servers (only the embedded server injects faults).
	Server  *testserver.Server
	clients []*zk.Client
}

// Start returns the Env for servers: an empty connect string starts the
// embedded ZooKeeper test server (no ZooKeeper or Java needed) and prints
// "Started the embedded ZooKeeper test server on <address>.".
func Start(servers string) (*Env, error) {
	if servers != "" {
		return &Env{Servers: servers}, nil
	}
	srv, err := testserver.Start()
	if err != nil {
		return nil, err
	}
	fmt.Printf("Started the embedded ZooKeeper test server on %s.\n", srv.ConnectString())
	return &Env{Servers: srv.ConnectString(), Server: srv}, nil
}

// Setup is the start of an example's run: a context that ends after
// timeout, the Env for servers (see Start) and n clients connected with
// opts (see ConnectN). done cancels the context and closes the Env; it is
// non-nil also when Setup fails, having cleaned up already.
func Setup(servers string, timeout time.Duration, n int, opts ...zk.Option) (ctx context.Context, env *Env, clients []*zk.Client, done func(), err error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	env, err = Start(servers)
	if err != nil {
		cancel()
		return nil, nil, nil, func() {}, err
	}
	done = func() { env.Close(); cancel() }
	if clients, err = env.ConnectN(ctx, n, opts...); err != nil {
		done()
		return nil, nil, nil, func() {}, err
	}
	return ctx, env, clients, done, nil
}

// Path is a fresh node path for one run of the named example,
// /examples/<name>-<nanoseconds>, so runs against a shared ensemble do not
// meet each other's nodes.
func Path(name string) string {
	return fmt.Sprintf("/examples/%s-%d", name, time.Now().UnixNano())
}

// Connect connects one client (one process of the example) with opts;
// Close closes it.
func (e *Env) Connect(ctx context.Context, opts ...zk.Option) (*zk.Client, error) {
	c, err := zk.Connect(ctx, e.Servers, opts...)
	if err != nil {
		return nil, err
	}
	e.clients = append(e.clients, c)
	return c, nil
}

// ConnectN connects n clients, each its own session, with opts; Close
// closes them.
func (e *Env) ConnectN(ctx context.Context, n int, opts ...zk.Option) ([]*zk.Client, error) {
	clients := make([]*zk.Client, 0, n)
	for range n {
		c, err := e.Connect(ctx, opts...)
		if err != nil {
			return nil, err
		}
		clients = append(clients, c)
	}
	return clients, nil
}

// Close closes the clients in the order they were connected, then the
// embedded server if Start started one. It may be called more than once.
func (e *Env) Close() {
	for _, c := range e.clients {
		_ = c.Close()
	}
	e.clients = slices.Delete(e.clients, 0, len(e.clients))
	if e.Server != nil {
		e.Server.Close()
	}
}
