package shared_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/recipes/shared"
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

// A shared count: one process listens, another changes it.
func ExampleCount() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := connect(ctx)
	defer stop()

	count, err := shared.NewCount(c, "/config/workers", 4)
	if err != nil {
		log.Fatal(err)
	}
	defer count.Close()
	changed := make(chan int32, 1)
	if _, err := count.Listen(ctx, shared.CountListener{
		Changed: func(v, _ int32) { changed <- v },
	}); err != nil {
		log.Fatal(err)
	}
	v, version, err := count.Get(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("seeded:", v)
	ok, err := count.TrySet(ctx, 8, version)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("set:", ok)
	fmt.Println("listener saw:", <-changed)
	// Output:
	// seeded: 4
	// set: true
	// listener saw: 8
}
