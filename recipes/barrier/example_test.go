package barrier_test

import (
	"context"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/recipes/barrier"
)

// Three workers start a computation together and finish it together.
func ExampleDoubleBarrier() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	const workers = 3
	var wg sync.WaitGroup
	var mu sync.Mutex
	entered := 0
	for range workers {
		c := exampleenv.Client(ctx, srv)
		defer c.Close()
		d, err := barrier.NewDouble(c, "/barriers/batch", workers)
		if err != nil {
			log.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.Enter(ctx); err != nil {
				log.Fatal(err)
			}
			mu.Lock()
			entered++
			mu.Unlock()
			// ... the computation ...
			if err := d.Leave(ctx); err != nil {
				log.Fatal(err)
			}
		}()
	}
	wg.Wait()
	fmt.Println("entered and left together:", entered)
	// Output: entered and left together: 3
}

// A Barrier holds waiters until it is removed.
func ExampleBarrier() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	b, err := barrier.New(c, "/barriers/deploy")
	if err != nil {
		log.Fatal(err)
	}
	if err := b.Set(ctx); err != nil {
		log.Fatal(err)
	}
	released := make(chan error)
	go func() { released <- b.Wait(ctx) }()
	if err := b.Remove(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("released:", <-released)
	// Output: released: <nil>
}
