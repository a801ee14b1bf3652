// Package shared holds values shared through a znode, wire compatible with
// Apache Curator's recipes.shared package.
package shared

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/zk"
)

// ErrBadCount is returned when a count node does not hold a 4-byte value.
var ErrBadCount = errors.New("shared: count node does not hold a 4-byte integer")

// Count is an integer stored in a znode, as Curator's SharedCount: four bytes,
// big-endian. Every process using the same path sees the same count. A
// Semaphore can take its maximum from a Count (lock.NewSemaphoreCount).
//
// Listen follows the count's changes (Curator's SharedCountListener) on a
// goroutine that Close ends. After Close every method fails with an error
// matching zk.ErrClosed; Close is idempotent. Make a Count with NewCount:
// the methods of a zero Count fail with an invalid-argument error. A Count
// is safe for concurrent use.
type Count struct {
	client *zk.Client
	path   string
	seed   int32

	mu        sync.Mutex
	closed    bool
	follow    *follower // nil until the first Listen
	done      chan struct{}
	closeOnce sync.Once
}

// NewCount returns the count stored at path; seed is the value the node is
// created with when it does not exist yet. It does not talk to ZooKeeper.
// It fails on a nil client (ErrInvalidArgument) or an invalid path
// (zk.ErrInvalidPath).
func NewCount(client *zk.Client, path string, seed int32) (*Count, error) {
	if err := seqnode.CheckArgs(client, path); err != nil {
		return nil, fmt.Errorf("shared: new count %s: %w", path, err)
	}
	return &Count{client: client, path: path, seed: seed, done: make(chan struct{})}, nil
}

// errNotMade is returned by the methods of a Count not made by NewCount.
var errNotMade = seqnode.Invalid("shared: Count not made by NewCount")

// usable returns nil when the Count can be used: made by NewCount and not
// closed.
func (c *Count) usable() error {
	if c == nil || c.done == nil {
		return errNotMade
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return fmt.Errorf("shared: count %s: %w", c.path, zk.ErrClosed)
	}
	return nil
}

// Close stops following the count (Listen's goroutine ends, listeners are
// told nothing more). It is idempotent: it returns nil when called again.
// The node is left as it is.
func (c *Count) Close() error {
	if c == nil || c.done == nil {
		return errNotMade
	}
	c.mu.Lock()
	c.closed = true
	f := c.follow
	c.mu.Unlock()
	c.closeOnce.Do(func() { close(c.done) })
	if f != nil {
		f.stop()
	}
	return nil
}

// Path returns the count node's path.
func (c *Count) Path() string { return c.path }

// Encode returns the bytes Curator stores for v.
func Encode(v int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

// Decode reads a count node's data.
func Decode(b []byte) (int32, error) {
	if len(b) != 4 {
		return 0, fmt.Errorf("%w (%d bytes)", ErrBadCount, len(b))
	}
	return int32(binary.BigEndian.Uint32(b)), nil
}

// ensure creates the node with the seed (and its parents) if missing.
func (c *Count) ensure(ctx context.Context) error {
	_, _, err := c.client.CreateWith(ctx, c.path, Encode(c.seed), zk.CreateOptions{CreateParentContainers: true})
	if err != nil && !errors.Is(err, zk.ErrNodeExists) {
		return err
	}
	return nil
}

// Get returns the count and the node's version, creating the node with the
// seed first if it does not exist.
func (c *Count) Get(ctx context.Context) (value, version int32, err error) {
	if err := c.usable(); err != nil {
		return 0, 0, err
	}
	v, st, _, err := c.get(ctx, false)
	if err != nil {
		return 0, 0, err
	}
	return v, st.Version, nil
}

// GetW is Get that also returns a channel receiving one event when the
// count changes (or the node is deleted).
func (c *Count) GetW(ctx context.Context) (value int32, changed <-chan zk.Event, err error) {
	if err := c.usable(); err != nil {
		return 0, nil, err
	}
	v, _, ch, err := c.get(ctx, true)
	return v, ch, err
}

func (c *Count) get(ctx context.Context, watch bool) (int32, *zk.Stat, <-chan zk.Event, error) {
	for {
		var (
			data []byte
			st   *zk.Stat
			ch   <-chan zk.Event
			err  error
		)
		if watch {
			data, st, ch, err = c.client.GetW(ctx, c.path)
		} else {
			data, st, err = c.client.Get(ctx, c.path)
		}
		if errors.Is(err, zk.ErrNoNode) {
			if err := c.ensure(ctx); err != nil {
				return 0, nil, nil, err
			}
			continue
		}
		if err != nil {
			return 0, nil, nil, err
		}
		v, err := Decode(data)
		if err != nil {
			return 0, nil, nil, fmt.Errorf("shared: count %s: %w", c.path, err)
		}
		return v, st, ch, nil
	}
}

// Set stores v unconditionally.
func (c *Count) Set(ctx context.Context, v int32) error {
	if err := c.usable(); err != nil {
		return err
	}
	for {
		_, err := c.client.Set(ctx, c.path, Encode(v), -1)
		if errors.Is(err, zk.ErrNoNode) {
			if err := c.ensure(ctx); err != nil {
				return err
			}
			continue
		}
		return err
	}
}

// TrySet stores v only if the node is still at version (from Get); ok is
// false when another process changed the count first.
func (c *Count) TrySet(ctx context.Context, v, version int32) (ok bool, err error) {
	if err := c.usable(); err != nil {
		return false, err
	}
	_, err = c.client.Set(ctx, c.path, Encode(v), version)
	if errors.Is(err, zk.ErrBadVersion) {
		return false, nil
	}
	return err == nil, err
}
