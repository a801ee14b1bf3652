package nodes

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/recipes/internal/lifecycle"
	"github.com/zkcurator/zkcurator/zk"
)

// Defaults of a TTLNode, as Curator's PersistentTtlNode.
const (
	// DefaultTouchName is the name of the child a TTLNode touches.
	DefaultTouchName = "touch"
	// DefaultTouchFactor: the child is touched every TTL / DefaultTouchFactor.
	DefaultTouchFactor = 2
)

// TTLNode is Curator's PersistentTtlNode: a persistent TTL node (kept like a
// PersistentNode) with a TTL child named "touch" that is set every TTL/2.
// A TTL node is deleted by the server once it has had no children for its
// TTL, and the child itself is a TTL node without children: while the owner
// lives the child is touched and stays, so the parent stays; once the owner
// stops (crash included), the child and then the parent go by themselves
// within about twice the TTL. Close stops touching and deletes nothing.
type TTLNode struct {
	node      *PersistentNode
	client    *zk.Client
	ttl       time.Duration
	childPath string

	mu     sync.Mutex
	life   lifecycle.State
	cancel context.CancelFunc
	done   chan struct{}
}

// NewTTLNode returns a TTLNode at path with the given TTL and data; Start
// creates it. The server must have TTL nodes enabled
// (zookeeper.extendedTypesEnabled). Options are those of PersistentNode
// except WithTTL and WithProtection (refused: a TTL node is neither
// protected nor sequential here, as in Curator).
func NewTTLNode(client *zk.Client, path string, ttl time.Duration, data []byte, opts ...Option) (*TTLNode, error) {
	if ttl <= 0 {
		return nil, fmt.Errorf("nodes: new TTL node %s: TTL %v must be positive: %w", path, ttl, zk.ErrInvalidArgument)
	}
	var probe config
	for _, o := range opts {
		if o != nil {
			o(&probe)
		}
	}
	if probe.ttl != 0 || probe.protected != nil {
		return nil, fmt.Errorf("nodes: new TTL node %s: WithTTL and WithProtection do not apply: %w", path, zk.ErrInvalidArgument)
	}
	opts = append(opts, WithTTL(ttl), func(c *config) { c.keepOnClose = true })
	n, err := NewPersistentNode(client, path, zk.ModePersistentTTL, data, opts...)
	if err != nil {
		return nil, err
	}
	return &TTLNode{node: n, client: client, ttl: ttl, childPath: path + "/" + DefaultTouchName}, nil
}

// Node returns the PersistentNode that keeps the TTL node (for ActualPath,
// Data and Listen).
func (t *TTLNode) Node() *PersistentNode { return t.node }

// Start creates the node and starts touching its child. It fails with
// ErrStarted the second time and zk.ErrClosed after Close.
func (t *TTLNode) Start() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.life == lifecycle.Closed {
		return fmt.Errorf("nodes: start %s: %w", t.node.path, zk.ErrClosed)
	}
	if err := t.node.Start(); err != nil {
		return err // ErrStarted the second time: the node was started
	}
	_ = t.life.Start(nil, nil) // New: Closed was checked, and the node started only now
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel, t.done = cancel, make(chan struct{})
	go t.touchLoop(ctx)
	return nil
}

// WaitForInitialCreate waits until the TTL node has been created.
func (t *TTLNode) WaitForInitialCreate(ctx context.Context) error {
	return t.node.WaitForInitialCreate(ctx)
}

// SetData changes the node's data (see PersistentNode.SetData).
func (t *TTLNode) SetData(ctx context.Context, data []byte) error { return t.node.SetData(ctx, data) }

// Close stops touching the child and stops keeping the node; the server
// deletes both once their TTL has passed. Idempotent.
func (t *TTLNode) Close() error {
	t.mu.Lock()
	was := t.life.Close()
	t.mu.Unlock()
	if was == lifecycle.Closed {
		return nil
	}
	if was == lifecycle.Started {
		t.cancel()
		<-t.done
	}
	return t.node.Close()
}

func (t *TTLNode) touchLoop(ctx context.Context) {
	defer close(t.done)
	tick := time.NewTicker(t.ttl / DefaultTouchFactor)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			t.touch(ctx)
		}
	}
}

// touch sets the child, creating it when missing (nothing if the parent is
// missing: the PersistentNode creates it again, and the next touch follows).
func (t *TTLNode) touch(ctx context.Context) {
	_, err := t.client.Set(ctx, t.childPath, nil, zk.AnyVersion)
	if errors.Is(err, zk.ErrNoNode) {
		_, _ = t.client.CreateOrSet(ctx, t.childPath, nil, zk.CreateOptions{Mode: zk.ModePersistentTTL, TTL: t.ttl})
	}
}
