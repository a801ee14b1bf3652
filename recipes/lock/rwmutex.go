package lock

import (
	"context"
	"strings"

	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/zk"
)

// Lock names of an RWMutex's nodes, as Curator's InterProcessReadWriteLock
// (the same length on purpose: ordering is by the text after the name).
const (
	readLockName  = "__READ__"
	writeLockName = "__WRIT__"
)

// RWMutex is a distributed readers-writer lock, wire compatible with
// Curator's InterProcessReadWriteLock: any number of readers, or one
// writer. It is fair: a reader waits for the first writer queued before
// it, a writer for the node just before it. The holder of the write lock
// may also take the read lock, and keep it after releasing the write lock
// (downgrade); the reverse (upgrade) would wait forever.
//
// ReadLock and WriteLock return re-entrant Mutexes with all of Mutex's
// methods; their nodes are "_c_<uuid>-__READ__<seq10>" and
// "_c_<uuid>-__WRIT__<seq10>" under path.
//
// Make an RWMutex with NewRWMutex: a zero RWMutex's locks are nil
// Mutexes whose methods fail with an invalid-argument error.
type RWMutex struct {
	read, write *Mutex
}

// NewRWMutex returns an RWMutex on path. Options apply to both locks.
// It does not talk to ZooKeeper. It fails as NewMutex does.
func NewRWMutex(client *zk.Client, path string, opts ...Option) (*RWMutex, error) {
	if err := seqnode.CheckArgs(client, path); err != nil {
		return nil, wrap("new rwmutex", path, err)
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, wrap("new rwmutex", path, err)
	}
	key := seqnode.ByLockName(readLockName, writeLockName)
	rw := &RWMutex{}
	rw.write = newMutex(client, path, writeLockName, key, seqnode.Standard(1), cfg)
	rw.read = newMutex(client, path, readLockName, key, rw.readDecide, cfg)
	rw.read.ownOnly, rw.write.ownOnly = true, true
	return rw, nil
}

// Participants returns the data of every reader's and writer's node, in
// lock order.
func (rw *RWMutex) Participants(ctx context.Context) ([]string, error) {
	if !rw.write.made() {
		return nil, errNotMade
	}
	nodes, err := rw.ParticipantNodes(ctx)
	if err != nil {
		return nil, err
	}
	p, err := seqnode.NodesData(ctx, rw.write.client, nodes)
	return p, wrap("participants", rw.write.path, err)
}

// ParticipantNodes returns the paths of every reader's and writer's node,
// in lock order.
func (rw *RWMutex) ParticipantNodes(ctx context.Context) ([]string, error) {
	w := rw.write
	if !w.made() {
		return nil, errNotMade
	}
	names, err := seqnode.List(ctx, w.client, w.path, w.key)
	if err != nil {
		return nil, wrap("participants", w.path, err)
	}
	for i, n := range names {
		names[i] = zk.JoinPath(w.path, n)
	}
	return names, nil
}

// ReadLock returns the read (shared) lock.
func (rw *RWMutex) ReadLock() *Mutex { return rw.read }

// WriteLock returns the write (exclusive) lock.
func (rw *RWMutex) WriteLock() *Mutex { return rw.write }

// readDecide is Curator's read-lock predicate: a reader holds when our own
// write lock is held, or when no writer precedes it; else it waits for the
// first writer before it.
func (rw *RWMutex) readDecide(sorted []string, ourIndex int) (bool, string) {
	if rw.write.IsHeld() {
		return true, ""
	}
	for i := 0; i < ourIndex; i++ {
		if strings.Contains(sorted[i], writeLockName) {
			return false, sorted[i]
		}
	}
	return true, ""
}
