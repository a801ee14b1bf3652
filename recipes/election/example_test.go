package election_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/recipes/election"
	"github.com/zkcurator/zkcurator/zk"
)

// Two participants in a leader latch: the first to join leads; when it
// closes, the other takes over. An observer follows who leads.
func ExampleLatch() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c1, c2, c3 := exampleenv.Client(ctx, srv), exampleenv.Client(ctx, srv), exampleenv.Client(ctx, srv)
	defer c1.Close()
	defer c2.Close()
	defer c3.Close()

	leaders, err := election.Observe(ctx, c3, "/election/jobs")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("leader: %q\n", (<-leaders).ID)

	a, err := election.NewLatch(c1, "/election/jobs", "alice")
	if err != nil {
		log.Fatal(err)
	}
	if err := a.Start(ctx); err != nil {
		log.Fatal(err)
	}
	leadership, err := a.Await(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("leader: %q\n", (<-leaders).ID)

	b, err := election.NewLatch(c2, "/election/jobs", "bob")
	if err != nil {
		log.Fatal(err)
	}
	if err := b.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	if err := a.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("alice's leadership ended:", errors.Is(context.Cause(leadership), election.ErrClosed))
	if _, err := b.Await(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("leader: %q\n", (<-leaders).ID)
	// Output:
	// leader: ""
	// leader: "alice"
	// alice's leadership ended: true
	// leader: "bob"
}

// A Selector runs its function each time it becomes leader; a write it
// fences applies only while it still leads.
func ExampleSelector() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()
	if _, err := c.Create(ctx, "/report", nil, zk.ModePersistent, nil); err != nil {
		log.Fatal(err)
	}

	var s *election.Selector
	finished := make(chan struct{})
	s, err := election.NewSelector(c, "/election/report", "worker-1", func(lead context.Context) error {
		defer close(finished)
		fmt.Println("leading, token > 0:", s.FencingToken() > 0)
		_, err := s.Fenced(lead, zk.SetOp("/report", []byte("written by the leader"), -1))
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.Start(ctx); err != nil {
		log.Fatal(err)
	}
	<-finished
	data, _, err := c.Get(ctx, "/report")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", data)
	// Output:
	// leading, token > 0: true
	// written by the leader
}
