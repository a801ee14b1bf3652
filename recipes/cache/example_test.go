package cache_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/recipes/cache"
	"github.com/zkcurator/zkcurator/zk"
)

// A TreeCache follows a subtree: its listener hears one NodeCreated per
// node while the cache primes, then Initialized, then every change. Reads
// (Get, Children, All) are served from memory.
func ExampleTreeCache() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()
	for _, p := range []string{"/config", "/config/db"} {
		if _, err := c.Create(ctx, p, []byte("primary"), zk.ModePersistent, nil); err != nil {
			log.Fatal(err)
		}
	}

	tc, err := cache.NewTree(c, "/config")
	if err != nil {
		log.Fatal(err)
	}
	defer tc.Close()
	changed := make(chan struct{})
	tc.Listen(func(ev cache.Event) {
		if !ev.Type.IsNode() {
			fmt.Println("event:", ev.Type)
			return
		}
		fmt.Println("event:", ev.Type, ev.Path, string(ev.Data))
		if ev.Type == cache.NodeChanged {
			close(changed)
		}
	})
	// Start returns once the listener has seen Initialized.
	if err := tc.Start(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("children of /config:", tc.Children("/config"))

	if _, err := c.Set(ctx, "/config/db", []byte("replica"), -1); err != nil {
		log.Fatal(err)
	}
	<-changed
	n, _ := tc.Get("/config/db")
	fmt.Printf("cached /config/db = %q (version %d)\n", n.Data, n.Stat.Version)
	// Output:
	// event: NodeCreated /config primary
	// event: NodeCreated /config/db primary
	// event: Initialized
	// children of /config: [db]
	// event: NodeChanged /config/db replica
	// cached /config/db = "replica" (version 1)
}

// A NodeCache follows one node, which need not exist yet.
func ExampleNodeCache() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	nc, err := cache.NewNode(c, "/feature-flag")
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	created := make(chan struct{})
	nc.Listen(func(ev cache.Event) {
		if ev.Type == cache.NodeCreated {
			close(created)
		}
	})
	if err := nc.Start(ctx); err != nil {
		log.Fatal(err)
	}
	_, ok := nc.Get()
	fmt.Println("exists before create:", ok)

	if _, err := c.Create(ctx, "/feature-flag", []byte("on"), zk.ModePersistent, nil); err != nil {
		log.Fatal(err)
	}
	<-created
	n, ok := nc.Get()
	fmt.Printf("exists after create: %v, data %q\n", ok, n.Data)
	// Output:
	// exists before create: false
	// exists after create: true, data "on"
}

// A ChildrenCache follows the children of a node, here the members of a
// group that register themselves with ephemeral nodes.
func ExampleChildrenCache() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()
	if _, err := c.Create(ctx, "/members", nil, zk.ModePersistent, nil); err != nil {
		log.Fatal(err)
	}

	cc, err := cache.NewChildren(c, "/members")
	if err != nil {
		log.Fatal(err)
	}
	defer cc.Close()
	joined := make(chan string, 2)
	cc.Listen(func(ev cache.Event) {
		if ev.Type == cache.NodeCreated {
			joined <- ev.Path
		}
	})
	if err := cc.Start(ctx); err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"worker-1", "worker-2"} {
		if _, err := c.Create(ctx, "/members/"+name, nil, zk.ModeEphemeral, nil); err != nil {
			log.Fatal(err)
		}
		fmt.Println("joined:", <-joined)
	}
	fmt.Println("members:", cc.Names())
	// Output:
	// joined: /members/worker-1
	// joined: /members/worker-2
	// members: [worker-1 worker-2]
}

// Constructors check their arguments at once; errors match with errors.Is.
func ExampleNewTree_invalid() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	_, err := cache.NewTree(c, "config/")
	fmt.Println(err)
	_, err = cache.NewTree(c, "/config", cache.WithConcurrency(0))
	fmt.Println(err)
	// Output:
	// cache: tree cache "config/": zk: invalid path "config/": must start with /
	// cache: tree cache "/config": zk: invalid argument: WithConcurrency(0): must be at least 1
}
