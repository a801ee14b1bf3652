package nodes_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/recipes/nodes"
	"github.com/zkcurator/zkcurator/zk"
)

// A PersistentNode keeps an ephemeral node registered for as long as the
// process wants it: deleted by someone, it comes back.
func ExamplePersistentNode() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	n, err := nodes.NewPersistentNode(c, "/services/web/host-1", zk.ModeEphemeral, []byte("10.0.0.1:80"))
	if err != nil {
		log.Fatal(err)
	}
	created := make(chan string, 2)
	n.Listen(func(p string) { created <- p })
	if err := n.Start(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("created:", <-created)

	if err := c.Delete(ctx, "/services/web/host-1", zk.AnyVersion); err != nil {
		log.Fatal(err)
	}
	fmt.Println("created again:", <-created)

	if err := n.Close(); err != nil {
		log.Fatal(err)
	}
	ok, _, _ := c.Exists(ctx, "/services/web/host-1")
	fmt.Println("exists after Close:", ok)
	// Output:
	// created: /services/web/host-1
	// created again: /services/web/host-1
	// exists after Close: false
}

// Group members each keep a node under the group and see each other's.
func ExampleGroupMember() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	g, err := nodes.NewGroupMember(c, "/groups/workers", "worker-1", []byte("idle"))
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()
	if err := g.Start(ctx); err != nil {
		log.Fatal(err)
	}
	for id, payload := range g.Members() {
		fmt.Printf("%s: %s\n", id, payload)
	}
	// Output:
	// worker-1: idle
}
