package harness

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zkcurator/zkcurator/recipes/atomic"
	"github.com/zkcurator/zkcurator/recipes/discovery"
	"github.com/zkcurator/zkcurator/recipes/queue"
	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/zk"
)

// RecipeRunner runs batches of one recipe's operation: the Go recipes here,
// Curator's in CuratorBench.
type RecipeRunner interface {
	// Run does n operations.
	Run(ctx context.Context, n int) error
	Close() error
}

// discoveryInstances is how many instances the discovery benchmark's
// service has (as in CuratorBench).
const discoveryInstances = 10

// StartGoRecipe starts the zkcurator side of recipe (one of
// CuratorRecipes) against addr with its nodes under path, set up as
// CuratorBench sets up Curator's.
func StartGoRecipe(ctx context.Context, recipe, addr, path string) (RecipeRunner, error) {
	c, err := zk.Connect(ctx, addr, zk.WithSessionTimeout(sessionTimeout))
	if err != nil {
		return nil, err
	}
	var r RecipeRunner
	switch recipe {
	case "atomic":
		r, err = newAtomicRunner(c, path)
	case "queue":
		r, err = newQueueRunner(c, path)
	case "discovery":
		r, err = newDiscoveryRunner(ctx, c, path)
	default:
		err = fmt.Errorf("harness: unknown recipe %q", recipe)
	}
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	return r, nil
}

// atomicRunner increments a DistributedAtomicLong.
type atomicRunner struct {
	c *zk.Client
	l *atomic.Long
}

func newAtomicRunner(c *zk.Client, path string) (*atomicRunner, error) {
	l, err := atomic.NewLong(c, path, retry.NTimes(10, 10*time.Millisecond))
	return &atomicRunner{c: c, l: l}, err
}

func (a *atomicRunner) Run(ctx context.Context, n int) error {
	for range n {
		r, err := a.l.Increment(ctx)
		if err != nil {
			return err
		}
		if !r.Succeeded {
			return errors.New("harness: increment gave up")
		}
	}
	return nil
}

func (a *atomicRunner) Close() error { return a.c.Close() }

// queueRunner puts n items on a DistributedQueue (no lock path) and waits
// until its background consumer has taken them all.
type queueRunner struct {
	c        *zk.Client
	q        *queue.Queue
	consumed chan struct{}
	item     []byte
}

func newQueueRunner(c *zk.Client, path string) (*queueRunner, error) {
	q, err := queue.New(c, path)
	if err != nil {
		return nil, err
	}
	r := &queueRunner{c: c, q: q, consumed: make(chan struct{}, 1024), item: make([]byte, 64)}
	err = q.Start(context.Background(), func(ctx context.Context, _ []byte) error {
		select {
		case r.consumed <- struct{}{}:
		case <-ctx.Done():
		}
		return nil
	})
	return r, err
}

func (r *queueRunner) Run(ctx context.Context, n int) error {
	for range n {
		if err := r.q.Put(ctx, r.item); err != nil {
			return err
		}
	}
	for range n {
		select {
		case <-r.consumed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (r *queueRunner) Close() error { return errors.Join(r.q.Close(), r.c.Close()) }

// discoveryRunner picks instances from a ServiceProvider's cache.
type discoveryRunner struct {
	c *zk.Client
	d *discovery.ServiceDiscovery
	p *discovery.ServiceProvider
}

func newDiscoveryRunner(ctx context.Context, c *zk.Client, path string) (*discoveryRunner, error) {
	d, err := discovery.New(c, path)
	if err != nil {
		return nil, err
	}
	for i := range discoveryInstances {
		inst := &discovery.ServiceInstance{Name: "svc", ID: fmt.Sprintf("go-%d", i),
			Address: fmt.Sprintf("10.0.0.%d", i), Port: discovery.Port(8080)}
		if err := d.Register(ctx, inst); err != nil {
			return nil, errors.Join(err, d.Close())
		}
	}
	p, err := d.NewServiceProvider("svc")
	if err == nil {
		err = p.Start(ctx)
	}
	for err == nil && len(p.AllInstances()) < discoveryInstances {
		select { // the cache fills from watch events
		case <-time.After(10 * time.Millisecond):
		case <-ctx.Done():
			err = ctx.Err()
		}
	}
	if err != nil {
		return nil, errors.Join(err, d.Close())
	}
	return &discoveryRunner{c: c, d: d, p: p}, nil
}

func (r *discoveryRunner) Run(_ context.Context, n int) error {
	for range n {
		if _, err := r.p.Instance(); err != nil {
			return err
		}
	}
	return nil
}

func (r *discoveryRunner) Close() error {
	return errors.Join(r.p.Close(), r.d.Close(), r.c.Close())
}

// curatorRunner adapts a Curator JVM to RecipeRunner; it remembers the
// bytes the JVM allocated in the last batch.
type curatorRunner struct {
	*Curator
	LastAllocated int64
}

func (r *curatorRunner) Run(ctx context.Context, n int) error {
	var err error
	r.LastAllocated, err = r.Curator.Run(ctx, n)
	return err
}

// StartCuratorRecipe is StartCurator as a RecipeRunner; JVMAllocated
// reports the bytes of its last batch.
func StartCuratorRecipe(ctx context.Context, recipe, addr, path string) (RecipeRunner, error) {
	c, err := StartCurator(ctx, recipe, addr, path)
	if err != nil {
		return nil, err
	}
	return &curatorRunner{Curator: c}, nil
}

// JVMAllocated returns the bytes the JVM's threads allocated during the
// last Run of a runner from StartCuratorRecipe, and false for others.
func JVMAllocated(r RecipeRunner) (int64, bool) {
	cr, ok := r.(*curatorRunner)
	if !ok {
		return 0, false
	}
	return cr.LastAllocated, true
}
