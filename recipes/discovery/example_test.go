package discovery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/recipes/discovery"
)

// Register an instance, then find it with a ServiceProvider, as a Java
// service using Curator's ServiceDiscovery would.
func ExampleServiceDiscovery() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
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
