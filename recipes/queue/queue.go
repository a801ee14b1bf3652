package queue

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"

	"github.com/zkcurator/zkcurator/recipes/internal/lifecycle"
	"github.com/zkcurator/zkcurator/zk"
)

// itemPrefix is the name prefix of Curator's DistributedQueue item nodes.
const itemPrefix = "queue-"

// Queue is Curator's DistributedQueue (QueueBuilder's basic queue) with
// byte-slice items: Put and PutMulti store one persistent-sequential node
// "queue-<seq>" each, in Curator's ItemSerializer framing; consumers take
// nodes in sequence order. See the package documentation for the delivery
// guarantees with and without a lock path.
//
// A Queue is safe for concurrent use. Close ends it: calls in progress
// return and later calls fail with zk.ErrClosed.
type Queue struct {
	c        *zk.Client
	path     string
	lockPath string // "" without lock safety
	layout   layout // the variant's node names, order and due times

	mu      sync.Mutex
	life    lifecycle.State // Start and Close
	ensured bool
	buf     [][]byte // items of a removed node not yet returned by Consume
	listed  []string // item nodes of the last listing not yet tried, in order
	done    chan struct{}

	running sync.WaitGroup // Start's consumer goroutines
}

// New returns the queue at path. It fails on a nil client
// (zk.ErrInvalidArgument), an invalid path (zk.ErrInvalidPath) or an
// invalid option. The queue node (and the lock node) is created, with
// parents as containers, on first use.
func New(c *zk.Client, path string, opts ...Option) (*Queue, error) {
	if c == nil {
		return nil, fmt.Errorf("queue: new queue: nil client: %w", zk.ErrInvalidArgument)
	}
	if err := zk.ValidatePath(path, false); err != nil {
		return nil, fmt.Errorf("queue: new queue %q: %w", path, err)
	}
	var o options
	for _, opt := range opts {
		if opt == nil {
			return nil, fmt.Errorf("queue: new queue %q: nil option: %w", path, zk.ErrInvalidArgument)
		}
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("queue: new queue %q: %w", path, err)
		}
	}
	return &Queue{c: c, path: path, lockPath: o.lockPath, layout: fifo, done: make(chan struct{})}, nil
}

// Close ends the queue: calls waiting for an item return zk.ErrClosed, and
// so does every later call. It stops the consumer of Start, cancelling the
// context its function gets, and waits for it to return. Items a Consume had removed but not yet
// returned are dropped. Close does not close the Client. It is idempotent.
func (q *Queue) Close() error {
	q.mu.Lock()
	if q.life.Close() != lifecycle.Closed {
		q.buf, q.listed = nil, nil
		close(q.done)
	}
	q.mu.Unlock()
	q.running.Wait() // Start's consumer, if any, has returned
	return nil
}

// check returns zk.ErrClosed (wrapped with op) after Close.
func (q *Queue) check(op string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.life == lifecycle.Closed {
		return fmt.Errorf("queue: %s %s: %w", op, q.path, zk.ErrClosed)
	}
	return nil
}

// Put appends one item.
func (q *Queue) Put(ctx context.Context, item []byte) error {
	return q.put(ctx, "put", itemPrefix, [][]byte{item})
}

// PutMulti appends items as one node, so consumers get them together and
// in order (Curator's putMulti). It fails with zk.ErrInvalidArgument when
// items is empty.
func (q *Queue) PutMulti(ctx context.Context, items [][]byte) error {
	if len(items) == 0 {
		return fmt.Errorf("queue: put multi %s: no items: %w", q.path, zk.ErrInvalidArgument)
	}
	return q.put(ctx, "put multi", itemPrefix, items)
}

// put stores items as one persistent-sequential node named name<seq>.
func (q *Queue) put(ctx context.Context, op, name string, items [][]byte) error {
	if err := q.check(op); err != nil {
		return err
	}
	if err := q.ensure(ctx); err != nil {
		return fmt.Errorf("queue: %s %s: %w", op, q.path, err)
	}
	create := func() error {
		_, _, err := q.c.CreateWith(ctx, zk.JoinPath(q.path, name), encodeItems(items),
			zk.CreateOptions{Mode: zk.ModePersistentSequential})
		return err
	}
	err := create()
	if errors.Is(err, zk.ErrNoNode) {
		// The queue node was deleted since it was made: make it again (as
		// Curator's put does), instead of failing every put from now on.
		q.mu.Lock()
		q.ensured = false
		q.mu.Unlock()
		if err = q.ensure(ctx); err == nil {
			err = create()
		}
	}
	if err != nil {
		return fmt.Errorf("queue: %s %s: %w", op, q.path, err)
	}
	return nil
}

// ensure creates the queue node and the lock node once, as Curator's
// DistributedQueue.start does: persistent, parents as containers.
func (q *Queue) ensure(ctx context.Context) error {
	q.mu.Lock()
	ok := q.ensured
	q.mu.Unlock()
	if ok {
		return nil
	}
	for _, p := range []string{q.path, q.lockPath} {
		if p == "" {
			continue
		}
		_, _, err := q.c.CreateWith(ctx, p, nil, zk.CreateOptions{
			Mode: zk.ModePersistent, CreateParentContainers: true})
		if err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return err
		}
	}
	q.mu.Lock()
	q.ensured = true
	q.mu.Unlock()
	return nil
}

// ConsumeFunc waits for the next item node, calls fn with each of its items
// in order and removes the node. With a lock path the node is locked while
// fn runs and removed only after fn returned nil for every item; when fn
// returns an error the node is put back at the end of the queue (Curator's
// ErrorMode.REQUEUE) and the error is returned. Without a lock path the
// node is removed before fn is called, so an fn error loses the node's
// remaining items. A panic in fn leaves the item in the queue (lock path)
// and propagates.
func (q *Queue) ConsumeFunc(ctx context.Context, fn func(ctx context.Context, item []byte) error) error {
	if fn == nil {
		return fmt.Errorf("queue: consume %s: nil func: %w", q.path, zk.ErrInvalidArgument)
	}
	cl, err := q.claim(ctx, "consume", true)
	if err != nil {
		return err
	}
	returned, failed := false, false // a panic in fn leaves both false
	defer func() { cl.finish(ctx, returned && !failed, failed) }()
	for _, it := range cl.items {
		if err := fn(ctx, it); err != nil {
			returned, failed = true, true
			return fmt.Errorf("queue: consume %s: %w", cl.itemPath, err)
		}
	}
	returned = true
	return nil
}

// Consume waits for the next item and returns it, removed from the queue:
// the item is handed over at most once, even with a lock path (use
// ConsumeFunc or All for at-least-once processing). The other items of a
// node put by PutMulti are kept by this Queue for the next Consume calls.
func (q *Queue) Consume(ctx context.Context) ([]byte, error) {
	q.mu.Lock()
	if q.life != lifecycle.Closed && len(q.buf) > 0 {
		it := q.buf[0]
		q.buf = q.buf[1:]
		q.mu.Unlock()
		return it, nil
	}
	q.mu.Unlock()
	cl, err := q.claim(ctx, "consume", true)
	if err != nil {
		return nil, err
	}
	cl.finish(ctx, true, false)
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.life == lifecycle.Closed {
		return nil, fmt.Errorf("queue: consume %s: %w", q.path, zk.ErrClosed)
	}
	q.buf = append(q.buf, cl.items[1:]...)
	return cl.items[0], nil
}

// All returns an iterator over the queue's items that waits for new ones
// until ctx ends or the Queue is closed; then it yields that error once and
// stops. With a lock path each item node stays locked while the loop body
// runs for its items and is removed once the body has returned for all of
// them (at least once); breaking out of the loop counts the current item
// as processed and removes its node. A panic in the body leaves the node in
// the queue. Without a lock path each node is removed before its items are
// yielded (at most once). A corrupt node (ErrCorrupt) is yielded as an
// error and the iteration goes on; any other error (the end of ctx, Close,
// a lost session) is yielded and ends it.
func (q *Queue) All(ctx context.Context) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		for {
			cl, err := q.claim(ctx, "consume", true)
			if err != nil {
				if !yield(nil, err) || !errors.Is(err, ErrCorrupt) {
					return
				}
				continue
			}
			if !q.yieldNode(ctx, cl, yield) {
				return
			}
		}
	}
}

// yieldNode yields a claimed node's items and finishes it; it reports
// whether the loop goes on.
func (q *Queue) yieldNode(ctx context.Context, cl *claimed, yield func([]byte, error) bool) bool {
	completed := false
	defer func() { cl.finish(ctx, completed, false) }()
	for _, it := range cl.items {
		if !yield(it, nil) {
			completed = true
			return false
		}
	}
	completed = true
	return true
}
