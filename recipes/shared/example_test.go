package shared_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/recipes/shared"
)

// A shared count: one process listens, another changes it.
func ExampleCount() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
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
