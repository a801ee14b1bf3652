// Package exampleenv is the set-up the packages' runnable Examples share:
// it starts the embedded ZooKeeper test server (no ZooKeeper or Java
// needed) and connects clients to it, so each example_test.go holds only
// its Examples. A real program calls zk.Connect with its ensemble's connect
// string instead, as the zk package's ExampleConnect shows.
//
// Its functions end the program with log.Fatal when the server or the
// connection fails, as an Example's own steps do: an Example has no
// testing.T to report to.
package exampleenv

import (
	"context"
	"log"

	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// Server starts an embedded ZooKeeper server with opts; the caller closes it.
func Server(opts ...testserver.Option) *testserver.Server {
	srv, err := testserver.Start(opts...)
	if err != nil {
		log.Fatal(err)
	}
	return srv
}

// Client connects a zk.Client (one process of an example) to srv with
// opts; the caller closes it.
func Client(ctx context.Context, srv *testserver.Server, opts ...zk.Option) *zk.Client {
	c, err := zk.Connect(ctx, srv.ConnectString(), opts...)
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// Connect starts an embedded server and connects one client to it with
// opts; stop closes the client, then the server.
func Connect(ctx context.Context, opts ...zk.Option) (c *zk.Client, stop func()) {
	srv := Server()
	c = Client(ctx, srv, opts...)
	return c, func() { c.Close(); srv.Close() }
}
