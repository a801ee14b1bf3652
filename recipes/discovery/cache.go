package discovery

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/zkcurator/zkcurator/recipes/cache"
)

// ServiceCache keeps the instances of one service in memory (Curator's
// ServiceCache), on a cache.ChildrenCache of the service's node.
type ServiceCache struct {
	name  string
	cache *cache.ChildrenCache

	mu      sync.Mutex
	decoded map[string]decoded // by node path: instances decoded once per node version
	gen     uint64             // Instances calls, to drop entries of deleted nodes
}

// decoded is a node's instance as decoded at one version of the node.
type decoded struct {
	mzxid int64
	inst  *ServiceInstance // nil: the data is not an instance
	gen   uint64
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
	return &ServiceCache{name: name, cache: c, decoded: map[string]decoded{}}, nil
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
// not an instance are left out). Each call returns new copies, which the
// caller may modify; a node's JSON is decoded once per version of the node.
func (s *ServiceCache) Instances() []*ServiceInstance {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	var out []*ServiceInstance
	for path, n := range s.cache.All() {
		d, hit := s.decoded[path]
		if !hit || d.mzxid != n.Stat.Mzxid {
			d = decoded{mzxid: n.Stat.Mzxid, inst: new(ServiceInstance)}
			if d.inst.UnmarshalJSON(n.Data) != nil {
				d.inst = nil
			}
		}
		d.gen = s.gen
		s.decoded[path] = d
		if d.inst != nil {
			c := *d.inst
			out = append(out, &c)
		}
	}
	if len(s.decoded) > len(out) {
		maps.DeleteFunc(s.decoded, func(_ string, d decoded) bool { return d.gen != s.gen })
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
