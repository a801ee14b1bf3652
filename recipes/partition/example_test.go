package partition_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/recipes/partition"
)

// Two workers split four queues between them; each works on its share
// until the membership changes.
func Example() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	queues := []string{"q1", "q2", "q3", "q4"}
	var workers []*partition.Partitioner
	for _, id := range []string{"worker-a", "worker-b"} {
		c := exampleenv.Client(ctx, srv)
		defer c.Close()
		p, err := partition.New(c, "/partitions/queues", queues, partition.WithID(id),
			partition.WithTimeBoundary(100*time.Millisecond)) // how long membership must be stable
		if err != nil {
			log.Fatal(err)
		}
		defer p.Close()
		if err := p.Start(ctx); err != nil {
			log.Fatal(err)
		}
		workers = append(workers, p)
	}
	for _, p := range workers {
		for a, err := range p.Assignments(ctx) {
			if err != nil {
				log.Fatal(err)
			}
			if len(a.Partitions) < 2 { // the other worker had not joined yet
				<-a.Held.Done()
				continue
			}
			fmt.Println(p.ID(), "works on", a.Partitions) // until a.Held is done
			break
		}
	}
	// Output:
	// worker-a works on [q1 q3]
	// worker-b works on [q2 q4]
}
