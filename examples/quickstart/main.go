// Command quickstart shows zkcurator's Client at work: connection states, a
// session, a namespace, an ephemeral node, a watch, and an operation
// retried across a dropped connection.
//
//	go run ./examples/quickstart                         # embedded test server, no ZooKeeper needed
//	go run ./examples/quickstart -servers 127.0.0.1:2181 # a real ensemble
//
// With the embedded server it also injects a fault (the connection drops
// right after the server applies a request) so you can see the Client
// suspend, reconnect and retry.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

func main() {
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `Usage: go run ./examples/quickstart [-servers host:port,...]

Connects a zkcurator Client and walks through the basics, saying what
happens at each step: the connection states as they happen (CONNECTED,
SUSPENDED, RECONNECTED), the session, the namespace, an ephemeral node, a
one-shot watch, and a read retried by the retry policy after the embedded
server drops the connection on purpose. Without -servers it starts the
embedded ZooKeeper test server, so no ZooKeeper or Java is needed.

Flags:
`)
		flag.PrintDefaults()
	}
	servers := flag.String("servers", "", "ZooKeeper connect string; empty starts the embedded test server")
	flag.Parse()
	if err := run(*servers); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// sessionTimeout is how long the session outlives a lost connection.
const sessionTimeout = 5 * time.Second

// run is the whole program; each step is a function below.
func run(servers string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var srv *testserver.Server
	if servers == "" {
		var err error
		if srv, err = testserver.Start(); err != nil {
			return err
		}
		defer srv.Close()
		servers = srv.ConnectString()
		say("Started the embedded ZooKeeper test server on %s.", servers)
	}

	states := make(chan zk.ConnectionState, 16)
	c, err := connect(ctx, servers, states)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := expectStates(ctx, states, zk.Connected); err != nil {
		return err
	}
	say("Session 0x%x: the server keeps it while the Client pings; it survives a dropped connection if the Client is back within %v.", c.SessionID(), sessionTimeout)
	say("Namespace /quickstart: every path below is relative to it, so /greeting is /quickstart/greeting on the server.")

	if err := ephemeral(ctx, c); err != nil {
		return err
	}
	if err := watch(ctx, c); err != nil {
		return err
	}
	if srv != nil {
		if err := retriedRead(ctx, c, srv, states); err != nil {
			return err
		}
	}
	if err := c.Delete(ctx, "/greeting", -1); err != nil {
		return err
	}
	say("Deleted /greeting. Closing the session; its ephemeral node /worker goes with it.")
	return nil
}

// connect starts a Client whose connection states are printed as they
// happen and handed to states.
func connect(ctx context.Context, servers string, states chan<- zk.ConnectionState) (*zk.Client, error) {
	// Retries are logged at debug level; show just those lines, in plain words.
	return zk.Connect(ctx, servers,
		zk.WithSessionTimeout(sessionTimeout),
		zk.WithRetryPolicy(retry.ExponentialBackoff(50*time.Millisecond, 5, time.Second)),
		zk.WithNamespace("quickstart"),
		zk.WithLogger(slog.New(retryLogger{})),
		zk.WithStateListener(func(s zk.ConnectionState) {
			say("Connection state: %s%s", s, explain(s))
			states <- s
		}))
}

// ephemeral creates a node that lives only as long as the session.
func ephemeral(ctx context.Context, c *zk.Client) error {
	_ = c.Delete(ctx, "/worker", -1) // a clean slate on a real ensemble
	if _, err := c.Create(ctx, "/worker", []byte("pid 42"), zk.ModeEphemeral, nil); err != nil {
		return err
	}
	say("Created the ephemeral node /worker: ZooKeeper deletes it when this session ends.")
	return nil
}

// watch creates a node, leaves a one-shot watch on it and changes it.
func watch(ctx context.Context, c *zk.Client) error {
	_ = c.Delete(ctx, "/greeting", -1)
	if _, err := c.Create(ctx, "/greeting", []byte("hello"), zk.ModePersistent, nil); err != nil {
		return err
	}
	say("Created /greeting with data %q.", "hello")

	// A one-shot watch: the channel receives exactly one event.
	data, st, events, err := c.GetW(ctx, "/greeting")
	if err != nil {
		return err
	}
	say("Read /greeting: %q (version %d) and left a watch on it.", data, st.Version)
	if _, err := c.Set(ctx, "/greeting", []byte("hello again"), st.Version); err != nil {
		return err
	}
	say("Changed /greeting (only if still at version %d).", st.Version)
	select {
	case ev := <-events:
		say("The watch fired: %s on %s.", ev.Type, ev.Path)
		return nil
	case <-ctx.Done():
		return errors.New("the watch did not fire")
	}
}

// retriedRead makes the embedded server drop the connection right after it
// answers the next read: the Client suspends, reconnects to the same
// session and retries the read.
func retriedRead(ctx context.Context, c *zk.Client, srv *testserver.Server, states <-chan zk.ConnectionState) error {
	srv.DropAfterApply(jute.OpGetData)
	say("Injected a fault: the connection will drop right after the server answers the next read.")
	data, _, err := c.Get(ctx, "/greeting")
	if err != nil {
		return err
	}
	say("The read still returned %q, after the retry.", data)
	if err := expectStates(ctx, states, zk.Suspended, zk.Reconnected); err != nil {
		return err
	}
	ok, _, err := c.Exists(ctx, "/worker")
	if err != nil {
		return err
	}
	say("The ephemeral node /worker is still there (%v): same session.", ok)
	return nil
}

// expectStates waits until the listener has seen want, in this order.
func expectStates(ctx context.Context, states <-chan zk.ConnectionState, want ...zk.ConnectionState) error {
	for _, w := range want {
		select {
		case s := <-states:
			if s != w {
				return fmt.Errorf("connection state %s, want %s", s, w)
			}
		case <-ctx.Done():
			return fmt.Errorf("waiting for connection state %s: %w", w, ctx.Err())
		}
	}
	return nil
}

func explain(s zk.ConnectionState) string {
	switch s {
	case zk.Connected:
		return " — the first connection; a new session."
	case zk.Suspended:
		return " — the connection dropped; the session may still be alive, locks and leadership are in doubt."
	case zk.Reconnected:
		return " — connected again, same session."
	case zk.Lost:
		return " — the session is gone; the Client starts a new one."
	}
	return ""
}

var sayMu sync.Mutex

// say prints one line; the state listener and the retry log call it from
// goroutines of their own.
func say(format string, args ...any) {
	sayMu.Lock()
	defer sayMu.Unlock()
	fmt.Printf(format+"\n", args...)
}

// retryLogger prints the Client's retry log lines in plain words and drops
// everything else.
type retryLogger struct{}

func (retryLogger) Enabled(context.Context, slog.Level) bool { return true }

func (retryLogger) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "zk: retrying" {
		return nil
	}
	var op, path, cause string
	var attempt int64
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "op":
			op = a.Value.String()
		case "path":
			path = a.Value.String()
		case "attempt":
			attempt = a.Value.Int64()
		case "err":
			cause = a.Value.String()
		}
		return true
	})
	say("Attempt %d of %s %s failed (%s); the retry policy tries again.", attempt, op, path, cause)
	return nil
}

func (h retryLogger) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h retryLogger) WithGroup(string) slog.Handler      { return h }
