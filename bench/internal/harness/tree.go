package harness

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/zkcurator/zkcurator/zk"
)

// Tree is the shape of the tree the priming benchmarks read: a root with
// Fanout() parents, each with an equal share (±1) of the remaining nodes as
// leaf children, so that Nodes nodes lie below the root. Every node, the
// root included, holds NodeSize bytes (NodeData). Two levels keep every
// getChildren reply small (about 316 names for 100,000 nodes) while the
// walk still has to discover the tree level by level.
type Tree struct {
	Nodes int // nodes below the root; at least 1
}

// Root is the tree's root path (one per size, so trees of several sizes
// can share a server).
func (t Tree) Root() string { return fmt.Sprintf("/bench-tree-%d", t.Nodes) }

// Total is the number of nodes including the root.
func (t Tree) Total() int { return t.Nodes + 1 }

// DataBytes is the data held by the whole tree, the root included.
func (t Tree) DataBytes() int64 { return int64(t.Total()) * NodeSize }

// Fanout is the number of parents under the root: about √Nodes.
func (t Tree) Fanout() int { return max(1, int(math.Sqrt(float64(t.Nodes)))) }

func (t Tree) parent(i int) string { return fmt.Sprintf("%s/p%04d", t.Root(), i) }

// leaf returns the path of leaf j (0 ≤ j < Nodes-Fanout).
func (t Tree) leaf(j int) string { return fmt.Sprintf("%s/n%06d", t.parent(j%t.Fanout()), j) }

// buildWorkers is how many creates BuildTree keeps in flight.
const buildWorkers = 64

// BuildTree creates t on the server at addr with pipelined creates. A node
// that exists already is left as it is (its data is not checked). It then
// checks the node count with getAllChildrenNumber where the server
// supports it.
func BuildTree(ctx context.Context, addr string, t Tree) error {
	if t.Nodes < 1 {
		return fmt.Errorf("harness: tree of %d nodes", t.Nodes)
	}
	conn, err := zk.Dial(ctx, addr, zk.WithSessionTimeout(sessionTimeout))
	if err != nil {
		return fmt.Errorf("build tree: %w", err)
	}
	defer conn.Close()
	data := NodeData()
	create := func(ctx context.Context, p string) error {
		_, err := conn.Create(ctx, p, data, zk.ModePersistent, zk.OpenACLUnsafe)
		if err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return fmt.Errorf("build tree: %w", err)
		}
		return nil
	}
	if err := create(ctx, t.Root()); err != nil {
		return err
	}
	f := t.Fanout()
	if err := forEach(ctx, buildWorkers, f, func(ctx context.Context, i int) error { return create(ctx, t.parent(i)) }); err != nil {
		return err
	}
	if err := forEach(ctx, buildWorkers, t.Nodes-f, func(ctx context.Context, j int) error { return create(ctx, t.leaf(j)) }); err != nil {
		return err
	}
	n, err := conn.AllChildrenNumber(ctx, t.Root())
	if errors.Is(err, zk.ErrUnimplemented) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("build tree: count: %w", err)
	}
	if int(n) != t.Nodes {
		return fmt.Errorf("build tree: %s has %d descendants, want %d", t.Root(), n, t.Nodes)
	}
	return nil
}

// forEach calls f(ctx, i) for i in [0, n) from g goroutines and returns
// the first error (the others stop early).
func forEach(ctx context.Context, g, n int, f func(context.Context, int) error) error {
	var next atomic.Int64
	return parallel(ctx, g, g, func(ctx context.Context) error {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return nil
			}
			if err := f(ctx, i); err != nil {
				return err
			}
		}
	})
}

// Walked is what a walk of a tree saw.
type Walked struct {
	Nodes     int   // nodes read
	DataBytes int64 // their data
	Reads     int   // requests issued
}

// Check fails unless w saw exactly tree t.
func (w Walked) Check(t Tree) error {
	if w.Nodes != t.Total() || w.DataBytes != t.DataBytes() {
		return fmt.Errorf("walked %d nodes, %d bytes; want %d nodes, %d bytes", w.Nodes, w.DataBytes, t.Total(), t.DataBytes())
	}
	return nil
}

// WalkSerialGozk reads the subtree at root the way most Go code does
// today, one request at a time on a go-zookeeper session: getData then
// getChildren of each node, depth first.
func WalkSerialGozk(g *Gozk, root string) (Walked, error) {
	var w Walked
	var visit func(p string) error
	visit = func(p string) error {
		data, _, err := g.conn.Get(p)
		if err != nil {
			return fmt.Errorf("gozk: get %s: %w", p, err)
		}
		children, _, err := g.conn.Children(p)
		if err != nil {
			return fmt.Errorf("gozk: children %s: %w", p, err)
		}
		w.Nodes++
		w.DataBytes += int64(len(data))
		w.Reads += 2
		for _, c := range children {
			if err := visit(childOf(p, c)); err != nil {
				return err
			}
		}
		return nil
	}
	err := visit(root)
	return w, err
}

func childOf(parent, name string) string { return zk.JoinPath(parent, name) }

// WalkPipelined reads the subtree at root on a zkcurator zk.Conn with at
// most inflight requests in flight (one per worker goroutine), keeping
// nothing. With lean false it issues getData and getChildren for every
// node (the reads of WalkSerialGozk); with lean true it issues what a tree
// cache needs: getData for every node and getChildren only for nodes whose
// Stat shows children.
func WalkPipelined(ctx context.Context, conn *zk.Conn, root string, inflight int, lean bool) (Walked, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	q := newWorkQueue()
	var (
		nodes, reads atomic.Int64
		bytes        atomic.Int64
		errOnce      sync.Once
		first        error
	)
	fail := func(err error) {
		errOnce.Do(func() { first = err })
		cancel()
		q.abort()
	}
	push := func(p string) {
		q.push(walkItem{path: p, kind: walkData})
		if !lean {
			q.push(walkItem{path: p, kind: walkChildren})
		}
	}
	push(root)
	var wg sync.WaitGroup
	for range max(inflight, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				it, ok := q.pop()
				if !ok {
					return
				}
				reads.Add(1)
				switch it.kind {
				case walkData:
					data, st, err := conn.Get(ctx, it.path)
					if err != nil {
						fail(fmt.Errorf("zkcurator: %w", err))
						return
					}
					nodes.Add(1)
					bytes.Add(int64(len(data)))
					if lean && st.NumChildren > 0 {
						q.push(walkItem{path: it.path, kind: walkChildren})
					}
				case walkChildren:
					children, _, err := conn.Children(ctx, it.path)
					if err != nil {
						fail(fmt.Errorf("zkcurator: %w", err))
						return
					}
					for _, c := range children {
						push(childOf(it.path, c))
					}
				}
				q.done()
			}
		}()
	}
	wg.Wait()
	return Walked{Nodes: int(nodes.Load()), DataBytes: bytes.Load(), Reads: int(reads.Load())}, first
}

type walkKind uint8

const (
	walkData walkKind = iota
	walkChildren
)

type walkItem struct {
	path string
	kind walkKind
}

// workQueue is an unbounded FIFO of walk items that knows when the walk is
// over: no item queued and none being worked on.
type workQueue struct {
	mu      sync.Mutex
	cond    *sync.Cond
	items   []walkItem
	head    int
	pending int // queued or being worked on
	over    bool
}

func newWorkQueue() *workQueue {
	q := &workQueue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *workQueue) push(it walkItem) {
	q.mu.Lock()
	q.items = append(q.items, it)
	q.pending++
	q.mu.Unlock()
	q.cond.Signal()
}

// pop returns the next item, waiting for one; false when the walk is over.
func (q *workQueue) pop() (walkItem, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.head == len(q.items) && !q.over {
		q.cond.Wait()
	}
	if q.over {
		return walkItem{}, false
	}
	it := q.items[q.head]
	q.items[q.head] = walkItem{}
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
	return it, true
}

// done marks a popped item finished (after pushing what it found).
func (q *workQueue) done() {
	q.mu.Lock()
	q.pending--
	over := q.pending == 0
	if over {
		q.over = true
	}
	q.mu.Unlock()
	if over {
		q.cond.Broadcast()
	}
}

// abort ends the walk for every worker.
func (q *workQueue) abort() {
	q.mu.Lock()
	q.over = true
	q.mu.Unlock()
	q.cond.Broadcast()
}
