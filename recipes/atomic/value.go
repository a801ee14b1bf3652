// Package atomic holds distributed atomic values, wire compatible with Apache
// Curator's recipes.atomic package: Value (DistributedAtomicValue, raw
// bytes), Long (DistributedAtomicLong, 8 bytes big-endian) and Integer
// (DistributedAtomicInteger, 4 bytes big-endian). Go and Java processes can
// update the same node.
//
// Every update is a compare-and-set on the node's version: read, compute,
// write with the version read. When another process wrote first, the update
// is tried again as the retry policy allows ("optimistic" mode); if that
// gives up and WithPromotedToLock was given, the update is tried again while
// holding a lock.Mutex at a separate path ("promoted" mode), which makes the
// contenders queue instead of colliding. A result says whether the update
// succeeded: an update that ran out of tries is not an error, just
// Succeeded false, as in Curator.
package atomic

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"time"

	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/zk"
)

// ErrCorrupt is returned when a node holds data that is not a value of the
// expected size.
var ErrCorrupt = errors.New("atomic: corrupt value")

// ErrUnknownOutcome is returned when a write's connection was lost and the
// session ended before it could be told whether the write was applied.
var ErrUnknownOutcome = errors.New("atomic: outcome of a write unknown")

// Stats tells how an update went (Curator's AtomicStats).
type Stats struct {
	OptimisticTries int           // compare-and-set attempts without the lock
	PromotedTries   int           // attempts while holding the promotion lock
	OptimisticTime  time.Duration // time spent in optimistic attempts
	PromotedTime    time.Duration // time spent in promoted mode (lock included)
}

// AtomicValue is the outcome of an operation (Curator's AtomicValue): whether it
// succeeded, the value before and after it, and how it went.
// PostValue is meaningful only when Succeeded.
type AtomicValue[T any] struct {
	Succeeded bool
	PreValue  T
	PostValue T
	Stats     Stats
}

// Option configures a Value, Long or Integer.
type Option func(*config)

type config struct {
	lockPath    string
	lockTimeout time.Duration
	lockRetry   retry.Policy
	invalid     error
}

// WithPromotedToLock adds Curator's promoted mode: when the optimistic tries
// give up, the update is tried again holding a lock.Mutex on lockPath,
// acquired within timeout, with policy bounding the tries under the lock.
func WithPromotedToLock(lockPath string, timeout time.Duration, policy retry.Policy) Option {
	return func(c *config) {
		switch {
		case zk.ValidatePath(lockPath, false) != nil:
			c.invalid = fmt.Errorf("promoted lock path %q: %w", lockPath, zk.ValidatePath(lockPath, false))
		case timeout <= 0:
			c.invalid = fmt.Errorf("promoted lock timeout %v must be positive: %w", timeout, zk.ErrInvalidArgument)
		case policy == nil:
			c.invalid = fmt.Errorf("promoted lock: nil retry policy: %w", zk.ErrInvalidArgument)
		}
		c.lockPath, c.lockTimeout, c.lockRetry = lockPath, timeout, policy
	}
}

// Value is Curator's DistributedAtomicValue: a byte value updated
// atomically by compare-and-set.
type Value struct {
	client *zk.Client
	path   string
	policy retry.Policy
	cfg    config
	lock   locker // nil without promotion
}

// NewValue returns the atomic value at path; policy bounds the optimistic
// tries of every update. It does not talk to ZooKeeper. It fails with
// zk.ErrInvalidArgument (nil client or policy, bad option) or
// zk.ErrInvalidPath.
func NewValue(client *zk.Client, path string, policy retry.Policy, opts ...Option) (*Value, error) {
	v, err := newValue(client, path, policy, opts)
	if err != nil {
		return nil, fmt.Errorf("atomic: new %s: %w", path, err)
	}
	return v, nil
}

func newValue(client *zk.Client, path string, policy retry.Policy, opts []Option) (*Value, error) {
	if client == nil {
		return nil, fmt.Errorf("nil client: %w", zk.ErrInvalidArgument)
	}
	if policy == nil {
		return nil, fmt.Errorf("nil retry policy: %w", zk.ErrInvalidArgument)
	}
	if err := zk.ValidatePath(path, false); err != nil {
		return nil, err
	}
	v := &Value{client: client, path: path, policy: policy}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("nil option: %w", zk.ErrInvalidArgument)
		}
		o(&v.cfg)
	}
	if v.cfg.invalid != nil {
		return nil, v.cfg.invalid
	}
	if v.cfg.lockPath != "" {
		l, err := newLock(client, v.cfg.lockPath)
		if err != nil {
			return nil, err
		}
		v.lock = l
	}
	return v, nil
}

// Path returns the value's node path.
func (v *Value) Path() string { return v.path }

// Get reads the value (nil when the node does not exist).
func (v *Value) Get(ctx context.Context) (AtomicValue[[]byte], error) {
	data, _, err := v.client.Get(ctx, v.path)
	if err != nil && !errors.Is(err, zk.ErrNoNode) {
		return AtomicValue[[]byte]{}, fmt.Errorf("atomic: get %s: %w", v.path, err)
	}
	return AtomicValue[[]byte]{Succeeded: true, PreValue: data, PostValue: data}, nil
}

// ForceSet stores data whatever the value is (creating the node and its
// parents as needed).
func (v *Value) ForceSet(ctx context.Context, data []byte) error {
	_, err := v.client.CreateOrSet(ctx, v.path, data, zk.CreateOptions{CreateParentContainers: true})
	if err != nil {
		return fmt.Errorf("atomic: force set %s: %w", v.path, err)
	}
	return nil
}

// Initialize creates the node with data if it does not exist; false when it
// did.
func (v *Value) Initialize(ctx context.Context, data []byte) (bool, error) {
	_, _, err := v.client.CreateWith(ctx, v.path, data, zk.CreateOptions{CreateParentContainers: true})
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, zk.ErrNodeExists):
		return false, nil
	default:
		return false, fmt.Errorf("atomic: initialize %s: %w", v.path, err)
	}
}

// CompareAndSet stores newValue if the value is expected, in one try (no
// retry, no promotion, as in Curator). A missing node never matches.
func (v *Value) CompareAndSet(ctx context.Context, expected, newValue []byte) (AtomicValue[[]byte], error) {
	var r AtomicValue[[]byte]
	data, st, err := v.client.Get(ctx, v.path)
	if errors.Is(err, zk.ErrNoNode) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("atomic: compare and set %s: %w", v.path, err)
	}
	r.PreValue = data
	if !bytes.Equal(data, expected) {
		return r, nil
	}
	_, err = v.client.Set(ctx, v.path, newValue, st.Version)
	switch {
	case err == nil:
		r.Succeeded, r.PostValue = true, bytes.Clone(newValue)
	case errors.Is(err, zk.ErrBadVersion), errors.Is(err, zk.ErrNoNode):
	default:
		return r, fmt.Errorf("atomic: compare and set %s: %w", v.path, err)
	}
	return r, nil
}

// TrySet stores newValue by compare-and-set (retried, then promoted).
func (v *Value) TrySet(ctx context.Context, newValue []byte) (AtomicValue[[]byte], error) {
	return v.update(ctx, "try set", func([]byte) ([]byte, error) { return bytes.Clone(newValue), nil })
}

// update runs compute over the current value until a compare-and-set succeeds
// or the policies give up.
func (v *Value) update(ctx context.Context, op string, compute func(prev []byte) ([]byte, error)) (AtomicValue[[]byte], error) {
	var r AtomicValue[[]byte]
	start := time.Now()
	ok, err := v.tries(ctx, &r, compute, v.policy, &r.Stats.OptimisticTries)
	r.Stats.OptimisticTime = time.Since(start)
	if err == nil && !ok && v.lock != nil {
		start = time.Now()
		ok, err = v.promoted(ctx, &r, compute)
		r.Stats.PromotedTime = time.Since(start)
	}
	if err != nil {
		return r, fmt.Errorf("atomic: %s %s: %w", op, v.path, err)
	}
	r.Succeeded = ok
	return r, nil
}

// promoted runs the tries while holding the lock.
func (v *Value) promoted(ctx context.Context, r *AtomicValue[[]byte], compute func([]byte) ([]byte, error)) (bool, error) {
	held, err := v.lock.TryAcquire(ctx, v.cfg.lockTimeout)
	if err != nil || !held {
		return false, err
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), v.client.SessionTimeout()+time.Second)
		defer cancel()
		_ = v.lock.Release(rctx) // a failed release is retried by the guaranteed delete
	}()
	return v.tries(ctx, r, compute, v.cfg.lockRetry, &r.Stats.PromotedTries)
}

// tries runs tryOnce until it succeeds or policy gives up.
func (v *Value) tries(ctx context.Context, r *AtomicValue[[]byte], compute func([]byte) ([]byte, error), policy retry.Policy, count *int) (bool, error) {
	start := time.Now()
	for attempt := 1; ; attempt++ {
		*count++
		ok, err := v.tryOnce(ctx, r, compute)
		if ok || err != nil {
			return ok, err
		}
		sleep, again := policy.Next(attempt, time.Since(start))
		if !again {
			return false, nil
		}
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		case <-t.C:
		}
	}
}

// tryOnce reads the value and writes compute's result with the version read
// (or creates the node); false when another process got there first.
//
// The write is a Multi that also creates an ephemeral marker child of the
// value node, deleted again right after. The Client retries a write whose
// connection was lost, and the lost attempt may have been applied: the retry
// then fails with a version conflict although the value was written. The
// marker tells the two apart, so an increment is never counted twice nor
// lost (Curator's DistributedAtomicLong can do either). The value node's
// data stays Curator's layout; Curator ignores its children.
func (v *Value) tryOnce(ctx context.Context, r *AtomicValue[[]byte], compute func([]byte) ([]byte, error)) (bool, error) {
	data, st, err := v.client.Get(ctx, v.path)
	create := errors.Is(err, zk.ErrNoNode)
	if err != nil && !create {
		return false, err
	}
	r.PreValue = data
	next, err := compute(data)
	if err != nil {
		return false, err
	}
	marker := v.path + "/" + markerPrefix + zk.NewUUID()
	session := v.client.SessionID()
	var write zk.Op
	if create {
		if err := v.ensureParent(ctx); err != nil {
			return false, err
		}
		write = zk.CreateOp(v.path, next, zk.ModePersistent, nil)
	} else {
		write = zk.SetOp(v.path, next, st.Version)
	}
	_, err = v.client.Multi(ctx, write, zk.CreateOp(marker, nil, zk.ModeEphemeral, nil))
	if err != nil && isConflict(err) {
		// Lost to another writer, or our own earlier attempt was applied
		// and its reply lost: the marker says which.
		ok, _, xerr := v.client.Exists(ctx, marker)
		switch {
		case xerr != nil:
			return false, xerr
		case !ok && v.client.SessionID() != session:
			return false, fmt.Errorf("%w: the session changed while the outcome of a write was unknown", ErrUnknownOutcome)
		case !ok:
			return false, nil
		}
		err = nil
	}
	if err != nil {
		return false, err
	}
	r.PostValue = next
	// A failed delete is retried in the background; the ephemeral marker
	// also dies with the session. The marker's name is unique to this
	// update, so no other node is ever made at its path: the retry cannot
	// delete another node and needs no zk.OnlyIncarnation.
	_, _ = v.client.DeleteGuaranteed(ctx, marker, zk.AnyVersion)
	return true, nil
}

// markerPrefix starts the name of the marker child of an update.
const markerPrefix = "_atomic-"

// isConflict reports whether a write lost to another writer.
func isConflict(err error) bool {
	return errors.Is(err, zk.ErrNodeExists) || errors.Is(err, zk.ErrBadVersion) || errors.Is(err, zk.ErrNoNode)
}

// ensureParent creates the value node's parents (as containers).
func (v *Value) ensureParent(ctx context.Context) error {
	parent := path.Dir(v.path)
	if parent == "/" {
		return nil
	}
	return v.client.EnsureContainers(ctx, parent)
}
