package discovery

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkcurator/zkcurator/zk"
)

// ErrNoInstances is returned by ServiceProvider.Instance when no usable
// instance is registered.
var ErrNoInstances = errors.New("discovery: no instances")

// Strategy picks one instance out of the usable ones (Curator's
// ProviderStrategy). instances is never empty, sorted by id, and shared:
// Pick must neither modify nor keep it (nor the instances in it), only
// return one of its elements. Implementations must be safe for concurrent
// use.
type Strategy interface {
	Pick(instances []*ServiceInstance) *ServiceInstance
}

// RoundRobin returns Curator's RoundRobinStrategy: each pick the next
// instance in id order.
func RoundRobin() Strategy { return &roundRobin{} }

type roundRobin struct{ n atomic.Uint64 }

func (r *roundRobin) Pick(instances []*ServiceInstance) *ServiceInstance {
	return instances[(r.n.Add(1)-1)%uint64(len(instances))]
}

// Random returns Curator's RandomStrategy.
func Random() Strategy { return randomStrategy{} }

type randomStrategy struct{}

func (randomStrategy) Pick(instances []*ServiceInstance) *ServiceInstance {
	return instances[rand.IntN(len(instances))]
}

// Sticky returns Curator's StickyStrategy: the instance picked first (by
// inner) is picked again for as long as it is usable.
func Sticky(inner Strategy) Strategy { return &sticky{inner: inner} }

type sticky struct {
	inner Strategy
	mu    sync.Mutex
	id    string
}

func (s *sticky) Pick(instances []*ServiceInstance) *ServiceInstance {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.id != "" {
		if i := slices.IndexFunc(instances, func(x *ServiceInstance) bool { return x.ID == s.id }); i >= 0 {
			return instances[i]
		}
	}
	inst := s.inner.Pick(instances)
	s.id = inst.ID
	return inst
}

// Curator's DownInstancePolicy defaults.
const (
	DefaultDownTimeout   = 30 * time.Second
	DefaultDownThreshold = 2
)

// ProviderOption configures a ServiceProvider.
type ProviderOption func(*providerConfig)

type providerConfig struct {
	strategy    Strategy
	downTimeout time.Duration
	threshold   int
	filters     []func(*ServiceInstance) bool
	invalid     error
}

// WithStrategy sets the strategy (default RoundRobin).
func WithStrategy(s Strategy) ProviderOption {
	return func(c *providerConfig) {
		if s == nil {
			c.invalid = errors.New("nil strategy")
		}
		c.strategy = s
	}
}

// WithDownInstancePolicy sets Curator's DownInstancePolicy: an instance
// with threshold NoteError calls is left out until timeout has passed since
// its last error (defaults 30s and 2).
func WithDownInstancePolicy(timeout time.Duration, threshold int) ProviderOption {
	return func(c *providerConfig) {
		if timeout <= 0 || threshold < 1 {
			c.invalid = fmt.Errorf("down instance policy %v/%d", timeout, threshold)
		}
		c.downTimeout, c.threshold = timeout, threshold
	}
}

// WithFilter adds a filter (Curator's InstanceFilter): only instances it
// accepts are picked. Disabled instances are always left out.
func WithFilter(accept func(*ServiceInstance) bool) ProviderOption {
	return func(c *providerConfig) {
		if accept == nil {
			c.invalid = errors.New("nil filter")
		}
		c.filters = append(c.filters, accept)
	}
}

// ServiceProvider picks an instance of one service (Curator's
// ServiceProvider), from a ServiceCache, with a Strategy, leaving out
// disabled instances, filtered ones and those reported down with NoteError.
//
// Lookups read the cache's snapshot and copy nothing: with no filter, no
// disabled instance and no instance noted down, Instance allocates
// nothing; otherwise the usable instances are gathered in a reused buffer
// and the filters run on every call, as Curator's do. The instances it
// returns are shared with the cache: do not modify them.
type ServiceProvider struct {
	cache *ServiceCache
	cfg   providerConfig

	mu      sync.Mutex
	down    map[string]downEntry
	downs   atomic.Int64 // len(down), read without mu by the fast path
	now     func() time.Time
	scratch sync.Pool // *[]*ServiceInstance: buffers for the usable instances
}

type downEntry struct {
	errors int
	last   time.Time
}

// NewServiceProvider returns a provider for service name; Start fills its
// cache. Invalid options fail with zk.ErrInvalidArgument.
func (d *ServiceDiscovery) NewServiceProvider(name string, opts ...ProviderOption) (*ServiceProvider, error) {
	cfg := providerConfig{strategy: RoundRobin(), downTimeout: DefaultDownTimeout, threshold: DefaultDownThreshold}
	for _, o := range opts {
		if o == nil {
			cfg.invalid = errors.New("nil option")
			continue
		}
		o(&cfg)
	}
	if cfg.invalid != nil {
		return nil, fmt.Errorf("discovery: new service provider %s: %w: %w", name, cfg.invalid, zk.ErrInvalidArgument)
	}
	c, err := d.NewServiceCache(name)
	if err != nil {
		return nil, err
	}
	p := &ServiceProvider{cache: c, cfg: cfg, down: map[string]downEntry{}, now: time.Now}
	p.scratch.New = func() any { return new([]*ServiceInstance) }
	return p, nil
}

// Start fills the provider's cache; it returns once filled.
func (p *ServiceProvider) Start(ctx context.Context) error { return p.cache.Start(ctx) }

// AllInstances returns every cached instance (usable or not), sorted by id;
// see ServiceCache.Instances (nil after Close).
func (p *ServiceProvider) AllInstances() []*ServiceInstance { return p.cache.Instances() }

// Instance picks a usable instance with the strategy; ErrNoInstances when
// there is none, zk.ErrClosed after Close. The instance is shared with the
// cache: do not modify it (Clone it to get a copy you may change).
func (p *ServiceProvider) Instance() (*ServiceInstance, error) {
	if p.cache.closed.Load() {
		return nil, fmt.Errorf("discovery: instance of %s: %w", p.cache.name, zk.ErrClosed)
	}
	sn := p.cache.snapshot()
	var inst *ServiceInstance
	if sn.allEnabled && len(p.cfg.filters) == 0 && p.downs.Load() == 0 {
		if len(sn.all) > 0 {
			inst = p.cfg.strategy.Pick(sn.all) // every instance is usable
		}
	} else {
		buf := p.scratch.Get().(*[]*ServiceInstance)
		usable := p.usable(sn.all, (*buf)[:0])
		if len(usable) > 0 {
			inst = p.cfg.strategy.Pick(usable)
		}
		clear(usable) // the pool must not keep instances alive
		*buf = usable[:0]
		p.scratch.Put(buf)
	}
	if inst == nil {
		return nil, fmt.Errorf("discovery: instance of %s: %w", p.cache.name, ErrNoInstances)
	}
	return inst, nil
}

// usable appends to buf the instances of all that are enabled, not down
// and accepted by every filter, and returns it.
func (p *ServiceProvider) usable(all, buf []*ServiceInstance) []*ServiceInstance {
	p.mu.Lock()
	if len(p.down) > 0 {
		now := p.now()
		for id, e := range p.down {
			if now.Sub(e.last) >= p.cfg.downTimeout {
				delete(p.down, id)
			}
		}
		p.downs.Store(int64(len(p.down)))
	}
	for _, inst := range all {
		if !inst.Disabled && p.down[inst.ID].errors < p.cfg.threshold {
			buf = append(buf, inst)
		}
	}
	p.mu.Unlock()
	// Filters are the caller's code: run them without holding mu.
	return slices.DeleteFunc(buf, func(inst *ServiceInstance) bool {
		for _, f := range p.cfg.filters {
			if !f(inst) {
				return true
			}
		}
		return false
	})
}

// NoteError reports that inst failed (Curator's noteError): after the
// threshold of errors it is left out until the down timeout has passed
// since its last error.
func (p *ServiceProvider) NoteError(inst *ServiceInstance) {
	if inst == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e := p.down[inst.ID]
	e.errors++
	e.last = p.now()
	p.down[inst.ID] = e
	p.downs.Store(int64(len(p.down)))
}

// Close stops the provider's cache. Idempotent.
func (p *ServiceProvider) Close() error { return p.cache.Close() }
