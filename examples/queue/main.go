// Command queue shows zkcurator's distributed queues, in Curator's node
// layout so Java services using Curator share them: a work queue whose
// worker dies mid-job without losing it, a priority queue and a delay
// queue.
//
//	go run ./examples/queue                         # embedded test server, no ZooKeeper needed
//	go run ./examples/queue -servers 127.0.0.1:2181 # a real ensemble
package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zkcurator/zkcurator/examples/internal/program"
	"github.com/zkcurator/zkcurator/recipes/queue"
	"github.com/zkcurator/zkcurator/zk"
)

// about is what -h says the program shows.
const about = `Shows the queues of recipes/queue (Curator's DistributedQueue family):
a job queue with a lock path, where a worker whose session ends mid-job
leaves the job to another worker (at least once); a priority queue that
hands out the most urgent item first; and a delay queue whose item is not
handed out before its time. Without -servers it starts the embedded
ZooKeeper test server, so no ZooKeeper or Java is needed.`

func main() { program.Main("queue", about, run) }

// run is the whole program; each step is a function below.
func run(servers string) error {
	ctx, env, _, done, err := program.Setup(servers, 60*time.Second, 0)
	defer done()
	if err != nil {
		return err
	}
	base := program.Path("queue")
	connect := func() (*zk.Client, error) {
		return zk.Connect(ctx, env.Servers, zk.WithSessionTimeout(5*time.Second))
	}
	if err := jobs(ctx, connect, base); err != nil {
		return err
	}
	c, err := connect()
	if err != nil {
		return err
	}
	defer c.Close()
	if err := priorities(ctx, c, base); err != nil {
		return err
	}
	return delayed(ctx, c, base)
}

// jobs: a worker dies holding a job; another worker gets it.
func jobs(ctx context.Context, connect func() (*zk.Client, error), base string) error {
	path, locks := base+"/jobs", base+"/jobs-locks"
	producerClient, err := connect()
	if err != nil {
		return err
	}
	defer producerClient.Close()
	producer, err := queue.New(producerClient, path, queue.WithLockPath(locks))
	if err != nil {
		return err
	}
	defer producer.Close()
	if err := producer.Put(ctx, []byte("resize photo 17")); err != nil {
		return err
	}
	fmt.Println("Queued the job \"resize photo 17\".")

	doomedClient, err := connect()
	if err != nil {
		return err
	}
	doomed, err := queue.New(doomedClient, path, queue.WithLockPath(locks))
	if err != nil {
		return err
	}
	defer doomed.Close()
	err = doomed.ConsumeFunc(ctx, func(_ context.Context, job []byte) error {
		fmt.Printf("Worker 1 took %q and crashes: its client closes mid-job.\n", job)
		doomedClient.Close() // the session ends: its lock on the job goes
		return errors.New("crashed")
	})
	fmt.Println("Worker 1's consume ended:", err)

	workerClient, err := connect()
	if err != nil {
		return err
	}
	defer workerClient.Close()
	worker, err := queue.New(workerClient, path, queue.WithLockPath(locks))
	if err != nil {
		return err
	}
	defer worker.Close()
	return worker.ConsumeFunc(ctx, func(_ context.Context, job []byte) error {
		fmt.Printf("Worker 2 got %q: nothing was lost.\n", job)
		return nil
	})
}

// priorities: lower values first, whatever the order of the puts.
func priorities(ctx context.Context, c *zk.Client, base string) error {
	q, err := queue.NewPriority(c, base+"/tickets")
	if err != nil {
		return err
	}
	defer q.Close()
	for _, t := range []struct {
		what     string
		priority int32
	}{{"typo on the about page", 10}, {"checkout is down", -5}, {"slow search", 0}} {
		if err := q.Put(ctx, []byte(t.what), t.priority); err != nil {
			return err
		}
	}
	fmt.Print("Tickets by priority:")
	for range 3 {
		item, err := q.Consume(ctx)
		if err != nil {
			return err
		}
		fmt.Printf(" %q", item)
	}
	fmt.Println()
	return nil
}

// delayed: an item due in 300ms is not handed out before then.
func delayed(ctx context.Context, c *zk.Client, base string) error {
	q, err := queue.NewDelay(c, base+"/reminders")
	if err != nil {
		return err
	}
	defer q.Close()
	start := time.Now()
	if err := q.Put(ctx, []byte("send the weekly report"), start.Add(300*time.Millisecond)); err != nil {
		return err
	}
	item, err := q.Consume(ctx) // sleeps on a timer until the item is due
	if err != nil {
		return err
	}
	fmt.Printf("Reminder %q handed out after %v (due after 300ms).\n", item, time.Since(start).Round(10*time.Millisecond))
	return nil
}
