package queue

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/zkcurator/zkcurator/zk"
)

// consumer is the consuming half Curator's queue variants share with
// Queue; each variant embeds it and adds its own Put.
type consumer struct{ q *Queue }

// Close ends the queue as Queue.Close does.
func (c consumer) Close() error { return c.q.Close() }

// Consume waits for the next item in the variant's order and returns it,
// removed from the queue (at most once), as Queue.Consume does.
func (c consumer) Consume(ctx context.Context) ([]byte, error) { return c.q.Consume(ctx) }

// ConsumeFunc waits for the next item node in the variant's order and
// calls fn with its items, as Queue.ConsumeFunc does (at least once with a
// lock path). A requeued node keeps its id, priority or due time.
func (c consumer) ConsumeFunc(ctx context.Context, fn func(ctx context.Context, item []byte) error) error {
	return c.q.ConsumeFunc(ctx, fn)
}

// All iterates over the items in the variant's order, waiting for new ones,
// as Queue.All does.
func (c consumer) All(ctx context.Context) iter.Seq2[[]byte, error] { return c.q.All(ctx) }

// Start runs a background consumer, as Queue.Start does.
func (c consumer) Start(ctx context.Context, fn func(ctx context.Context, item []byte) error) error {
	return c.q.Start(ctx, fn)
}

// newVariant is New with a variant's layout.
func newVariant(c *zk.Client, path string, l layout, opts []Option) (consumer, error) {
	q, err := New(c, path, opts...)
	if err != nil {
		return consumer{}, err
	}
	q.layout = l
	return consumer{q}, nil
}

// IDQueue is Curator's DistributedIdQueue: a Queue whose items carry an id,
// so that queued items can be found and removed by id. Item nodes are named
// "queue-|<id>|<seq>" ('/' and '|' in the id replaced by '_', as Curator
// does) and consumed in sequence order, so Curator's DistributedIdQueue on
// the same path shares them. Delivery guarantees are Queue's.
type IDQueue struct{ consumer }

// NewID returns the id queue at path; it fails as New does.
func NewID(c *zk.Client, path string, opts ...Option) (*IDQueue, error) {
	b, err := newVariant(c, path, byID, opts)
	if err != nil {
		return nil, err
	}
	return &IDQueue{b}, nil
}

// Put appends item under id. Ids need not be unique. An empty id fails
// with zk.ErrInvalidArgument.
func (q *IDQueue) Put(ctx context.Context, item []byte, id string) error {
	if id == "" {
		return fmt.Errorf("queue: put %s: empty id: %w", q.q.path, zk.ErrInvalidArgument)
	}
	return q.q.put(ctx, "put", idName(id), [][]byte{item})
}

// Remove removes the queued items with id that no consumer holds, and
// returns how many it removed (Curator's remove). With a lock path each
// node is locked before it is deleted, so an item being processed is left
// to its consumer.
func (q *IDQueue) Remove(ctx context.Context, id string) (int, error) {
	names, err := q.withID(ctx, "remove", id)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		cl, err := q.q.tryClaim(ctx, name)
		switch {
		case errors.Is(err, ErrCorrupt):
			n++ // removed by tryClaim, as Curator drops it
		case errors.Is(err, errLocked) || (err == nil && cl == nil):
			// held by a consumer, or gone meanwhile
		case err != nil:
			return n, fmt.Errorf("queue: remove %s %q: %w", q.q.path, id, err)
		default:
			cl.finish(ctx, true, false)
			n++
		}
	}
	return n, nil
}

// Contains reports whether an item with id is queued (or being processed
// by a lock-path consumer).
func (q *IDQueue) Contains(ctx context.Context, id string) (bool, error) {
	names, err := q.withID(ctx, "contains", id)
	return len(names) > 0, err
}

// withID lists the item nodes with id.
func (q *IDQueue) withID(ctx context.Context, op, id string) ([]string, error) {
	if err := q.q.check(op); err != nil {
		return nil, err
	}
	if id == "" {
		return nil, fmt.Errorf("queue: %s %s: empty id: %w", op, q.q.path, zk.ErrInvalidArgument)
	}
	children, _, err := q.q.c.Children(ctx, q.q.path)
	if errors.Is(err, zk.ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("queue: %s %s %q: %w", op, q.q.path, id, err)
	}
	want := strings.TrimSuffix(strings.TrimPrefix(idName(id), itemPrefix+idSeparator), idSeparator)
	var names []string
	for _, name := range children {
		if got, _ := parseID(name); strings.HasPrefix(name, itemPrefix) && got == want {
			names = append(names, name)
		}
	}
	return names, nil
}

// PriorityQueue is Curator's DistributedPriorityQueue: a Queue whose items
// are consumed lowest priority value first, then in put order. The
// priority is in the node name as Curator writes it ("queue-" + "0" for a
// negative priority, "1" otherwise + 8 hex digits + sequence), so Curator's
// DistributedPriorityQueue on the same path orders items as this does.
// Delivery guarantees are Queue's. As in Curator, the order is decided
// when a consumer lists the queue: an urgent item put while a consumer
// works through a list waits for the next listing.
type PriorityQueue struct{ consumer }

// NewPriority returns the priority queue at path; it fails as New does.
func NewPriority(c *zk.Client, path string, opts ...Option) (*PriorityQueue, error) {
	b, err := newVariant(c, path, fifo, opts)
	if err != nil {
		return nil, err
	}
	return &PriorityQueue{b}, nil
}

// Put appends item with priority (lower values are consumed first).
func (q *PriorityQueue) Put(ctx context.Context, item []byte, priority int32) error {
	return q.q.put(ctx, "put", priorityName(priority), [][]byte{item})
}

// PutMulti appends items as one node with priority, consumed together.
// It fails with zk.ErrInvalidArgument when items is empty.
func (q *PriorityQueue) PutMulti(ctx context.Context, items [][]byte, priority int32) error {
	if len(items) == 0 {
		return fmt.Errorf("queue: put multi %s: no items: %w", q.q.path, zk.ErrInvalidArgument)
	}
	return q.q.put(ctx, "put multi", priorityName(priority), items)
}

// DelayQueue is Curator's DistributedDelayQueue: each item carries a time
// before which no consumer gets it; due items are consumed earliest first.
// The time is in the node name as Curator writes it ("queue-|<Unix
// milliseconds in hex>|<seq>"), so Curator's DistributedDelayQueue on the
// same path shares the items. A waiting consumer sleeps on a timer until
// the earliest item is due (or the queue changes); it does not poll. Due
// times are compared with this machine's clock, as Curator does. Delivery
// guarantees are Queue's.
type DelayQueue struct{ consumer }

// NewDelay returns the delay queue at path; it fails as New does.
func NewDelay(c *zk.Client, path string, opts ...Option) (*DelayQueue, error) {
	b, err := newVariant(c, path, byDelay, opts)
	if err != nil {
		return nil, err
	}
	return &DelayQueue{b}, nil
}

// Put appends item, to be consumed no earlier than until. A time not after
// the Unix epoch fails with zk.ErrInvalidArgument (Curator's check).
func (q *DelayQueue) Put(ctx context.Context, item []byte, until time.Time) error {
	return q.PutMulti(ctx, [][]byte{item}, until)
}

// PutMulti appends items as one node to be consumed together no earlier
// than until. It fails with zk.ErrInvalidArgument when items is empty or
// until is not after the Unix epoch.
func (q *DelayQueue) PutMulti(ctx context.Context, items [][]byte, until time.Time) error {
	if len(items) == 0 {
		return fmt.Errorf("queue: put multi %s: no items: %w", q.q.path, zk.ErrInvalidArgument)
	}
	if until.UnixMilli() <= 0 {
		return fmt.Errorf("queue: put %s: time %v not after the epoch: %w", q.q.path, until, zk.ErrInvalidArgument)
	}
	return q.q.put(ctx, "put", delayName(until), items)
}
