package testserver_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// Start an embedded server, connect a zk.Client to it, use it, and close
// both. In a test, testserver.New(t) starts a server that closes itself
// when the test ends.
func Example() {
	srv, err := testserver.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, err := zk.Connect(ctx, srv.ConnectString())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Create(ctx, "/hello", []byte("world"), zk.ModePersistent, nil); err != nil {
		log.Fatal(err)
	}
	data, _, err := c.Get(ctx, "/hello")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("/hello = %q, %d live session(s)\n", data, len(srv.Sessions()))
	// Output: /hello = "world", 1 live session(s)
}

// stateLog connects a Client that hands its connection states to a channel,
// so an example can print them in the order they happened.
func stateLog(ctx context.Context, srv *testserver.Server) (*zk.Client, <-chan zk.ConnectionState) {
	states := make(chan zk.ConnectionState, 16)
	c, err := zk.Connect(ctx, srv.ConnectString(),
		zk.WithSessionTimeout(4*time.Second),
		zk.WithStateListener(func(s zk.ConnectionState) { states <- s }))
	if err != nil {
		log.Fatal(err)
	}
	return c, states
}

// Drop every client connection, as a network failure would: the client
// reports Suspended, reconnects to the same session (Reconnected), and its
// ephemeral node survives.
func ExampleServer_DropConnections() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, states := stateLog(ctx, srv)
	defer c.Close()
	fmt.Println(<-states)
	if _, err := c.Create(ctx, "/worker", nil, zk.ModeEphemeral, nil); err != nil {
		log.Fatal(err)
	}

	fmt.Println("dropped", srv.DropConnections(), "connection(s)")
	fmt.Println(<-states)
	fmt.Println(<-states)
	ok, _, err := c.Exists(ctx, "/worker")
	fmt.Println("ephemeral node still there:", ok, err)
	// Output:
	// CONNECTED
	// dropped 1 connection(s)
	// SUSPENDED
	// RECONNECTED
	// ephemeral node still there: true <nil>
}

// Expire the client's session: its ephemeral nodes are deleted, the client
// reports Lost, then Reconnected with a new session.
func ExampleServer_ExpireSession() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, states := stateLog(ctx, srv)
	defer c.Close()
	fmt.Println(<-states)
	if _, err := c.Create(ctx, "/worker", nil, zk.ModeEphemeral, nil); err != nil {
		log.Fatal(err)
	}
	old := c.SessionID()

	fmt.Println("expired:", srv.ExpireSession(old))
	for s := range states {
		fmt.Println(s)
		if s == zk.Reconnected {
			break
		}
	}
	ok, _, err := c.Exists(ctx, "/worker")
	fmt.Println("ephemeral node still there:", ok, err)
	fmt.Println("new session:", c.SessionID() != old)
	// Output:
	// CONNECTED
	// expired: true
	// SUSPENDED
	// LOST
	// RECONNECTED
	// ephemeral node still there: false <nil>
	// new session: true
}

// DropAfterApply loses the reply of the next create after the server has
// applied it — the "did my write happen?" case. The caller sees a
// connection loss; reading back after the reconnect tells the truth.
func ExampleServer_DropAfterApply() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := zk.Dial(ctx, srv.ConnectString())
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	srv.DropAfterApply(jute.OpCreate)
	_, err = conn.Create(ctx, "/order-42", nil, zk.ModePersistent, zk.OpenACLUnsafe)
	fmt.Println("create failed with connection loss:", errors.Is(err, zk.ErrConnectionLoss))
	ok, _, err := conn.Exists(ctx, "/order-42")
	fmt.Println("but the node exists:", ok, err)
	// Output:
	// create failed with connection loss: true
	// but the node exists: true <nil>
}
