package discovery

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/zkcurator/zkcurator/recipes/cache"
)

// ServiceCache keeps the instances of one service in memory (Curator's
// ServiceCache), on a cache.ChildrenCache of the service's node.
//
// Each node's JSON is decoded once, when the children cache reports it
// created or changed; lookups read an immutable snapshot of the decoded
// instances, rebuilt only after a change, so they copy nothing. The
// instances handed out are shared with the cache and with every other
// caller, as Curator's (immutable in Java) are: do not modify them; Clone
// one to get a copy you may change.
type ServiceCache struct {
	name     string
	cache    *cache.ChildrenCache
	unlisten func()
	closed   atomic.Bool // Close was called

	mu     sync.Mutex                  // guards byPath and the rebuild of snap
	byPath map[string]*ServiceInstance // decoded instances by node path
	snap   atomic.Pointer[snapshot]    // nil: byPath changed since the last build
}

// snapshot is the decoded instances of one state of the cache. Never
// modified once published.
type snapshot struct {
	all        []*ServiceInstance // sorted by id (then node path)
	allEnabled bool               // no instance is Disabled
}

// emptySnapshot is the snapshot of a cache that holds no instance.
var emptySnapshot = &snapshot{allEnabled: true}

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
	s := &ServiceCache{name: name, cache: c, byPath: map[string]*ServiceInstance{}}
	s.snap.Store(emptySnapshot)
	// Subscribed before Start and before any Listen, so it sees every node
	// event and runs before the listeners of Listen: they find the change
	// in Instances.
	s.unlisten = c.Listen(s.apply)
	return s, nil
}

// apply records a node event of the children cache in byPath and drops
// the snapshot; the next lookup builds a new one. It runs on the children
// cache's listener goroutine.
func (s *ServiceCache) apply(ev cache.Event) {
	if !ev.Type.IsNode() {
		return
	}
	var inst *ServiceInstance
	if ev.Type != cache.NodeDeleted {
		inst = new(ServiceInstance)
		if inst.UnmarshalJSON(ev.Data) != nil {
			inst = nil // not an instance: left out
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, had := s.byPath[ev.Path]
	if inst == nil && !had {
		return
	}
	if inst == nil {
		delete(s.byPath, ev.Path)
	} else {
		s.byPath[ev.Path] = inst
	}
	s.snap.Store(nil)
}

// snapshot returns the current snapshot, building it if a change dropped
// it.
func (s *ServiceCache) snapshot() *snapshot {
	if sn := s.snap.Load(); sn != nil {
		return sn
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sn := s.snap.Load(); sn != nil {
		return sn // built by another caller meanwhile
	}
	type entry struct {
		path string
		inst *ServiceInstance
	}
	entries := make([]entry, 0, len(s.byPath))
	for path, inst := range s.byPath {
		entries = append(entries, entry{path, inst})
	}
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.inst.ID, b.inst.ID), cmp.Compare(a.path, b.path))
	})
	sn := &snapshot{all: make([]*ServiceInstance, len(entries)), allEnabled: true}
	for i, e := range entries {
		sn.all[i] = e.inst
		if e.inst.Disabled {
			sn.allEnabled = false
		}
	}
	s.snap.Store(sn)
	return sn
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
// not an instance are left out). The slice is the caller's; the instances
// are shared with the cache: do not modify them (Clone one to change it).
// A change is seen once the children cache has delivered its event: from a
// Listen listener on, Instances returns the new state. After Close it
// returns nil.
func (s *ServiceCache) Instances() []*ServiceInstance {
	if s.closed.Load() {
		return nil
	}
	all := s.snapshot().all
	if len(all) == 0 {
		return nil
	}
	return slices.Clone(all)
}

// Listen subscribes f to changes of the cached instances (Curator's
// ServiceCacheListener.cacheChanged): it is called after each instance
// added, changed or removed, on one goroutine of the cache, when Instances
// already returns the change.
func (s *ServiceCache) Listen(f func()) (unsubscribe func()) {
	return s.cache.Listen(func(ev cache.Event) {
		if ev.Type.IsNode() {
			f()
		}
	})
}

// Close stops the cache. Idempotent. Afterwards Start fails with
// zk.ErrClosed and Instances returns nil (a closed cache no longer follows
// the service, so what it last saw may be stale).
func (s *ServiceCache) Close() error {
	s.closed.Store(true)
	err := s.cache.Close()
	s.unlisten()
	return err
}
