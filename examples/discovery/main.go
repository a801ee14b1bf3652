// Command discovery shows service discovery with zkcurator, wire compatible
// with Curator's curator-x-discovery: two instances of a service register
// themselves, a client finds them through a ServiceProvider, reports one
// as failing, and sees an instance leave when its process goes away.
//
//	go run ./examples/discovery                         # embedded test server, no ZooKeeper needed
//	go run ./examples/discovery -servers 127.0.0.1:2181 # a real ensemble
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/zkcurator/zkcurator/examples/internal/program"
	"github.com/zkcurator/zkcurator/recipes/discovery"
	"github.com/zkcurator/zkcurator/zk"
)

// about is what -h says the program shows.
const about = `Shows service discovery (recipes/discovery, like Curator's
curator-x-discovery): two instances of a "web" service register with
ServiceDiscovery (each as its own client, as two processes would); the
JSON stored for one is printed (Curator's JsonInstanceSerializer format, so
Java services read it); a consumer picks instances round robin with a
ServiceProvider, reports one of them failing twice with NoteError (it is
then skipped), and sees the other leave when its client closes (its
ephemeral node goes with the session). Without -servers it starts the
embedded ZooKeeper test server, so no ZooKeeper or Java is needed.`

func main() { program.Main("discovery", about, run) }

// run is the whole program; each step is a function below.
func run(servers string) error {
	ctx, _, clients, done, err := program.Setup(servers, 60*time.Second, 3, zk.WithSessionTimeout(5*time.Second))
	defer done()
	if err != nil {
		return err
	}
	base := program.Path("discovery")
	for i, id := range []string{"web-1", "web-2"} {
		d, err := register(ctx, clients[i], base, id, 8081+i)
		if err != nil {
			return err
		}
		defer d.Close()
	}
	if err := show(ctx, clients[2], base); err != nil {
		return err
	}
	return consume(ctx, clients[2], clients[1], base)
}

// register registers one instance of "web" on its own client; closing
// the returned ServiceDiscovery unregisters it.
func register(ctx context.Context, c *zk.Client, base, id string, port int) (*discovery.ServiceDiscovery, error) {
	d, err := discovery.New(c, base)
	if err != nil {
		return nil, err
	}
	spec, err := discovery.ParseURISpec("{scheme}://{address}:{port}/")
	if err != nil {
		return nil, err
	}
	inst := &discovery.ServiceInstance{Name: "web", ID: id, Address: "127.0.0.1", Port: discovery.Port(port),
		Payload: json.RawMessage(`{"zone":"eu-1"}`), URISpec: spec}
	if err := d.Register(ctx, inst); err != nil {
		d.Close()
		return nil, err
	}
	fmt.Printf("Registered %s at %s.\n", id, inst.URI(nil))
	return d, nil
}

// show prints the names and one instance's stored JSON.
func show(ctx context.Context, c *zk.Client, base string) error {
	d, err := discovery.New(c, base)
	if err != nil {
		return err
	}
	defer d.Close()
	names, err := d.QueryForNames(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("Services under %s: %v\n", base, names)
	data, _, err := c.Get(ctx, d.PathForInstance("web", "web-1"))
	if err != nil {
		return err
	}
	fmt.Printf("Node %s holds:\n  %s\n", d.PathForInstance("web", "web-1"), data)
	return nil
}

// consume picks instances, notes errors and watches one leave.
func consume(ctx context.Context, c, leaving *zk.Client, base string) error {
	d, err := discovery.New(c, base)
	if err != nil {
		return err
	}
	defer d.Close()
	p, err := d.NewServiceProvider("web", discovery.WithStrategy(discovery.RoundRobin()))
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.Start(ctx); err != nil {
		return err
	}
	if err := pick(p, "Round robin", 4); err != nil {
		return err
	}
	web1 := p.AllInstances()[0]
	p.NoteError(web1)
	p.NoteError(web1)
	fmt.Printf("Noted two errors for %s: it is skipped for %v.\n", web1.ID, discovery.DefaultDownTimeout)
	if err := pick(p, "Now", 2); err != nil {
		return err
	}
	leaving.Close()
	fmt.Println("Closed web-2's client: its session ends and its node goes.")
	for len(p.AllInstances()) != 1 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	_, err = p.Instance()
	if errors.Is(err, discovery.ErrNoInstances) {
		fmt.Println("No usable instance left (web-1 is down, web-2 gone):", err)
		return nil
	}
	return fmt.Errorf("expected no usable instance, got %v", err)
}

func pick(p *discovery.ServiceProvider, what string, n int) error {
	fmt.Printf("%s:", what)
	for range n {
		inst, err := p.Instance()
		if err != nil {
			return err
		}
		fmt.Printf(" %s", inst.ID)
	}
	fmt.Println()
	return nil
}
