package discovery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/recipes/nodes"
	"github.com/zkcurator/zkcurator/zk"
)

// ErrNotRegistered is returned by Update and Unregister for an instance
// this ServiceDiscovery has not registered.
var ErrNotRegistered = errors.New("discovery: instance not registered")

// Option configures a ServiceDiscovery.
type Option func(*config)

type config struct{ withEnabled bool }

// WithEnabledField writes the enabled field into registered instances
// (Curator's JsonInstanceSerializer with compatibleSerializationMode=false).
// Without it instances are written as Curator's default serializer writes
// them, which every Curator version reads.
func WithEnabledField() Option { return func(c *config) { c.withEnabled = true } }

// ServiceDiscovery registers this process's service instances and queries
// all of them (Curator's ServiceDiscovery). Its methods are safe for
// concurrent use.
type ServiceDiscovery struct {
	client *zk.Client
	base   string
	cfg    config

	mu      sync.Mutex
	closed  bool
	entries map[string]*entry // by instance id
}

// entry is the node that keeps one registered instance.
type entry struct {
	node *nodes.PersistentNode
}

// New returns a ServiceDiscovery under basePath. It does not talk to
// ZooKeeper. It fails with zk.ErrInvalidArgument (nil client or option) or
// zk.ErrInvalidPath.
func New(client *zk.Client, basePath string, opts ...Option) (*ServiceDiscovery, error) {
	if client == nil {
		return nil, fmt.Errorf("discovery: new %s: nil client: %w", basePath, zk.ErrInvalidArgument)
	}
	if err := zk.ValidatePath(basePath, false); err != nil {
		return nil, fmt.Errorf("discovery: new %s: %w", basePath, err)
	}
	d := &ServiceDiscovery{client: client, base: strings.TrimSuffix(basePath, "/"), entries: map[string]*entry{}}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("discovery: new %s: nil option: %w", basePath, zk.ErrInvalidArgument)
		}
		o(&d.cfg)
	}
	return d, nil
}

// BasePath returns the base path.
func (d *ServiceDiscovery) BasePath() string { return d.base }

// PathForName returns the node under which a service's instances live.
func (d *ServiceDiscovery) PathForName(name string) string { return d.base + "/" + name }

// PathForInstance returns an instance's node path.
func (d *ServiceDiscovery) PathForInstance(name, id string) string {
	return d.PathForName(name) + "/" + id
}

// checkNames validates a service name or instance id as one node name.
func checkName(what, s string) error {
	if s == "" || strings.Contains(s, "/") || zk.ValidatePath("/"+s, false) != nil {
		return fmt.Errorf("%w: %s %q is not a node name", ErrBadInstance, what, s)
	}
	return nil
}

// Register registers inst and keeps it registered until Unregister or
// Close: a DYNAMIC instance (the default) is an ephemeral node re-created
// after a new session. An ephemeral node of another session with the same
// id (a restarted process's previous run) is replaced, as Curator does.
// An empty ID gets a random UUID and a zero RegistrationTimeUTC the
// current time (inst is updated). It returns once the node exists, or
// fails when ctx ends first. Registering a registered id again updates it;
// a Register of an id whose first Register is still in progress joins it
// and fails with ErrNotRegistered if that one gives up.
func (d *ServiceDiscovery) Register(ctx context.Context, inst *ServiceInstance) error {
	if inst == nil {
		return fmt.Errorf("discovery: register: nil instance: %w", zk.ErrInvalidArgument)
	}
	if inst.ID == "" {
		inst.ID = zk.NewUUID()
	}
	if inst.RegistrationTimeUTC == 0 {
		inst.RegistrationTimeUTC = time.Now().UnixMilli()
	}
	if inst.ServiceType == "" {
		inst.ServiceType = Dynamic
	}
	if err := errors.Join(checkName("service name", inst.Name), checkName("instance id", inst.ID)); err != nil {
		return fmt.Errorf("discovery: register: %w", err)
	}
	mode := zk.ModePersistent
	switch inst.ServiceType {
	case Dynamic:
		mode = zk.ModeEphemeral
	case DynamicSequential:
		mode = zk.ModeEphemeralSequential
	}
	data, err := inst.Marshal(d.cfg.withEnabled)
	if err != nil {
		return fmt.Errorf("discovery: register %s: %w", inst.ID, err)
	}
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return fmt.Errorf("discovery: register %s: %w", inst.ID, zk.ErrClosed)
	}
	if old, ok := d.entries[inst.ID]; ok {
		// Registered, or a Register of this id still in progress: the
		// node takes the new data, and this call succeeds only once the
		// node exists (it fails if that other Register gives up).
		d.mu.Unlock()
		if err := old.node.SetData(ctx, data); err != nil {
			return fmt.Errorf("discovery: register %s: %w", inst.ID, err)
		}
		if err := old.node.WaitForInitialCreate(ctx); err != nil {
			d.mu.Lock()
			closed := d.closed
			d.mu.Unlock()
			if errors.Is(err, zk.ErrClosed) && !closed {
				// That Register gave up and closed the node.
				err = fmt.Errorf("the Register of this id in progress, which this call joined, failed: %w", ErrNotRegistered)
			}
			return fmt.Errorf("discovery: register %s: %w", inst.ID, err)
		}
		return nil
	}
	n, err := nodes.NewPersistentNode(d.client, d.PathForInstance(inst.Name, inst.ID), mode, data,
		nodes.WithProtection(false), nodes.WithTakeOver())
	if err != nil {
		d.mu.Unlock()
		return fmt.Errorf("discovery: register %s: %w", inst.ID, err)
	}
	d.entries[inst.ID] = &entry{node: n}
	d.mu.Unlock()
	if err := n.Start(); err != nil {
		return fmt.Errorf("discovery: register %s: %w", inst.ID, err)
	}
	if err := n.WaitForInitialCreate(ctx); err != nil {
		d.mu.Lock()
		delete(d.entries, inst.ID)
		d.mu.Unlock()
		_ = n.Close()
		return fmt.Errorf("discovery: register %s: %w", inst.ID, err)
	}
	return nil
}

// Update replaces the data of a registered instance (same name and id).
func (d *ServiceDiscovery) Update(ctx context.Context, inst *ServiceInstance) error {
	e, err := d.entry("update", inst)
	if err != nil {
		return err
	}
	data, err := inst.Marshal(d.cfg.withEnabled)
	if err != nil {
		return fmt.Errorf("discovery: update %s: %w", inst.ID, err)
	}
	if err := e.node.SetData(ctx, data); err != nil {
		return fmt.Errorf("discovery: update %s: %w", inst.ID, err)
	}
	return nil
}

// Unregister stops keeping a registered instance and deletes its node.
func (d *ServiceDiscovery) Unregister(inst *ServiceInstance) error {
	e, err := d.entry("unregister", inst)
	if err != nil {
		return err
	}
	d.mu.Lock()
	delete(d.entries, inst.ID)
	d.mu.Unlock()
	return e.node.Close()
}

func (d *ServiceDiscovery) entry(op string, inst *ServiceInstance) (*entry, error) {
	if inst == nil {
		return nil, fmt.Errorf("discovery: %s: nil instance: %w", op, zk.ErrInvalidArgument)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, fmt.Errorf("discovery: %s %s: %w", op, inst.ID, zk.ErrClosed)
	}
	e, ok := d.entries[inst.ID]
	if !ok {
		return nil, fmt.Errorf("discovery: %s %s: %w", op, inst.ID, ErrNotRegistered)
	}
	return e, nil
}

func (d *ServiceDiscovery) checkOpen(op string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return fmt.Errorf("discovery: %s: %w", op, zk.ErrClosed)
	}
	return nil
}

// QueryForNames returns the names of the services with a node under the
// base path, sorted.
func (d *ServiceDiscovery) QueryForNames(ctx context.Context) ([]string, error) {
	if err := d.checkOpen("query names"); err != nil {
		return nil, err
	}
	names, _, err := d.client.Children(ctx, d.base)
	if errors.Is(err, zk.ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("discovery: query names: %w", err)
	}
	slices.Sort(names)
	return names, nil
}

// QueryForInstances returns the instances of a service, sorted by id.
// Nodes whose data is not an instance are skipped.
func (d *ServiceDiscovery) QueryForInstances(ctx context.Context, name string) ([]*ServiceInstance, error) {
	if err := d.checkOpen("query instances"); err != nil {
		return nil, err
	}
	ids, _, err := d.client.Children(ctx, d.PathForName(name))
	if errors.Is(err, zk.ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("discovery: query instances of %s: %w", name, err)
	}
	slices.Sort(ids)
	var out []*ServiceInstance
	for _, id := range ids {
		inst, err := d.QueryForInstance(ctx, name, id)
		switch {
		case err == nil:
			out = append(out, inst)
		case errors.Is(err, zk.ErrNoNode), errors.Is(err, ErrBadInstance):
		default:
			return nil, err
		}
	}
	return out, nil
}

// QueryForInstance returns one instance; an error matching zk.ErrNoNode when
// it is not registered.
func (d *ServiceDiscovery) QueryForInstance(ctx context.Context, name, id string) (*ServiceInstance, error) {
	if err := d.checkOpen("query instance"); err != nil {
		return nil, err
	}
	data, _, err := d.client.Get(ctx, d.PathForInstance(name, id))
	if err != nil {
		return nil, fmt.Errorf("discovery: query instance %s of %s: %w", id, name, err)
	}
	inst := new(ServiceInstance)
	if err := inst.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("discovery: query instance %s of %s: %w", id, name, err)
	}
	return inst, nil
}

// Close unregisters every instance registered here (deleting their nodes).
// Caches and providers made from it are closed by their own Close.
// Idempotent.
func (d *ServiceDiscovery) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	entries := d.entries
	d.entries = nil
	d.mu.Unlock()
	var errs []error
	for _, e := range entries {
		errs = append(errs, e.node.Close())
	}
	return errors.Join(errs...)
}
