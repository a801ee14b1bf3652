// Command counter shows zkcurator's counters, in Curator's byte layout so
// Java services using Curator count on the same nodes: a
// DistributedAtomicLong incremented by several clients at once, and a
// SharedCount whose changes another client watches.
//
//	go run ./examples/counter                         # embedded test server, no ZooKeeper needed
//	go run ./examples/counter -servers 127.0.0.1:2181 # a real ensemble
package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/examples/internal/program"
	"github.com/zkcurator/zkcurator/recipes/atomic"
	"github.com/zkcurator/zkcurator/recipes/shared"
	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/zk"
)

// about is what -h says the program shows.
const about = `Shows the counters of recipes/atomic and recipes/shared: four clients
increment one DistributedAtomicLong 25 times each at the same time (the
total is exactly 100: optimistic compare-and-set, retried), then a
SharedCount is set by one client while another waits for the change.
Without -servers it starts the embedded ZooKeeper test server, so no
ZooKeeper or Java is needed.`

func main() { program.Main("counter", about, run) }

// run is the whole program; each step is a function below.
func run(servers string) error {
	ctx, _, clients, done, err := program.Setup(servers, 60*time.Second, 4)
	defer done()
	if err != nil {
		return err
	}
	base := program.Path("counter")
	if err := increments(ctx, clients, base+"/visits"); err != nil {
		return err
	}
	return sharedCount(ctx, clients[0], clients[1], base+"/replicas")
}

// increments: four clients, 25 increments each, exactly 100 in the end.
func increments(ctx context.Context, clients []*zk.Client, path string) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(clients))
	retries := make([]int, len(clients))
	for i, c := range clients {
		l, err := atomic.NewLong(c, path, retry.Forever(time.Millisecond))
		if err != nil {
			return err
		}
		wg.Go(func() {
			for range 25 {
				r, err := l.Increment(ctx)
				if err != nil {
					errs <- err
					return
				}
				retries[i] += r.Stats.OptimisticTries - 1
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	l, err := atomic.NewLong(clients[0], path, retry.OneTime(0))
	if err != nil {
		return err
	}
	r, err := l.Get(ctx)
	if err != nil {
		return err
	}
	total := 0
	for _, n := range retries {
		total += n
	}
	fmt.Printf("4 clients × 25 increments of %s: %d (%d compare-and-set retries along the way).\n", path, r.PreValue, total)
	return nil
}

// sharedCount: one client sets, another sees the change.
func sharedCount(ctx context.Context, writer, reader *zk.Client, path string) error {
	w, err := shared.NewCount(writer, path, 3)
	if err != nil {
		return err
	}
	defer w.Close()
	r, err := shared.NewCount(reader, path, 3)
	if err != nil {
		return err
	}
	defer r.Close()
	v, changed, err := r.GetW(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("Replicas: %d (the seed).\n", v)
	_, version, err := w.Get(ctx)
	if err != nil {
		return err
	}
	ok, err := w.TrySet(ctx, 5, version)
	if err != nil {
		return err
	}
	fmt.Printf("The writer set it to 5 if unchanged since version %d: %v.\n", version, ok)
	select {
	case <-changed:
	case <-ctx.Done():
		return ctx.Err()
	}
	v, _, err = r.Get(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("The reader saw the change: replicas = %d.\n", v)
	return nil
}
