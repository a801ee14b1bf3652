package nodes

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

// ErrStarted is returned by Start on something already started.
var ErrStarted = errors.New("nodes: already started")

// ErrNotStarted is returned by WaitForInitialCreate before Start.
var ErrNotStarted = errors.New("nodes: not started")

// closeTimeout bounds how long Close waits for the node's delete.
const closeTimeout = 15 * time.Second

// Backoff between attempts after a failed create or read.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 2 * time.Second
)

// Option configures a PersistentNode.
type Option func(*config)

type config struct {
	protected    *bool
	ttl          time.Duration
	noParents    bool
	keepOnClose  bool
	takeOver     bool
	invalidValue error
}

// WithProtection turns protected names on or off: the node's name starts
// with "_c_<uuid>-" so that a create whose reply was lost is found again
// instead of leaking a node (Curator's useProtection). The default is on
// for the sequential modes and off for the others.
func WithProtection(on bool) Option { return func(c *config) { c.protected = &on } }

// WithTTL sets the time to live of a node in a TTL mode (required there,
// refused for other modes). The server must have TTL nodes enabled.
func WithTTL(ttl time.Duration) Option {
	return func(c *config) {
		if ttl <= 0 {
			c.invalidValue = fmt.Errorf("TTL %v must be positive", ttl)
		}
		c.ttl = ttl
	}
}

// WithoutParents stops the node's missing parents from being created (by
// default they are created as containers, Curator's useParentCreation).
// Without parents the node is only created once its parent exists.
func WithoutParents() Option { return func(c *config) { c.noParents = true } }

// WithTakeOver makes the first create replace an ephemeral node that
// already exists at the path and belongs to another session (deleted, then
// created for this one), as Curator's ServiceDiscovery does when it
// registers an instance id that is still registered by a session that has
// not expired yet (e.g. the previous run of a restarted process). Without
// it such a node is waited out. Only the first create takes over: a node
// another PersistentNode takes over later is waited out, so two live
// owners of one path do not fight.
func WithTakeOver() Option { return func(c *config) { c.takeOver = true } }

// PersistentNode keeps one node in existence whenever its Client has a
// session (Curator's PersistentNode): created by Start, created again when
// someone deletes it or the session that owned it was lost, its data kept as
// last set with SetData, and deleted by Close.
//
// A sequential node keeps the name it got first: it is created again under
// the same name (without a new sequence number), as Curator does. An
// ephemeral node found at the path that this PersistentNode created in an
// earlier session (the Client reports Lost before the server expires that
// session) is deleted and created again at once for the current session;
// one that belongs to any other session is left alone and watched, and the
// node is created again once it is gone.
type PersistentNode struct {
	client      *zk.Client
	path        string
	mode        zk.CreateMode
	cfg         config
	protected   bool
	protectedID string
	bus         *listeners.Bus[string]
	kick        chan struct{} // buffered(1): look at the node again
	writing     chan struct{} // buffered(1): held while the node's data is written
	created     chan struct{} // closed at the first create
	closedCh    chan struct{} // closed by Close

	mu       sync.Mutex
	data     []byte
	actual   string // the node's path once known
	owned    bool   // actual was created (or adopted) by this PersistentNode
	owner    int64  // the session that created this node's ephemeral (0: none yet)
	czxid    int64  // the creation zxid of the node at actual when owned
	lastErr  error
	life     lifecycle.State
	cancel   context.CancelFunc
	done     chan struct{}
	unlisten func()
}

// NewPersistentNode returns a PersistentNode for path in mode, holding data;
// Start creates it. It fails with zk.ErrInvalidArgument for a nil client, a
// container mode, a TTL mode without WithTTL (or WithTTL without one) or an
// invalid option, and with zk.ErrInvalidPath for a bad path.
func NewPersistentNode(client *zk.Client, path string, mode zk.CreateMode, data []byte, opts ...Option) (*PersistentNode, error) {
	n, err := newPersistentNode(client, path, mode, data, opts...)
	if err != nil {
		return nil, fmt.Errorf("nodes: new persistent node %s: %w", path, err)
	}
	return n, nil
}

func newPersistentNode(client *zk.Client, path string, mode zk.CreateMode, data []byte, opts ...Option) (*PersistentNode, error) {
	if client == nil {
		return nil, fmt.Errorf("nil client: %w", zk.ErrInvalidArgument)
	}
	if err := zk.ValidatePath(path, mode.IsSequential()); err != nil {
		return nil, err
	}
	if path == "/" {
		return nil, fmt.Errorf("the root cannot be a persistent node: %w", zk.ErrInvalidPath)
	}
	if mode < zk.ModePersistent || mode > zk.ModePersistentSequentialTTL || mode.IsContainer() {
		return nil, fmt.Errorf("mode %v: %w", mode, zk.ErrInvalidArgument)
	}
	var cfg config
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("nil option: %w", zk.ErrInvalidArgument)
		}
		o(&cfg)
	}
	if cfg.invalidValue != nil {
		return nil, fmt.Errorf("%w: %w", cfg.invalidValue, zk.ErrInvalidArgument)
	}
	if mode.IsTTL() != (cfg.ttl > 0) {
		return nil, fmt.Errorf("mode %v with TTL %v (a TTL mode needs WithTTL, other modes refuse it): %w",
			mode, cfg.ttl, zk.ErrInvalidArgument)
	}
	protected := mode.IsSequential()
	if cfg.protected != nil {
		protected = *cfg.protected
	}
	n := &PersistentNode{
		client: client, path: path, mode: mode, cfg: cfg, protected: protected,
		bus:      listeners.New[string](),
		kick:     make(chan struct{}, 1),
		writing:  make(chan struct{}, 1),
		created:  make(chan struct{}),
		closedCh: make(chan struct{}),
		data:     bytes.Clone(data),
	}
	if protected {
		n.protectedID = zk.NewUUID()
	}
	return n, nil
}

// Path returns the path the node was asked for (without protection prefix
// or sequence number); see ActualPath.
func (n *PersistentNode) Path() string { return n.path }

// ActualPath returns the node's path once it has been created (with its
// protection prefix and sequence number), "" before.
func (n *PersistentNode) ActualPath() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.actual
}

// Data returns a copy of the data the node is kept with.
func (n *PersistentNode) Data() []byte {
	n.mu.Lock()
	defer n.mu.Unlock()
	return bytes.Clone(n.data)
}

// Listen subscribes f to every create of the node (the first and each
// re-create), with the node's path. f runs on a goroutine of the node, one
// call at a time.
func (n *PersistentNode) Listen(f func(path string)) (unsubscribe func()) {
	return n.bus.Listen(f)
}

// Start begins keeping the node; it returns at once (WaitForInitialCreate
// waits for the node). It fails with ErrStarted the second time and with
// zk.ErrClosed after Close.
func (n *PersistentNode) Start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.life.Start(ErrStarted, zk.ErrClosed); err != nil {
		return fmt.Errorf("nodes: start %s: %w", n.path, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel, n.done = cancel, make(chan struct{})
	n.unlisten = n.client.Listen(func(s zk.ConnectionState) {
		if s == zk.Reconnected || s == zk.Lost || s == zk.Connected {
			n.poke()
		}
	})
	go n.run(ctx)
	return nil
}

// poke makes the loop look at the node again.
func (n *PersistentNode) poke() {
	select {
	case n.kick <- struct{}{}:
	default:
	}
}

// WaitForInitialCreate waits until the node has been created for the first
// time. It fails when ctx ends first (with the last error seen creating the
// node, if any), with ErrNotStarted before Start and zk.ErrClosed after
// Close.
func (n *PersistentNode) WaitForInitialCreate(ctx context.Context) error {
	n.mu.Lock()
	err := n.life.Check(ErrNotStarted, zk.ErrClosed)
	n.mu.Unlock()
	if err != nil {
		return fmt.Errorf("nodes: wait for %s: %w", n.path, err)
	}
	select {
	case <-n.created:
		return nil
	case <-n.closedCh:
		return fmt.Errorf("nodes: wait for %s: %w", n.path, zk.ErrClosed)
	case <-ctx.Done():
		n.mu.Lock()
		last := n.lastErr
		n.mu.Unlock()
		if last != nil {
			return fmt.Errorf("nodes: wait for %s: %w (last error: %v)", n.path, ctx.Err(), last)
		}
		return fmt.Errorf("nodes: wait for %s: %w", n.path, ctx.Err())
	}
}

// SetData changes the node's data: it is written now if the node exists, and
// used whenever the node is created again. A failure to write now (other than
// the node being gone) is returned; the data is kept and written on the next
// re-check of the node (after a reconnect or a change of the node). After
// Close it fails with zk.ErrClosed.
func (n *PersistentNode) SetData(ctx context.Context, data []byte) error {
	if err := n.lockWrite(ctx); err != nil {
		return fmt.Errorf("nodes: set data %s: %w", n.path, err)
	}
	defer n.unlockWrite()
	n.mu.Lock()
	if n.life == lifecycle.Closed {
		n.mu.Unlock()
		return fmt.Errorf("nodes: set data %s: %w", n.path, zk.ErrClosed)
	}
	n.data = bytes.Clone(data)
	actual, owned := n.actual, n.owned
	n.mu.Unlock()
	if actual == "" || !owned {
		n.poke() // not created (yet) by this node: the loop creates it with data
		return nil
	}
	// The node's data watch brings the loop back to check; the write token
	// keeps it from writing the same data a second time.
	if _, err := n.client.Set(ctx, actual, data, zk.AnyVersion); err != nil && !errors.Is(err, zk.ErrNoNode) {
		return fmt.Errorf("nodes: set data %s: %w", n.path, err)
	}
	return nil
}

// lockWrite takes the write token: one write of the node's data at a time,
// so that SetData and the loop's repair never both write the same data.
func (n *PersistentNode) lockWrite(ctx context.Context) error {
	select {
	case n.writing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-n.closedCh:
		return zk.ErrClosed
	}
}

func (n *PersistentNode) unlockWrite() { <-n.writing }

// Close stops keeping the node and deletes it (a guaranteed delete: retried
// in the background if it cannot finish now; Close waits for it for a
// bounded time and reports it still pending as an error). Close is
// idempotent; later calls return nil.
func (n *PersistentNode) Close() error {
	n.mu.Lock()
	was := n.life.Close()
	if was == lifecycle.Closed {
		n.mu.Unlock()
		return nil
	}
	close(n.closedCh)
	n.mu.Unlock()
	if was == lifecycle.Started {
		n.unlisten()
		n.cancel()
		<-n.done
	}
	n.bus.Close()
	n.mu.Lock()
	actual, owned, czxid := n.actual, n.owned, n.czxid
	n.mu.Unlock()
	if n.cfg.keepOnClose || actual == "" || !owned {
		return nil
	}
	return n.deleteNode(actual, czxid)
}

// deleteNode deletes the node at Close: the node this PersistentNode last
// created or adopted (czxid), and no other. A node made at the same path
// since — by another session, or by a new PersistentNode of this Client
// after this one was closed (a group member leaving and joining again
// with the same id) — is left alone, by the first attempt and by every
// background retry.
func (n *PersistentNode) deleteNode(actual string, czxid int64) error {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	done, err := n.client.DeleteGuaranteed(ctx, actual, zk.AnyVersion, zk.OnlyIncarnation(czxid))
	if err == nil || errors.Is(err, zk.ErrNoNode) || errors.Is(err, zk.ErrClosed) {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("nodes: close %s: delete still pending (retried in the background): %w", actual, err)
	}
}

// run keeps the node until ctx ends.
func (n *PersistentNode) run(ctx context.Context) {
	defer close(n.done)
	backoff := minBackoff
	for {
		watch, err := n.ensure(ctx)
		if ctx.Err() != nil {
			return
		}
		n.mu.Lock()
		n.lastErr = err
		n.mu.Unlock()
		if errors.Is(err, zk.ErrClosed) {
			return // the Client is closed: nothing can be done any more
		}
		var retry <-chan time.Time
		if err != nil {
			retry = time.After(backoff)
			backoff = min(2*backoff, maxBackoff)
		} else {
			backoff = minBackoff
		}
		if !n.wait(ctx, watch, retry) {
			return
		}
	}
}

// wait waits for a reason to look at the node again; false when ctx ended.
func (n *PersistentNode) wait(ctx context.Context, watch <-chan zk.Event, retry <-chan time.Time) bool {
	select {
	case <-ctx.Done():
		return false
	case <-n.kick:
	case <-watch:
	case <-retry:
	}
	return true
}

// again is a closed channel: ensure returns it to be called again at once.
var again = func() chan zk.Event { c := make(chan zk.Event); close(c); return c }()

// ensure makes sure the node exists with the node's data and returns a
// channel that receives when it must be looked at again.
func (n *PersistentNode) ensure(ctx context.Context) (<-chan zk.Event, error) {
	n.mu.Lock()
	actual, data := n.actual, n.data
	n.mu.Unlock()
	if actual == "" {
		return n.createFirst(ctx, data)
	}
	got, st, watch, err := n.client.GetW(ctx, actual)
	switch {
	case err == nil:
		if n.mode.IsEphemeral() && st.EphemeralOwner != n.client.SessionID() {
			n.mu.Lock()
			mine := n.owner != 0 && st.EphemeralOwner == n.owner
			takeOver := n.cfg.takeOver && n.owner == 0
			n.mu.Unlock()
			if !mine && !takeOver {
				n.setActual(actual, false) // another session's node: wait until it is gone
				return watch, nil
			}
			// Ours, from a session this Client has given up (or taken over
			// on the first create): replace it now rather than wait for the
			// server to expire that session.
			if err := n.client.Delete(ctx, actual, st.Version); err != nil &&
				!errors.Is(err, zk.ErrNoNode) && !errors.Is(err, zk.ErrBadVersion) {
				return nil, err
			}
			return again, nil
		}
		stale, err := n.repairData(ctx, actual, got, st.Version)
		if err != nil {
			return nil, err
		}
		if stale {
			return again, nil
		}
		n.mu.Lock()
		n.czxid = st.Czxid
		n.mu.Unlock()
		n.setActual(actual, true)
		n.markCreated(actual, false)
		return watch, nil
	case errors.Is(err, zk.ErrNoNode):
		return n.recreate(ctx, actual, data)
	default:
		return nil, err
	}
}

// repairData writes the node's data when the node (read at version) holds
// other data: a SetData whose write failed, a node adopted with other data,
// or someone else's write. The write is conditional on version, so a write
// made since the read (by SetData or anyone) is never overwritten with data
// compared against a stale read: the node must be looked at again instead
// (stale is true).
func (n *PersistentNode) repairData(ctx context.Context, actual string, got []byte, version int32) (stale bool, err error) {
	if err := n.lockWrite(ctx); err != nil {
		return false, err
	}
	defer n.unlockWrite()
	n.mu.Lock()
	data := n.data
	n.mu.Unlock()
	if bytes.Equal(got, data) {
		return false, nil
	}
	_, err = n.client.Set(ctx, actual, data, version)
	switch {
	case errors.Is(err, zk.ErrBadVersion):
		return true, nil
	case err != nil && !errors.Is(err, zk.ErrNoNode):
		return false, err
	}
	return false, nil
}

// createFirst creates the node the first time (a sequential mode gets its
// sequence number here).
func (n *PersistentNode) createFirst(ctx context.Context, data []byte) (<-chan zk.Event, error) {
	p, st, err := n.client.CreateWith(ctx, n.path, data, zk.CreateOptions{
		Mode: n.mode, TTL: n.cfg.ttl, Protected: n.protected, ProtectedID: n.protectedID,
		CreateParentContainers: !n.cfg.noParents,
	})
	switch {
	case err == nil:
		n.setOwner(st)
		n.setActual(p, true)
		n.markCreated(p, true)
		return again, nil // set the watch
	case errors.Is(err, zk.ErrNodeExists) && !n.mode.IsSequential() && !n.protected:
		n.setActual(n.path, false) // adopt it (or wait for it to go: see ensure)
		return again, nil
	default:
		return nil, err
	}
}

// recreate creates the node again under the name it had.
func (n *PersistentNode) recreate(ctx context.Context, actual string, data []byte) (<-chan zk.Event, error) {
	mode := n.mode
	switch mode {
	case zk.ModeEphemeralSequential:
		mode = zk.ModeEphemeral
	case zk.ModePersistentSequential:
		mode = zk.ModePersistent
	case zk.ModePersistentSequentialTTL:
		mode = zk.ModePersistentTTL
	}
	_, st, err := n.client.CreateWith(ctx, actual, data, zk.CreateOptions{
		Mode: mode, TTL: n.cfg.ttl, CreateParentContainers: !n.cfg.noParents,
	})
	switch {
	case err == nil:
		n.setOwner(st)
		n.setActual(actual, true)
		n.markCreated(actual, true)
		return again, nil
	case errors.Is(err, zk.ErrNodeExists):
		return again, nil // someone was faster: look at it
	default:
		return nil, err
	}
}

// setOwner remembers the session that created the node, and the node's
// creation zxid.
func (n *PersistentNode) setOwner(st *zk.Stat) {
	if st == nil {
		return
	}
	n.mu.Lock()
	n.owner, n.czxid = st.EphemeralOwner, st.Czxid
	n.mu.Unlock()
}

func (n *PersistentNode) setActual(p string, owned bool) {
	n.mu.Lock()
	n.actual, n.owned = p, owned
	n.mu.Unlock()
}

// markCreated closes created the first time and tells listeners about a
// create made by this node.
func (n *PersistentNode) markCreated(p string, fresh bool) {
	select {
	case <-n.created:
	default:
		close(n.created)
	}
	if fresh {
		n.bus.Publish(p)
	}
}
