package party_test

import (
	"context"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/recipes/party"
)

// Workers join a party; anyone can see who is there.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	for _, id := range []string{"worker-1", "worker-2"} {
		p, err := party.New(c, "/party/workers", id)
		if err != nil {
			log.Fatal(err)
		}
		defer p.Close() // leaves
		if err := p.Join(ctx); err != nil {
			log.Fatal(err)
		}
	}
	watcher, err := party.New(c, "/party/workers", "")
	if err != nil {
		log.Fatal(err)
	}
	members, err := watcher.Members(ctx)
	if err != nil {
		log.Fatal(err)
	}
	slices.Sort(members)
	fmt.Println(members)
	// Output: [worker-1 worker-2]
}
