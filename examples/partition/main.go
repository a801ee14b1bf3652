// Command partition shows the coordination utilities zkcurator adds from
// kazoo and Curator: a Party of workers, a SetPartitioner splitting a set
// of shards among them (and re-splitting when one leaves), and a
// ChildReaper clearing the lock parents left behind.
//
//	go run ./examples/partition                         # embedded test server, no ZooKeeper needed
//	go run ./examples/partition -servers 127.0.0.1:2181 # a real ensemble
package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/zkcurator/zkcurator/examples/internal/program"
	"github.com/zkcurator/zkcurator/recipes/partition"
	"github.com/zkcurator/zkcurator/recipes/party"
	"github.com/zkcurator/zkcurator/recipes/reaper"
	"github.com/zkcurator/zkcurator/zk"
)

// about is what -h says the program shows.
const about = `Shows recipes/party, recipes/partition and recipes/reaper: two workers
join a Party; two SetPartitioners split six shards between them, each
holding the lock of its shards; one leaves and the other takes all six;
then a ChildReaper removes the per-shard lock parents nobody uses any
more. Without -servers it starts the embedded ZooKeeper test server, so no
ZooKeeper or Java is needed.`

func main() { program.Main("partition", about, run) }

// run is the whole program; each step is a function below.
func run(servers string) error {
	ctx, _, clients, done, err := program.Setup(servers, 60*time.Second, 2, zk.WithSessionTimeout(5*time.Second))
	defer done()
	if err != nil {
		return err
	}
	base := program.Path("partition")
	if err := joinParty(ctx, clients, base+"/party"); err != nil {
		return err
	}
	if err := split(ctx, clients, base+"/shards"); err != nil {
		return err
	}
	return reap(ctx, clients[0], base+"/shards/locks")
}

// joinParty: both workers join; anyone can list them.
func joinParty(ctx context.Context, clients []*zk.Client, path string) error {
	for i, c := range clients {
		p, err := party.New(c, path, fmt.Sprintf("worker-%d", i+1))
		if err != nil {
			return err
		}
		defer p.Close()
		if err := p.Join(ctx); err != nil {
			return err
		}
	}
	p, err := party.New(clients[0], path, "")
	if err != nil {
		return err
	}
	members, err := p.Members(ctx)
	if err != nil {
		return err
	}
	slices.Sort(members)
	fmt.Println("Party members:", members)
	return nil
}

// split: two partitioners share six shards; one leaves.
func split(ctx context.Context, clients []*zk.Client, path string) error {
	shards := []string{"s1", "s2", "s3", "s4", "s5", "s6"}
	var ps []*partition.Partitioner
	for i, c := range clients {
		p, err := partition.New(c, path, shards, partition.WithID(fmt.Sprintf("worker-%d", i+1)),
			partition.WithTimeBoundary(200*time.Millisecond))
		if err != nil {
			return err
		}
		defer p.Close()
		if err := p.Start(ctx); err != nil {
			return err
		}
		ps = append(ps, p)
	}
	for _, p := range ps {
		a, err := settled(ctx, p, 3)
		if err != nil {
			return err
		}
		fmt.Printf("%s holds %v.\n", p.ID(), a.Partitions)
	}
	if err := ps[1].Close(); err != nil {
		return err
	}
	fmt.Println("worker-2 left.")
	a, err := settled(ctx, ps[0], 6)
	if err != nil {
		return err
	}
	fmt.Printf("%s holds %v.\n", ps[0].ID(), a.Partitions)
	return nil
}

// settled waits until p holds n partitions, releasing when asked to (as a
// worker does once it has stopped working on its shards).
func settled(ctx context.Context, p *partition.Partitioner, n int) (partition.Assignment, error) {
	for {
		a, err := p.Wait(ctx)
		if err != nil {
			return a, err
		}
		if a.Held.Err() == nil && len(a.Partitions) == n {
			return a, nil
		}
		select { // not the final split yet: wait for it to end
		case <-a.Held.Done():
		case <-ctx.Done():
			return a, ctx.Err()
		}
		if err := p.Release(ctx); err != nil {
			return a, err
		}
	}
}

// reap: after everyone left, the lock parents are removed.
func reap(ctx context.Context, c *zk.Client, locks string) error {
	children, _, err := c.Children(ctx, locks)
	if err != nil {
		return err
	}
	fmt.Printf("Lock parents left under %s: %d.\n", locks, len(children))
	r, err := reaper.NewChildReaper(c, locks, reaper.ReapUntilDelete, reaper.WithThreshold(300*time.Millisecond))
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.Start(ctx); err != nil {
		return err
	}
	for len(children) > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if children, _, err = c.Children(ctx, locks); err != nil {
			return err
		}
	}
	fmt.Println("The ChildReaper removed them once they had stayed empty.")
	return nil
}
