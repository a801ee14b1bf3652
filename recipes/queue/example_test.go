package queue_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/recipes/queue"
	"github.com/zkcurator/zkcurator/zk"
)

// A work queue: a producer offers jobs, a worker takes them in order.
func ExampleSimpleQueue() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	q, err := queue.NewSimple(c, "/jobs")
	if err != nil {
		log.Fatal(err)
	}
	for _, job := range []string{"resize", "upload"} {
		if err := q.Offer(ctx, []byte(job)); err != nil {
			log.Fatal(err)
		}
	}
	for range 2 {
		job, err := q.Take(ctx) // waits for a job
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("took", string(job))
	}
	if _, err := q.Poll(ctx); errors.Is(err, queue.ErrEmpty) {
		fmt.Println("empty")
	}
	// Output:
	// took resize
	// took upload
	// empty
}

// An at-least-once consumer: with a lock path, an item is removed only
// after the loop body has processed it, so a worker that dies mid-item
// leaves it to another worker.
func ExampleQueue_All() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	q, err := queue.New(c, "/events", queue.WithLockPath("/events-locks"))
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	if err := q.Put(ctx, []byte("created")); err != nil {
		log.Fatal(err)
	}
	if err := q.PutMulti(ctx, [][]byte{[]byte("updated"), []byte("deleted")}); err != nil {
		log.Fatal(err)
	}
	n := 0
	for item, err := range q.All(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("processed", string(item))
		if n++; n == 3 {
			break
		}
	}
	// Output:
	// processed created
	// processed updated
	// processed deleted
}

// A consumer function: an error puts the item back at the end of the
// queue (with a lock path), to be tried again.
func ExampleQueue_ConsumeFunc() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	q, err := queue.New(c, "/mail", queue.WithLockPath("/mail-locks"))
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	if err := q.Put(ctx, []byte("hello")); err != nil {
		log.Fatal(err)
	}
	attempts := 0
	send := func(_ context.Context, msg []byte) error {
		attempts++
		if attempts == 1 {
			return fmt.Errorf("smtp unavailable")
		}
		fmt.Printf("sent %q on attempt %d\n", msg, attempts)
		return nil
	}
	for {
		if err := q.ConsumeFunc(ctx, send); err == nil {
			break
		}
	}
	// Output: sent "hello" on attempt 2
}

// Urgent work first: lower priority values are consumed first, whichever
// order they were put in.
func ExamplePriorityQueue() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	q, err := queue.NewPriority(c, "/tickets", queue.WithLockPath("/tickets-locks"))
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	for _, t := range []struct {
		name     string
		priority int32
	}{{"typo", 10}, {"outage", -5}, {"question", 0}} {
		if err := q.Put(ctx, []byte(t.name), t.priority); err != nil {
			log.Fatal(err)
		}
	}
	for range 3 {
		item, err := q.Consume(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(string(item))
	}
	// Output:
	// outage
	// question
	// typo
}

// A reminder delivered no earlier than its time; the consumer sleeps until
// then.
func ExampleDelayQueue() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	q, err := queue.NewDelay(c, "/reminders")
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	due := time.Now().Add(200 * time.Millisecond)
	if err := q.Put(ctx, []byte("stand up"), due); err != nil {
		log.Fatal(err)
	}
	if err := q.Put(ctx, []byte("already due"), time.Now()); err != nil {
		log.Fatal(err)
	}
	for range 2 {
		item, err := q.Consume(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(string(item))
	}
	fmt.Println("not before its time:", !time.Now().Before(due.Truncate(time.Millisecond)))
	// Output:
	// already due
	// stand up
	// not before its time: true
}

// Jobs tracked by id can be withdrawn before a worker takes them.
func ExampleIDQueue_Remove() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	q, err := queue.NewID(c, "/exports")
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	for _, id := range []string{"order-1", "order-2"} {
		if err := q.Put(ctx, []byte("export "+id), id); err != nil {
			log.Fatal(err)
		}
	}
	n, err := q.Remove(ctx, "order-1") // the customer cancelled
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("removed", n)
	item, err := q.Consume(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(item))
	// Output:
	// removed 1
	// export order-2
}

// A queue spread over shards: the leader adds a shard once one holds the
// threshold of items.
func ExampleSharder() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	s, err := queue.NewSharder(c, "/events", "/events-leader",
		func(c *zk.Client, path string) (*queue.Queue, error) { return queue.New(c, path) },
		queue.WithShardThreshold(3), queue.WithShardCheckInterval(50*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	if err := s.Start(ctx); err != nil {
		log.Fatal(err)
	}
	for i := range 3 {
		q, err := s.Queue()
		if err != nil {
			log.Fatal(err)
		}
		if err := q.Put(ctx, fmt.Appendf(nil, "event %d", i)); err != nil {
			log.Fatal(err)
		}
	}
	for len(s.ShardPaths()) < 2 { // the leader's next check adds one
		select {
		case <-ctx.Done():
			log.Fatal(ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	fmt.Println("shards:", len(s.ShardPaths()))
	// Output: shards: 2
}
