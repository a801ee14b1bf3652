// Command quickstart shows zkcurator's Client at work: connection states, a
// watch, and an operation retried across a dropped connection.
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
	"time"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

func main() {
	servers := flag.String("servers", "", "ZooKeeper connect string; empty starts the embedded test server")
	flag.Parse()
	if err := run(*servers); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(servers string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	var srv *testserver.Server
	if servers == "" {
		var err error
		srv, err = testserver.Start()
		if err != nil {
			return err
		}
		defer srv.Close()
		servers = srv.ConnectString()
		say("Started the embedded ZooKeeper test server on %s.", servers)
	}

	// Retries are logged at debug level; show just those lines, in plain words.
	logger := slog.New(retryLogger{})
	c, err := zk.Connect(ctx, servers,
		zk.WithSessionTimeout(5*time.Second),
		zk.WithRetryPolicy(retry.ExponentialBackoff(50*time.Millisecond, 5, time.Second)),
		zk.WithNamespace("quickstart"),
		zk.WithLogger(logger))
	if err != nil {
		return err
	}
	defer c.Close()
	say("Connected: session 0x%x, every path lives under the namespace /quickstart.", c.SessionID())

	states := make(chan zk.ConnectionState, 16)
	stop := c.Listen(func(s zk.ConnectionState) { states <- s })
	defer stop()

	// Start from a clean slate, then create a node.
	_ = c.Delete(ctx, "/greeting", -1)
	if _, err := c.Create(ctx, "/greeting", []byte("hello"), zk.ModePersistent, nil); err != nil {
		return err
	}
	say("Created /greeting with data %q.", "hello")

	// A one-shot watch: the channel receives exactly one event.
	data, st, watch, err := c.GetW(ctx, "/greeting")
	if err != nil {
		return err
	}
	say("Read /greeting: %q (version %d) and left a watch on it.", data, st.Version)
	if _, err := c.Set(ctx, "/greeting", []byte("hello again"), st.Version); err != nil {
		return err
	}
	say("Changed /greeting (only if still at version %d).", st.Version)
	select {
	case ev := <-watch:
		say("The watch fired: %s on %s.", ev.Type, ev.Path)
	case <-ctx.Done():
		return errors.New("the watch did not fire")
	}

	if srv != nil {
		// The server applies the next getData, then the connection drops
		// before the reply reaches us: the Client reconnects and retries.
		srv.DropAfterApply(jute.OpGetData)
		say("Injected a fault: the connection will drop right after the server answers the next read.")
		data, _, err = c.Get(ctx, "/greeting")
		if err != nil {
			return err
		}
		say("The read still returned %q, after the retry.", data)
		for _, want := range []zk.ConnectionState{zk.Suspended, zk.Reconnected} {
			select {
			case s := <-states:
				say("Connection state: %s%s", s, explain(s))
				if s != want {
					return fmt.Errorf("state %s, want %s", s, want)
				}
			case <-ctx.Done():
				return errors.New("no state change seen")
			}
		}
	}

	if err := c.Delete(ctx, "/greeting", -1); err != nil {
		return err
	}
	say("Deleted /greeting. Closing the session; its ephemeral nodes would go with it.")
	return nil
}

func explain(s zk.ConnectionState) string {
	switch s {
	case zk.Suspended:
		return " — the connection dropped; the session may still be alive, locks and leadership are in doubt."
	case zk.Reconnected:
		return " — connected again, same session."
	case zk.Lost:
		return " — the session is gone; the Client starts a new one."
	}
	return ""
}

func say(format string, args ...any) { fmt.Printf(format+"\n", args...) }

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
