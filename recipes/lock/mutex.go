package lock

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/zk"
)

// mutexLockName is the lock name of Mutex nodes (Curator's
// InterProcessMutex LOCK_NAME).
const mutexLockName = "lock-"

// Mutex is a re-entrant, fair (first come, first served) distributed lock,
// wire compatible with Curator's InterProcessMutex.
//
// A Mutex value is one owner: Acquire while it is held just counts (like
// Curator's per-thread count), and each Acquire needs one Release. Give
// each goroutine or worker that must exclude the others its own Mutex (on
// the same client or not); several goroutines sharing one Mutex share its
// holds. A Mutex is safe for concurrent use.
//
// Make a Mutex with NewMutex: the methods of a zero Mutex fail with an
// error wrapping seqnode's invalid-argument sentinel. A Mutex has no
// Close: its node lives only while it is held (or queued).
type Mutex struct {
	client   *zk.Client
	path     string
	lockName string
	key      seqnode.Sorter
	decide   seqnode.Decide
	cfg      config
	// ownOnly limits participants to nodes of lockName (the locks of an
	// RWMutex, as Curator's InternalInterProcessMutex).
	ownOnly bool

	sem chan struct{} // one acquisition or release at a time

	mu      sync.Mutex
	count   int
	hold    *seqnode.Hold
	pending *pendingDelete // a node of ours still being deleted
}

// pendingDelete is a node whose guaranteed delete has not succeeded yet.
type pendingDelete struct {
	path string
	done <-chan struct{} // closed once deleted; nil while the delete starts
}

// NewMutex returns a Mutex on path: its nodes are "_c_<uuid>-lock-<seq10>"
// children of path, which is created (as a container) when needed. It does
// not talk to ZooKeeper. It fails on a nil client (ErrInvalidArgument),
// an invalid path (zk.ErrInvalidPath) or an invalid option.
func NewMutex(client *zk.Client, path string, opts ...Option) (*Mutex, error) {
	if err := seqnode.CheckArgs(client, path); err != nil {
		return nil, wrap("new mutex", path, err)
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, wrap("new mutex", path, err)
	}
	return newMutex(client, path, mutexLockName, seqnode.ByLockName(mutexLockName), seqnode.Standard(1), cfg), nil
}

func newMutex(client *zk.Client, path, lockName string, key seqnode.Sorter, decide seqnode.Decide, cfg config) *Mutex {
	return &Mutex{
		client:   client,
		path:     path,
		lockName: lockName,
		key:      key,
		decide:   decide,
		cfg:      cfg,
		sem:      make(chan struct{}, 1),
	}
}

// Path returns the lock's path.
func (m *Mutex) Path() string {
	if m == nil {
		return ""
	}
	return m.path
}

// Acquire blocks until the lock is held, or ctx ends, and returns the held
// context: it is cancelled (context.Cause wraps ErrLost) as soon as
// holding is no longer safe — connection Suspended under the client's
// standard error policy, session Lost, or the lock node deleted — and
// (cause ErrReleased) by the last Release. When the Mutex already holds
// the lock, Acquire counts one more hold and returns the same context; it
// fails with ErrLost if that hold has ended or its node belongs to an
// earlier session (Release, then Acquire again).
//
// If ctx ends while waiting, Acquire deletes the node it made and returns
// ctx's error. A node lost while waiting (its session expired) is made
// again, at the end of the queue.
func (m *Mutex) Acquire(ctx context.Context) (held context.Context, err error) {
	if !m.made() {
		return nil, errNotMade
	}
	held, err = m.acquire(ctx, nil)
	return held, wrap("acquire", m.path, err)
}

// TryAcquire is Acquire that waits at most wait for the lock (0: only
// checks once). When the lock is not held in time it returns ok false and
// a nil error, having deleted its node.
func (m *Mutex) TryAcquire(ctx context.Context, wait time.Duration) (held context.Context, ok bool, err error) {
	if !m.made() {
		return nil, false, errNotMade
	}
	expire, stop := expiry(wait)
	defer stop()
	held, err = m.acquire(ctx, expire)
	if errors.Is(err, ErrTimeout) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, wrap("acquire", m.path, err)
	}
	return held, true, nil
}

// expiry returns a channel that delivers after wait (at once when
// wait <= 0) and a function releasing its timer.
func expiry(wait time.Duration) (<-chan time.Time, func()) {
	if wait <= 0 {
		ch := make(chan time.Time, 1)
		ch <- time.Now()
		return ch, func() {}
	}
	t := time.NewTimer(wait)
	return t.C, func() { t.Stop() }
}

// made reports whether m was made by a constructor (not a zero Mutex).
func (m *Mutex) made() bool { return m != nil && m.sem != nil }

func (m *Mutex) lockSem(ctx context.Context, expire <-chan time.Time) error {
	select {
	case m.sem <- struct{}{}:
		return nil
	default:
	}
	select {
	case m.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-expire:
		return ErrTimeout
	}
}

func (m *Mutex) unlockSem() { <-m.sem }

func (m *Mutex) acquire(ctx context.Context, expire <-chan time.Time) (context.Context, error) {
	if err := m.lockSem(ctx, expire); err != nil {
		return nil, err
	}
	defer m.unlockSem()

	held, pending, err := m.reenter()
	if held != nil || err != nil {
		return held, err
	}
	if pending != nil {
		// Our previous node is still being deleted; queueing a new node
		// behind it would only wait for it anyway.
		if !isClosed(pending.done) {
			select {
			case <-pending.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-expire:
				return nil, ErrTimeout
			}
		}
		m.setPending(nil)
	}

	for {
		n, err := seqnode.CreateDetached(ctx, m.client, m.path, m.lockName, m.cfg.data)
		if err != nil {
			return nil, err
		}
		installed := make(chan struct{})
		h, err := m.await(ctx, n, expire, installed)
		if err == nil {
			m.install(h)
			close(installed)
			return h.Context(), nil
		}
		seqnode.Discard(ctx, m.client, n.Path)
		switch {
		case errors.Is(err, seqnode.ErrNodeGone), errors.Is(err, seqnode.ErrNotOwner):
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			continue // start again with a node of the current session
		case errors.Is(err, seqnode.ErrExpired):
			return nil, ErrTimeout
		}
		return nil, err
	}
}

// reenter counts one more hold when the Mutex holds already and returns
// its context; it fails when that hold has ended. When the Mutex does not
// hold, it returns (nil, nil, nil), or the node of an earlier hold whose
// delete is still pending. The caller holds m.sem.
func (m *Mutex) reenter() (held context.Context, pending *pendingDelete, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.count == 0 {
		return nil, m.pending, nil
	}
	h := m.hold
	if !h.Valid(m.client) {
		cause := context.Cause(h.Context())
		if cause == nil {
			cause = fmt.Errorf("%w: node %s belongs to an earlier session", ErrLost, h.Node().Path)
		}
		return nil, nil, fmt.Errorf("re-entrant acquire of a lost hold (release it first): %w", cause)
	}
	m.count++
	return h.Context(), nil, nil
}

// install records h as the Mutex's first hold.
func (m *Mutex) install(h *seqnode.Hold) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.count, m.hold = 1, h
}

func (m *Mutex) setPending(p *pendingDelete) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pending = p
}

// await waits for n's turn and starts holding it. installed is closed
// once the hold is the Mutex's (the revocation listener waits for it).
func (m *Mutex) await(ctx context.Context, n *seqnode.Node, expire <-chan time.Time, installed <-chan struct{}) (*seqnode.Hold, error) {
	for {
		h, err := seqnode.AwaitHold(ctx, m.client, n, m.key, m.decide, expire, m.onData(installed))
		if !errors.Is(err, seqnode.ErrUnsafe) {
			return h, err
		}
		// The connection is in doubt: wait until it is not, then decide
		// again (the node survives a reconnect to the same session).
		if err := seqnode.WaitSafe(ctx, m.client); err != nil {
			return nil, err
		}
	}
}

// onData returns the hold's data callback: the revocation check. It runs
// on the hold's goroutine, which only starts once StartHold succeeded, so
// installed is closed right after; waiting for it lets the listener call
// Release.
func (m *Mutex) onData(installed <-chan struct{}) func([]byte) {
	f := m.cfg.revoke
	if f == nil {
		return nil
	}
	return func(data []byte) {
		if bytes.Equal(data, []byte(RevokeData)) {
			<-installed
			f(m)
		}
	}
}

// Release releases one hold. The last one ends the held context (cause
// ErrReleased) and deletes the lock node with a guaranteed delete: if the
// delete cannot be done now (connection lost, ctx ended) it is retried in
// the background, and until it succeeds Node still reports the node and a
// new Acquire on this Mutex waits for it. Release fails with ErrNotHeld
// when the Mutex does not hold the lock, or when the delete can never
// succeed (e.g. the node's ACL denies it).
func (m *Mutex) Release(ctx context.Context) error {
	if !m.made() {
		return errNotMade
	}
	if !m.holds() {
		return wrap("release", m.path, ErrNotHeld)
	}
	// Not bounded by ctx: a release must happen even with an ended ctx.
	// While the lock is held the sem is only taken briefly.
	m.sem <- struct{}{}
	defer m.unlockSem()
	p, err := m.releaseOne()
	if p == nil || err != nil {
		return wrap("release", m.path, err)
	}
	done, err := m.client.DeleteGuaranteed(ctx, p.path, -1)
	m.mu.Lock()
	p.done = done
	m.mu.Unlock()
	if err != nil && isClosed(done) {
		return wrap("release", m.path, err) // will never succeed
	}
	return nil
}

// holds reports whether the Mutex counts a hold.
func (m *Mutex) holds() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.count > 0
}

// releaseOne drops one hold. After the last it ends the hold and returns
// the node to delete, recorded as pending (its done channel is set once
// the delete has started; Node reports the node until it is closed).
func (m *Mutex) releaseOne() (*pendingDelete, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.count == 0 {
		return nil, ErrNotHeld
	}
	m.count--
	if m.count > 0 {
		return nil, nil
	}
	h := m.hold
	m.hold = nil
	m.pending = &pendingDelete{path: h.Node().Path}
	h.End(ErrReleased)
	return m.pending, nil
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Node returns the path of the Mutex's lock node: the held one, or one
// released whose delete has not succeeded yet; "" otherwise.
func (m *Mutex) Node() string {
	if !m.made() {
		return ""
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.hold != nil {
		return m.hold.Node().Path
	}
	if m.pending != nil && !isClosed(m.pending.done) {
		return m.pending.path
	}
	return ""
}

// IsHeld reports whether the Mutex holds the lock and the hold has not
// ended.
func (m *Mutex) IsHeld() bool {
	if !m.made() {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.count > 0 && m.hold.Valid(m.client)
}

// FencingToken returns the czxid of the held lock node, 0 when not held.
// Tokens grow with each grant of the lock: a resource that remembers the
// highest token it has seen and refuses lower ones is safe even from a
// holder that has not yet noticed it lost the lock.
func (m *Mutex) FencingToken() int64 {
	if !m.made() {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.hold == nil {
		return 0
	}
	return m.hold.Node().Czxid
}

// Fenced runs ops as one transaction that applies only while this Mutex
// holds the lock: a check that its lock node still exists goes first in
// the same Multi. It fails with ErrNotHeld (nothing applied) when the
// Mutex does not hold the lock or its node is gone (deleted, or with its
// session); other errors are the Multi's. The results are those of ops.
// The same works on either side of an RWMutex.
func (m *Mutex) Fenced(ctx context.Context, ops ...zk.Op) ([]zk.OpResult, error) {
	if !m.made() {
		return nil, errNotMade
	}
	m.mu.Lock()
	var n *seqnode.Node
	if m.count > 0 {
		n = m.hold.Node()
	}
	m.mu.Unlock()
	res, err := seqnode.Fenced(ctx, m.client, n, ops...)
	return res, wrap("fenced", m.path, err)
}

// Participants returns the data of every participant's node (the holder
// first, then the waiters in order) — participant ids when every
// participant sets WithData (or Curator's defaultData).
//
// For the locks of an RWMutex only nodes of that lock's kind are listed,
// as in Curator; RWMutex.Participants lists both.
func (m *Mutex) Participants(ctx context.Context) ([]string, error) {
	nodes, err := m.ParticipantNodes(ctx)
	if err != nil {
		return nil, err
	}
	p, err := seqnode.NodesData(ctx, m.client, nodes)
	return p, wrap("participants", m.path, err)
}

// ParticipantNodes returns the paths of the participants' nodes in lock
// order (Curator's getParticipantNodes); Revoke takes one of them. For
// the locks of an RWMutex only nodes of that lock's kind are listed.
func (m *Mutex) ParticipantNodes(ctx context.Context) ([]string, error) {
	if !m.made() {
		return nil, errNotMade
	}
	names, err := seqnode.List(ctx, m.client, m.path, m.key)
	if err != nil {
		return nil, wrap("participants", m.path, err)
	}
	out := names[:0]
	for _, n := range names {
		if m.ownOnly && !strings.Contains(n, m.lockName) {
			continue
		}
		out = append(out, zk.JoinPath(m.path, n))
	}
	return out, nil
}
