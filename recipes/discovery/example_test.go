package discovery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/recipes/discovery"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// connect starts the embedded test server the examples run against and
// connects a client to it; a real program connects to its ensemble instead.
// stop closes both.
func connect(ctx context.Context) (c *zk.Client, stop func()) {
	srv, err := testserver.Start()
	if err != nil {
		log.Fatal(err)
	}
	c, err = zk.Connect(ctx, srv.ConnectString())
	if err != nil {
		log.Fatal(err)
	}
	return c, func() { c.Close(); srv.Close() }
}

// Register an instance, then find it with a ServiceProvider, as a Java
// service using Curator's ServiceDiscovery would.
func ExampleServiceDiscovery() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := connect(ctx)
	defer stop()

	d, err := discovery.New(c, "/services")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	spec, err := discovery.ParseURISpec("{scheme}://{address}:{port}")
	if err != nil {
		log.Fatal(err)
	}
	inst := &discovery.ServiceInstance{Name: "billing", ID: "billing-1", Address: "10.0.0.5",
		Port: discovery.Port(8080), Payload: json.RawMessage(`{"zone":"eu"}`), URISpec: spec}
	if err := d.Register(ctx, inst); err != nil {
		log.Fatal(err)
	}

	p, err := d.NewServiceProvider("billing", discovery.WithStrategy(discovery.RoundRobin()))
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	if err := p.Start(ctx); err != nil {
		log.Fatal(err)
	}
	found, err := p.Instance()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(found.ID, found.URI(nil), string(found.Payload))
	// Output:
	// billing-1 http://10.0.0.5:8080 {"zone":"eu"}
}
