package discovery

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/zkcurator/zkcurator/recipes/cache"
)

// ServiceCache keeps the instances of one service in memory (Curator's
// ServiceCache), on a cache.ChildrenCache of the service's node.
type ServiceCache struct {
	name  string
	cache *cache.ChildrenCache
}

// NewServiceCache returns a cache of the instances of service name; Start
// fills it.
func (d *ServiceDiscovery) NewServiceCache(name string) (*ServiceCache, error) {
	if err := checkName("service name", name); err != nil {
		return nil, fmt.Errorf("discovery: new service cache: %w", err)
	}
	if err := d.checkOpen("new service cache"); err != nil {
		return nil, err
	}
	c, err := cache.NewChildren(d.client, d.PathForName(name))
	if err != nil {
		return nil, fmt.Errorf("discovery: new service cache %s: %w", name, err)
	}
	return &ServiceCache{name: name, cache: c}, nil
}

// Name returns the service name.
func (s *ServiceCache) Name() string { return s.name }

// Start fills the cache and follows the service; it returns once filled.
func (s *ServiceCache) Start(ctx context.Context) error {
	if err := s.cache.Start(ctx); err != nil {
		return fmt.Errorf("discovery: service cache %s: %w", s.name, err)
	}
	return nil
}

// Instances returns the cached instances, sorted by id (nodes whose data is
// not an instance are left out).
func (s *ServiceCache) Instances() []*ServiceInstance {
	var out []*ServiceInstance
	for _, n := range s.cache.All() {
		inst := new(ServiceInstance)
		if inst.UnmarshalJSON(n.Data) == nil {
			out = append(out, inst)
		}
	}
	slices.SortFunc(out, func(a, b *ServiceInstance) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Listen subscribes f to changes of the cached instances (Curator's
// ServiceCacheListener.cacheChanged): it is called after each instance
// added, changed or removed, on one goroutine of the cache.
func (s *ServiceCache) Listen(f func()) (unsubscribe func()) {
	return s.cache.Listen(func(ev cache.Event) {
		if ev.Type.IsNode() {
			f()
		}
	})
}

// Close stops the cache. Idempotent.
func (s *ServiceCache) Close() error { return s.cache.Close() }
