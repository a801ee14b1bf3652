package queue

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/zkcurator/zkcurator/zk"
)

// simplePrefix is the name prefix of SimpleDistributedQueue's item nodes.
const simplePrefix = "qn-"

// SimpleQueue is Curator's SimpleDistributedQueue: each item is one
// persistent-sequential node "qn-<seq>" under the queue path, and items
// are taken in sequence order. A take reads the head node and deletes it;
// when another consumer deleted it first, it moves on to the next node, so
// concurrent consumers never get the same item. A take whose delete reply
// is lost to a connection loss may drop that item (at most once).
//
// SimpleQueue holds no resources beyond its Client and has no Close; it is
// safe for concurrent use.
type SimpleQueue struct {
	c    *zk.Client
	path string
}

// NewSimple returns the simple queue at path. It fails on a nil client
// (zk.ErrInvalidArgument) or an invalid path (zk.ErrInvalidPath). The path
// and its parents are created as containers on first use.
func NewSimple(c *zk.Client, path string) (*SimpleQueue, error) {
	if c == nil {
		return nil, fmt.Errorf("queue: new simple queue: nil client: %w", zk.ErrInvalidArgument)
	}
	if err := zk.ValidatePath(path, false); err != nil {
		return nil, fmt.Errorf("queue: new simple queue %q: %w", path, err)
	}
	return &SimpleQueue{c: c, path: path}, nil
}

// Offer appends data to the queue.
func (q *SimpleQueue) Offer(ctx context.Context, data []byte) error {
	_, _, err := q.c.CreateWith(ctx, zk.JoinPath(q.path, simplePrefix), data, zk.CreateOptions{
		Mode:                   zk.ModePersistentSequential,
		CreateParentContainers: true,
	})
	if err != nil {
		return fmt.Errorf("queue: offer %s: %w", q.path, err)
	}
	return nil
}

// Take removes and returns the head of the queue, waiting until there is
// one or ctx ends.
func (q *SimpleQueue) Take(ctx context.Context) ([]byte, error) {
	for {
		data, ch, err := q.element(ctx, true, true)
		if err == nil {
			return data, nil
		}
		if !errors.Is(err, ErrEmpty) {
			return nil, fmt.Errorf("queue: take %s: %w", q.path, err)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("queue: take %s: %w", q.path, ctx.Err())
		}
	}
}

// Poll removes and returns the head of the queue without waiting; it
// returns ErrEmpty when there is none.
func (q *SimpleQueue) Poll(ctx context.Context) ([]byte, error) {
	data, _, err := q.element(ctx, true, false)
	if err != nil {
		return nil, fmt.Errorf("queue: poll %s: %w", q.path, err)
	}
	return data, nil
}

// Peek returns the head of the queue without removing it; it returns
// ErrEmpty when there is none.
func (q *SimpleQueue) Peek(ctx context.Context) ([]byte, error) {
	data, _, err := q.element(ctx, false, false)
	if err != nil {
		return nil, fmt.Errorf("queue: peek %s: %w", q.path, err)
	}
	return data, nil
}

// element reads (and with remove, deletes) the first item node. With
// watch, an empty queue also returns a channel that fires when the
// children change.
func (q *SimpleQueue) element(ctx context.Context, remove, watch bool) ([]byte, <-chan zk.Event, error) {
	var (
		names []string
		ch    <-chan zk.Event
		err   error
	)
	if watch {
		if err = q.c.EnsureContainers(ctx, q.path); err != nil {
			return nil, nil, err
		}
		names, _, ch, err = q.c.ChildrenW(ctx, q.path)
	} else {
		names, _, err = q.c.Children(ctx, q.path)
	}
	if errors.Is(err, zk.ErrNoNode) {
		if watch {
			// The container lapsed between EnsureContainers and ChildrenW:
			// wake at once to create it again, as Curator does.
			return nil, closedEvents, ErrEmpty
		}
		return nil, nil, ErrEmpty
	}
	if err != nil {
		return nil, nil, err
	}
	slices.Sort(names) // equal prefixes, zero-padded sequence: name order is queue order
	for _, name := range names {
		if !strings.HasPrefix(name, simplePrefix) {
			continue // a foreign node, as Curator skips it
		}
		p := zk.JoinPath(q.path, name)
		data, _, err := q.c.Get(ctx, p)
		if errors.Is(err, zk.ErrNoNode) {
			continue // another consumer took it
		}
		if err != nil {
			return nil, nil, err
		}
		if remove {
			err = q.c.Delete(ctx, p, zk.AnyVersion)
			if errors.Is(err, zk.ErrNoNode) {
				continue // lost the race: try the next one
			}
			if err != nil {
				return nil, nil, err
			}
		}
		return data, nil, nil
	}
	return nil, ch, ErrEmpty
}

// closedEvents is a closed event channel: a wait on it ends at once.
var closedEvents = func() chan zk.Event {
	ch := make(chan zk.Event)
	close(ch)
	return ch
}()
