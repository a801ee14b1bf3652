package harness

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/zkcurator/zkcurator/recipes/cache"
	"github.com/zkcurator/zkcurator/zk"
)

// CacheSteady is the steady-state event throughput of a primed TreeCache:
// another session changes Updates leaves (64 setData in flight) and the
// cache's listener receives one NodeChanged per change.
type CacheSteady struct {
	Updates int
	Elapsed time.Duration // first setData sent to the last NodeChanged received
}

// EventsPerSec is the rate at which the cache applied the changes.
func (s CacheSteady) EventsPerSec() float64 {
	return float64(s.Updates) / max(s.Elapsed.Seconds(), 1e-9)
}

// MeasureCacheSteady primes a TreeCache on t (BuildTree must have built
// it; priming is not timed here) and times updates changes of its leaves.
func MeasureCacheSteady(ctx context.Context, addr string, t Tree, updates int) (s CacheSteady, err error) {
	leaves := t.Nodes - t.Fanout()
	if leaves < 1 {
		return s, fmt.Errorf("harness: tree of %d nodes has no leaves", t.Nodes)
	}
	c, err := zk.Connect(ctx, addr, zk.WithSessionTimeout(sessionTimeout))
	if err != nil {
		return s, fmt.Errorf("zkcurator: connect %s: %w", addr, err)
	}
	defer func() { err = errors.Join(err, c.Close()) }()
	w, err := zk.Dial(ctx, addr, zk.WithSessionTimeout(sessionTimeout))
	if err != nil {
		return s, fmt.Errorf("zkcurator: dial %s: %w", addr, err)
	}
	defer func() { err = errors.Join(err, w.Close()) }()
	tc, err := cache.NewTree(c, t.Root())
	if err != nil {
		return s, err
	}
	var changed atomic.Int64
	done := make(chan struct{})
	tc.Listen(func(ev cache.Event) {
		if ev.Type == cache.NodeChanged && changed.Add(1) == int64(updates) {
			close(done)
		}
	})
	if err := tc.Start(ctx); err != nil {
		return s, errors.Join(err, tc.Close())
	}
	defer func() { err = errors.Join(err, tc.Close()) }()
	data := NodeData()
	data[0] ^= 1 // differs from the built data
	s.Updates = updates
	t0 := time.Now()
	err = forEach(ctx, buildWorkers, updates, func(ctx context.Context, i int) error {
		_, err := w.Set(ctx, t.leaf(i%leaves), data, -1)
		return err
	})
	if err != nil {
		return s, fmt.Errorf("steady: set: %w", err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		return s, fmt.Errorf("steady: %d of %d changes seen: %w", changed.Load(), updates, ctx.Err())
	}
	s.Elapsed = time.Since(t0)
	return s, nil
}

// ServerMemory is the live heap an in-process embedded server holds for a
// tree (BuildTree's, 1 KiB of data per node).
type ServerMemory struct {
	Nodes     int
	HeapBytes int64
}

// PerNode is the heap per znode beyond its NodeSize bytes of data.
func (m ServerMemory) PerNode() float64 {
	return float64(m.HeapBytes)/float64(max(m.Nodes, 1)) - NodeSize
}

// MeasureServerMemory starts an embedded server in this process, builds t
// on it and measures the live heap growth (the building session closed).
func MeasureServerMemory(ctx context.Context, t Tree) (m ServerMemory, err error) {
	h0 := liveHeap()
	connect, stop, err := startEmbedded()
	if err != nil {
		return m, err
	}
	defer func() { err = errors.Join(err, stop()) }()
	if err := BuildTree(ctx, connect, t); err != nil {
		return m, err
	}
	m.Nodes = t.Total()
	m.HeapBytes = int64(liveHeap()) - int64(h0)
	return m, nil
}
