package harness

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"

	gozk "github.com/go-zookeeper/zk"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/zk"
)

// WatchKind is the kind of watch the watch-scale benchmark registers.
type WatchKind string

// The watch kinds; WatchMix cycles through the first four node by node,
// WatchMixFunc through their callback forms (no channel per watch; one
// callback function shared by every watch, as a cache or a registry would).
const (
	WatchData       WatchKind = "data"       // GetW
	WatchChild      WatchKind = "child"      // ChildrenW
	WatchPersistent WatchKind = "persistent" // AddWatch persistent
	WatchRecursive  WatchKind = "recursive"  // AddWatch persistent-recursive
	WatchMix        WatchKind = "mix"        // the four above in turn

	WatchDataFunc       WatchKind = "data-func"       // GetWFunc
	WatchChildFunc      WatchKind = "child-func"      // ChildrenWFunc
	WatchPersistentFunc WatchKind = "persistent-func" // AddWatchFunc persistent
	WatchRecursiveFunc  WatchKind = "recursive-func"  // AddWatchFunc persistent-recursive
	WatchMixFunc        WatchKind = "mix-func"        // the four above in turn
)

// WatchKinds lists the kinds in report order, each channel form followed
// by its callback form.
var WatchKinds = []WatchKind{WatchData, WatchDataFunc, WatchChild, WatchChildFunc, WatchPersistent, WatchPersistentFunc,
	WatchRecursive, WatchRecursiveFunc, WatchMix, WatchMixFunc}

var (
	mixKinds     = []WatchKind{WatchData, WatchChild, WatchPersistent, WatchRecursive}
	mixFuncKinds = []WatchKind{WatchDataFunc, WatchChildFunc, WatchPersistentFunc, WatchRecursiveFunc}
)

// WatchRoot is the parent of the watch-scale benchmark's nodes.
const WatchRoot = "/bench-watch"

// watchNode is the path of node i of the watch-scale benchmark (20 bytes,
// like a typical service path's last two levels).
func watchNode(i int) string { return fmt.Sprintf("%s/w%07d", WatchRoot, i) }

// BuildWatchNodes creates WatchRoot and n empty children below it (those
// that exist are kept), 64 creates in flight.
func BuildWatchNodes(ctx context.Context, addr string, n int) error {
	conn, err := zk.Dial(ctx, addr, zk.WithSessionTimeout(sessionTimeout))
	if err != nil {
		return fmt.Errorf("build watch nodes: %w", err)
	}
	defer conn.Close()
	create := func(ctx context.Context, p string) error {
		_, err := conn.Create(ctx, p, nil, zk.ModePersistent, zk.OpenACLUnsafe)
		if err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return fmt.Errorf("build watch nodes: %w", err)
		}
		return nil
	}
	if err := create(ctx, WatchRoot); err != nil {
		return err
	}
	return forEach(ctx, buildWorkers, n, func(ctx context.Context, i int) error { return create(ctx, watchNode(i)) })
}

// WatchMemory is what registering n watches cost one session.
type WatchMemory struct {
	N          int
	HeapBytes  int64 // live heap growth after GC, the caller's handles kept
	StackBytes int64 // goroutine stack growth
	Goroutines int   // goroutine count growth
}

// PerWatch is the heap and stack growth per watch.
func (m WatchMemory) PerWatch() float64 {
	return float64(m.HeapBytes+m.StackBytes) / float64(max(m.N, 1))
}

// memSnapshot is the live heap (after GC), stack in use and goroutines.
type memSnapshot struct {
	heap, stack int64
	goroutines  int
}

func takeMemSnapshot() memSnapshot {
	h := liveHeap()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memSnapshot{heap: int64(h), stack: int64(m.StackInuse), goroutines: runtime.NumGoroutine()}
}

func (a memSnapshot) growth(b memSnapshot) (heap, stack int64, goroutines int) {
	return b.heap - a.heap, b.stack - a.stack, b.goroutines - a.goroutines
}

// watchKindOf is the kind of node i under kind (WatchMix cycles).
func watchKindOf(kind WatchKind, i int) WatchKind {
	switch kind {
	case WatchMix:
		return mixKinds[i%4]
	case WatchMixFunc:
		return mixFuncKinds[i%4]
	}
	return kind
}

// ignoreEvent is the callback of the callback-form watches.
func ignoreEvent(zk.Event) {}

// RegisterWatches registers a watch of kind on each of the first n watch
// nodes of conn, 64 calls in flight, and returns the handles (channels and
// Watchers) a caller would keep; a one-shot callback watch has none.
func RegisterWatches(ctx context.Context, conn *zk.Conn, kind WatchKind, n int, handles []any) error {
	return forEach(ctx, buildWorkers, n, func(ctx context.Context, i int) error {
		p := watchNode(i)
		var (
			h   any
			err error
		)
		switch watchKindOf(kind, i) {
		case WatchData:
			_, _, h, err = conn.GetW(ctx, p)
		case WatchChild:
			_, _, h, err = conn.ChildrenW(ctx, p)
		case WatchPersistent:
			h, err = conn.AddWatch(ctx, p, zk.AddWatchPersistent)
		case WatchRecursive:
			h, err = conn.AddWatch(ctx, p, zk.AddWatchPersistentRecursive)
		case WatchDataFunc:
			_, _, err = conn.GetWFunc(ctx, p, ignoreEvent)
		case WatchChildFunc:
			_, _, err = conn.ChildrenWFunc(ctx, p, ignoreEvent)
		case WatchPersistentFunc:
			h, err = conn.AddWatchFunc(ctx, p, zk.AddWatchPersistent, ignoreEvent)
		case WatchRecursiveFunc:
			h, err = conn.AddWatchFunc(ctx, p, zk.AddWatchPersistentRecursive, ignoreEvent)
		default:
			err = fmt.Errorf("unknown watch kind %q", kind)
		}
		handles[i] = h
		return err
	})
}

// MeasureWatchMemory opens a zkcurator session to addr, registers n
// watches of kind (BuildWatchNodes must have made n nodes) and measures the
// process's growth, the handles kept alive as a caller would.
func MeasureWatchMemory(ctx context.Context, addr string, kind WatchKind, n int) (WatchMemory, error) {
	conn, err := zk.Dial(ctx, addr, zk.WithSessionTimeout(sessionTimeout))
	if err != nil {
		return WatchMemory{}, fmt.Errorf("zkcurator: %w", err)
	}
	defer conn.Close()
	handles := make([]any, n)
	before := takeMemSnapshot()
	if err := RegisterWatches(ctx, conn, kind, n, handles); err != nil {
		return WatchMemory{}, fmt.Errorf("zkcurator: %w", err)
	}
	m := WatchMemory{N: n}
	m.HeapBytes, m.StackBytes, m.Goroutines = before.growth(takeMemSnapshot())
	runtime.KeepAlive(handles)
	return m, nil
}

// MeasureWatchMemoryGozk is MeasureWatchMemory for go-zookeeper, which has
// one-shot watches only (kind WatchData or WatchChild).
func MeasureWatchMemoryGozk(ctx context.Context, addr string, kind WatchKind, n int) (WatchMemory, error) {
	idle := runtime.NumGoroutine()
	g, err := DialGozk(ctx, addr)
	if err != nil {
		return WatchMemory{}, err
	}
	defer func() {
		// go-zookeeper's Close returns before its goroutines end, and they
		// hold its watch table: wait (a few seconds at most) so that the
		// next measurement does not start with it live and see it freed.
		g.Close()
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > idle && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}()
	handles := make([]<-chan gozk.Event, n)
	before := takeMemSnapshot()
	err = forEach(ctx, buildWorkers, n, func(_ context.Context, i int) error {
		var err error
		switch kind {
		case WatchData:
			_, _, handles[i], err = g.conn.GetW(watchNode(i))
		case WatchChild:
			_, _, handles[i], err = g.conn.ChildrenW(watchNode(i))
		default:
			err = fmt.Errorf("go-zookeeper has no %s watches", kind)
		}
		return err
	})
	if err != nil {
		return WatchMemory{}, fmt.Errorf("gozk: %w", err)
	}
	m := WatchMemory{N: n}
	m.HeapBytes, m.StackBytes, m.Goroutines = before.growth(takeMemSnapshot())
	runtime.KeepAlive(handles)
	return m, nil
}

// Restore is the time a session takes to come back with its watches after
// its connection is cut, once per cut.
type Restore struct {
	N int
	// Elapsed is from the client's new connection (accepted by the proxy)
	// to the reply to a request queued behind the restore.
	Elapsed []time.Duration
	// Total is from the cut to that reply: Elapsed plus the client's
	// random pause before reconnecting (0–1 s, as ClientCnxn's).
	Total   []time.Duration
	Packets int             // SetWatches/SetWatches2 packets the bound sends (same batching rule)
	Bytes   int             // their total size
	Bound   []time.Duration // a fresh raw connection through the same proxy: handshake + those packets, all answered
}

// Ratios returns Elapsed[i]/Bound[i] for each cut: the bound is measured
// right after its restore, so the pair shares the machine's load of the
// moment (on a loaded machine the ratio of two medians mixes moments).
func (r Restore) Ratios() []float64 {
	out := make([]float64, 0, len(r.Elapsed))
	for i, e := range r.Elapsed {
		if i < len(r.Bound) && r.Bound[i] > 0 {
			out = append(out, float64(e)/float64(r.Bound[i]))
		}
	}
	return out
}

// MeasureRestore registers n watches of kind on a zkcurator session whose
// connection goes through a Proxy, then cuts times over the connection and
// times until a request queued after the cut is answered: the client
// reconnects, re-sends the watches (SetWatches packets go before any
// queued request, and replies come in order), then that request. Elapsed
// starts when the proxy accepts the new connection (the TCP connect is
// done; the proxy's upstream dial is in both figures). The bound
// is a raw connection through the same proxy doing the same: handshake,
// the same packets written at once, every reply read; measured once after
// each cut. (Until 2026-11-29 22:50 the bound went to the server directly,
// skipping the proxy's two extra hops that the restore pays: on a loaded
// machine each hop waits for a core.)
func MeasureRestore(ctx context.Context, addr string, kind WatchKind, n, cuts int) (Restore, error) {
	px, err := StartProxy(addr)
	if err != nil {
		return Restore{}, err
	}
	defer px.Close()
	conn, err := zk.Dial(ctx, px.Addr(), zk.WithSessionTimeout(sessionTimeout))
	if err != nil {
		return Restore{}, fmt.Errorf("zkcurator: %w", err)
	}
	defer conn.Close()
	handles := make([]any, n)
	if err := RegisterWatches(ctx, conn, kind, n, handles); err != nil {
		return Restore{}, fmt.Errorf("zkcurator: %w", err)
	}
	res := Restore{N: n}
	frames := setWatchesFrames(kind, n)
	for _, f := range frames {
		res.Packets++
		res.Bytes += len(f)
	}
	for range cuts {
		t0 := time.Now()
		px.Cut()
		for {
			_, _, err := conn.Exists(ctx, "/")
			if err == nil {
				break
			}
			if !errors.Is(err, zk.ErrConnectionLoss) {
				return res, fmt.Errorf("zkcurator: after the cut: %w", err)
			}
		}
		now := time.Now()
		res.Elapsed = append(res.Elapsed, now.Sub(px.LastAccept()))
		res.Total = append(res.Total, now.Sub(t0))

		t0 = time.Now() // the bound's connection is timed from its dial, like Elapsed
		r, err := DialRaw(ctx, px.Addr(), NodePath, nil)
		if err != nil {
			return res, err
		}
		err = r.SendAll(ctx, frames, jute.XidSetWatches)
		res.Bound = append(res.Bound, time.Since(t0))
		if err = errors.Join(err, r.Close()); err != nil {
			return res, err
		}
	}
	runtime.KeepAlive(handles)
	return res, nil
}

// setWatchesFrames encodes the SetWatches2 packets (SetWatches when there
// are no persistent watches) that restore n watches of kind, each frame at
// most jute.SetWatchesMaxBytes long.
func setWatchesFrames(kind WatchKind, n int) [][]byte {
	var (
		frames [][]byte
		lists  [5][]string // data, exist, child, persistent, recursive
		size   int
		v2     = !slices.Contains([]WatchKind{WatchData, WatchChild, WatchDataFunc, WatchChildFunc}, kind)
	)
	const overhead = 4 + 8 + 8 + 5*4
	flush := func() {
		// A relative zxid past every change, as a client that saw the latest
		// one sends: the server compares each node's zxids and fires nothing.
		const rel = math.MaxInt64
		var rec jute.Record = &jute.SetWatches{RelativeZxid: rel, DataWatches: lists[0], ExistWatches: lists[1], ChildWatches: lists[2]}
		op := jute.OpSetWatches
		if v2 {
			op = jute.OpSetWatches2
			rec = &jute.SetWatches2{RelativeZxid: rel, DataWatches: lists[0], ExistWatches: lists[1], ChildWatches: lists[2],
				PersistentWatches: lists[3], PersistentRecursiveWatches: lists[4]}
		}
		b, start := jute.BeginFrame(nil)
		hdr := jute.RequestHeader{Xid: jute.XidSetWatches, Type: op}
		b = rec.Encode(hdr.Encode(b))
		frames = append(frames, jute.EndFrame(b, start))
		lists, size = [5][]string{}, 0
	}
	for i := range n {
		p := watchNode(i)
		if size > 0 && size+4+len(p) > jute.SetWatchesMaxBytes-overhead {
			flush()
		}
		k := map[WatchKind]int{WatchData: 0, WatchChild: 2, WatchPersistent: 3, WatchRecursive: 4,
			WatchDataFunc: 0, WatchChildFunc: 2, WatchPersistentFunc: 3, WatchRecursiveFunc: 4}[watchKindOf(kind, i)]
		lists[k] = append(lists[k], p)
		size += 4 + len(p)
	}
	if size > 0 {
		flush()
	}
	return frames
}
