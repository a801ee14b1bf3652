package shared

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/internal/listeners"
	"github.com/zkcurator/zkcurator/recipes/internal/lifecycle"
	"github.com/zkcurator/zkcurator/zk"
)

// ErrValueStarted is returned by Value.Start the second time.
var ErrValueStarted = errors.New("shared: value already started")

// ErrValueNotStarted is returned by Value.Set and TrySet before Start.
var ErrValueNotStarted = errors.New("shared: value not started")

// retryWait bounds the backoff between failed background reads of a Value.
const retryWait = 2 * time.Second

// Value is Curator's SharedValue: raw bytes in a znode that every process
// using the same path shares. It keeps a local copy (with the node's
// version) that follows the node through a data watch, re-read after every
// reconnect, and tells listeners about every change it sees. Sets are
// version-checked with TrySet, or unconditional with Set.
type Value struct {
	client *zk.Client
	path   string
	seed   []byte
	bus    *listeners.Bus[[]byte]
	kick   chan struct{}

	mu       sync.Mutex
	data     []byte
	version  int32
	mzxid    int64
	life     lifecycle.State
	cancel   context.CancelFunc
	done     chan struct{}
	unlisten func()
}

// NewValue returns the shared value at path; seed is what the node is
// created with by Start when it does not exist. It does not talk to
// ZooKeeper. It fails with zk.ErrInvalidArgument for a nil client and
// zk.ErrInvalidPath for a bad path.
func NewValue(client *zk.Client, path string, seed []byte) (*Value, error) {
	if client == nil {
		return nil, fmt.Errorf("shared: new value %s: nil client: %w", path, zk.ErrInvalidArgument)
	}
	if err := zk.ValidatePath(path, false); err != nil {
		return nil, fmt.Errorf("shared: new value %s: %w", path, err)
	}
	return &Value{client: client, path: path, seed: bytes.Clone(seed), data: bytes.Clone(seed), version: -1,
		bus: listeners.New[[]byte](), kick: make(chan struct{}, 1)}, nil
}

// Path returns the value's node path.
func (v *Value) Path() string { return v.path }

// Start creates the node with the seed if it does not exist (parents as
// containers), reads it and starts following it. It fails with
// ErrValueStarted the second time and zk.ErrClosed after Close; after any
// other failure it may be called again.
func (v *Value) Start(ctx context.Context) error {
	v.mu.Lock()
	if err := v.life.Start(ErrValueStarted, zk.ErrClosed); err != nil {
		v.mu.Unlock()
		return fmt.Errorf("shared: start value %s: %w", v.path, err)
	}
	v.mu.Unlock()
	_, _, err := v.client.CreateWith(ctx, v.path, v.seed, zk.CreateOptions{CreateParentContainers: true})
	if err != nil && !errors.Is(err, zk.ErrNodeExists) {
		return v.startFailed(err)
	}
	watch, err := v.read(ctx)
	if err != nil {
		return v.startFailed(err)
	}
	lctx, cancel := context.WithCancel(context.Background())
	v.mu.Lock()
	if v.life == lifecycle.Closed { // closed while starting
		v.mu.Unlock()
		cancel()
		return fmt.Errorf("shared: start value %s: %w", v.path, zk.ErrClosed)
	}
	v.cancel, v.done = cancel, make(chan struct{})
	v.unlisten = v.client.Listen(func(s zk.ConnectionState) {
		if s.IsConnected() {
			select {
			case v.kick <- struct{}{}:
			default:
			}
		}
	})
	v.mu.Unlock()
	go v.run(lctx, watch)
	return nil
}

// startFailed lets Start be called again after a failed start.
func (v *Value) startFailed(err error) error {
	v.mu.Lock()
	v.life.Unstart()
	v.mu.Unlock()
	return fmt.Errorf("shared: start value %s: %w", v.path, err)
}

// read reads the node with a watch (an exists watch while it is missing)
// and updates the local copy.
func (v *Value) read(ctx context.Context) (<-chan zk.Event, error) {
	data, st, watch, err := v.client.GetW(ctx, v.path)
	if errors.Is(err, zk.ErrNoNode) {
		ok, _, ew, err := v.client.ExistsW(ctx, v.path)
		if err != nil {
			return nil, err
		}
		if ok {
			return again, nil
		}
		return ew, nil
	}
	if err != nil {
		return nil, err
	}
	v.update(st, data)
	return watch, nil
}

// again is a closed channel: read at once.
var again = func() chan zk.Event { c := make(chan zk.Event); close(c); return c }()

// update keeps data as the local copy if st is newer than it, and tells the
// listeners. It publishes under v.mu (Publish never blocks): Set's caller
// and the Value's goroutine both call it, and publishing after unlocking let
// a newer value reach the listeners before an older one.
func (v *Value) update(st *zk.Stat, data []byte) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if st.Mzxid <= v.mzxid {
		return
	}
	v.data, v.version, v.mzxid = bytes.Clone(data), st.Version, st.Mzxid
	v.bus.Publish(bytes.Clone(data))
}

func (v *Value) run(ctx context.Context, watch <-chan zk.Event) {
	defer close(v.done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-watch:
		case <-v.kick:
		}
		for {
			var err error
			watch, err = v.read(ctx)
			if err == nil || ctx.Err() != nil || errors.Is(err, zk.ErrClosed) {
				break
			}
			select { // a failed read: try again later, or on the next reconnect
			case <-ctx.Done():
				return
			case <-v.kick:
			case <-time.After(retryWait):
			}
		}
		if watch == nil {
			return
		}
	}
}

// Get returns the local copy of the value and the node version it was read
// at (-1 and the seed before Start has read the node).
func (v *Value) Get() (data []byte, version int32) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return bytes.Clone(v.data), v.version
}

// Listen subscribes f to the changes of the value the local copy sees
// (each new value, on one goroutine, in order).
func (v *Value) Listen(f func(data []byte)) (unsubscribe func()) { return v.bus.Listen(f) }

func (v *Value) check(op string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.life.Check(ErrValueNotStarted, zk.ErrClosed); err != nil {
		return fmt.Errorf("shared: %s value %s: %w", op, v.path, err)
	}
	return nil
}

// Set stores data unconditionally.
func (v *Value) Set(ctx context.Context, data []byte) error {
	if err := v.check("set"); err != nil {
		return err
	}
	st, err := v.client.Set(ctx, v.path, data, zk.AnyVersion)
	if err != nil {
		return fmt.Errorf("shared: set value %s: %w", v.path, err)
	}
	v.update(st, data)
	return nil
}

// TrySet stores data only if the node is still at expectedVersion (from
// Get); ok is false when another process changed the value first (the local
// copy is then read again). expectedVersion must be >= 0 (Curator's
// IllegalTrySetVersionException): it fails with zk.ErrInvalidArgument.
func (v *Value) TrySet(ctx context.Context, expectedVersion int32, data []byte) (ok bool, err error) {
	if err := v.check("try set"); err != nil {
		return false, err
	}
	if expectedVersion < 0 {
		return false, fmt.Errorf("shared: try set value %s: version %d: %w", v.path, expectedVersion, zk.ErrInvalidArgument)
	}
	st, err := v.client.Set(ctx, v.path, data, expectedVersion)
	switch {
	case err == nil:
		v.update(st, data)
		return true, nil
	case errors.Is(err, zk.ErrBadVersion):
		if d, st, err := v.client.Get(ctx, v.path); err == nil {
			v.update(st, d)
		}
		return false, nil
	default:
		return false, fmt.Errorf("shared: try set value %s: %w", v.path, err)
	}
}

// Close stops following the node; listeners hear nothing more. Idempotent.
func (v *Value) Close() error {
	v.mu.Lock()
	if v.life.Close() == lifecycle.Closed {
		v.mu.Unlock()
		return nil
	}
	cancel, done, unlisten := v.cancel, v.done, v.unlisten
	v.mu.Unlock()
	if cancel != nil {
		unlisten()
		cancel()
		<-done
	}
	v.bus.Stop()
	return nil
}
