package harness

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/zkcurator/zkcurator/recipes/cache"
	"github.com/zkcurator/zkcurator/zk"
)

// PrimeMethod names a way of reading a whole tree.
type PrimeMethod string

// The priming methods compared.
const (
	// PrimeGozkSerial is WalkSerialGozk: go-zookeeper, one request at a
	// time, getData + getChildren per node.
	PrimeGozkSerial PrimeMethod = "gozk-serial"
	// PrimePipelined is WalkPipelined with the same reads as
	// PrimeGozkSerial (getData + getChildren per node), pipelined.
	PrimePipelined PrimeMethod = "pipelined"
	// PrimePipelinedLean is WalkPipelined with the reads a tree cache
	// needs (getChildren only where the Stat shows children), pipelined.
	PrimePipelinedLean PrimeMethod = "pipelined-lean"
	// PrimeCache is recipes/cache.NewTree(...).Start on a fresh client.
	PrimeCache PrimeMethod = "cache"
)

// PrimeMethods lists the methods in report order.
var PrimeMethods = []PrimeMethod{PrimeGozkSerial, PrimePipelined, PrimePipelinedLean, PrimeCache}

// PrimeInflight is how many reads the pipelined walks keep in flight: the
// cache's default (cache.DefaultConcurrency).
const PrimeInflight = cache.DefaultConcurrency

// Primed is one measured priming.
type Primed struct {
	Walked
	Elapsed time.Duration // from the first request to the last reply (session set-up excluded)
	// HeapBytes, for PrimeCache only, is the growth of the live heap
	// (runtime.MemStats.HeapAlloc after runtime.GC) from before NewTree to
	// after Start, with the cache alive: the cache's memory, data
	// included, once its event queue has drained up to Initialized. With
	// the embedded server in this process it also counts what the server
	// keeps for the cache's session (its watch).
	HeapBytes int64
}

// OverheadPerNode is HeapBytes minus the data, per cached node.
func (p Primed) OverheadPerNode() float64 {
	if p.Nodes == 0 {
		return 0
	}
	return float64(p.HeapBytes-p.DataBytes) / float64(p.Nodes)
}

// Prime opens a session of method m to addr, reads tree t with it, checks
// that every node and byte was seen, and closes the session. Only the
// reads are timed.
func Prime(ctx context.Context, m PrimeMethod, addr string, t Tree) (p Primed, err error) {
	switch m {
	case PrimeGozkSerial:
		g, err := DialGozk(ctx, addr)
		if err != nil {
			return p, err
		}
		defer func() { err = errors.Join(err, g.Close()) }()
		t0 := time.Now()
		p.Walked, err = WalkSerialGozk(g, t.Root())
		p.Elapsed = time.Since(t0)
	case PrimePipelined, PrimePipelinedLean:
		conn, err := zk.Dial(ctx, addr, zk.WithSessionTimeout(sessionTimeout))
		if err != nil {
			return p, fmt.Errorf("zkcurator: dial %s: %w", addr, err)
		}
		defer func() { err = errors.Join(err, conn.Close()) }()
		t0 := time.Now()
		p.Walked, err = WalkPipelined(ctx, conn, t.Root(), PrimeInflight, m == PrimePipelinedLean)
		p.Elapsed = time.Since(t0)
	case PrimeCache:
		p, err = primeCache(ctx, addr, t)
	default:
		return p, fmt.Errorf("harness: unknown priming method %q", m)
	}
	if err == nil {
		err = p.Check(t)
	}
	if err != nil {
		return p, fmt.Errorf("%s: %w", m, err)
	}
	return p, nil
}

// primeCache times cache.NewTree(...).Start on a fresh client and measures
// the live heap the primed cache holds.
func primeCache(ctx context.Context, addr string, t Tree) (p Primed, err error) {
	c, err := zk.Connect(ctx, addr, zk.WithSessionTimeout(sessionTimeout))
	if err != nil {
		return p, fmt.Errorf("zkcurator: connect %s: %w", addr, err)
	}
	defer func() { err = errors.Join(err, c.Close()) }()
	h0 := liveHeap()
	t0 := time.Now()
	tc, err := cache.NewTree(c, t.Root())
	if err != nil {
		return p, err
	}
	// Events are queued whether anyone listens or not; measure the heap
	// once the queue has drained up to Initialized.
	initialized := make(chan struct{})
	tc.Listen(func(ev cache.Event) {
		if ev.Type == cache.Initialized {
			close(initialized)
		}
	})
	err = tc.Start(ctx)
	p.Elapsed = time.Since(t0)
	defer func() { err = errors.Join(err, tc.Close()) }()
	if err != nil {
		return p, err
	}
	select {
	case <-initialized:
	case <-ctx.Done():
		return p, ctx.Err()
	}
	p.HeapBytes = int64(liveHeap()) - int64(h0)
	runtime.KeepAlive(tc)
	for _, n := range tc.All() {
		p.Nodes++
		p.DataBytes += int64(len(n.Data))
	}
	if l := tc.Len(); l != p.Nodes {
		return p, fmt.Errorf("cache: Len %d, but All yields %d nodes", l, p.Nodes)
	}
	return p, nil
}

// liveHeap returns the bytes of live heap objects after a full collection.
func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC() // a second cycle frees what the first one's finalizers released
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
