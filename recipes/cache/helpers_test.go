package cache

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

// recorder collects a cache's events.
type recorder struct {
	mu  sync.Mutex
	evs []Event
}

func newRecorder(listen func(func(Event)) func()) *recorder {
	r := &recorder{}
	listen(func(ev Event) {
		r.mu.Lock()
		r.evs = append(r.evs, ev)
		r.mu.Unlock()
	})
	return r
}

func (r *recorder) events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.evs)
}

// nodeEvents returns the node events as "Type path" strings.
func (r *recorder) nodeEvents() []string {
	var out []string
	for _, ev := range r.events() {
		if ev.Type.IsNode() {
			out = append(out, ev.Type.String()+" "+ev.Path)
		}
	}
	return out
}

func (r *recorder) count(t EventType) int {
	n := 0
	for _, ev := range r.events() {
		if ev.Type == t {
			n++
		}
	}
	return n
}

// waitFor waits until the events contain want (as "Type path" or "Type"),
// in this order, not necessarily adjacent. Events of different paths may
// come in any order (a delete is applied at once, a create or change after
// a read): use it for one path's events, and waitAll across paths.
func (r *recorder) waitFor(t *testing.T, want ...string) {
	t.Helper()
	r.wait(t, func(have []string) bool { return containsInOrder(have, want) }, fmt.Sprintf("events %q in order", want))
}

// waitAll waits until the events contain every one of want, in any order.
func (r *recorder) waitAll(t *testing.T, want ...string) {
	t.Helper()
	r.wait(t, func(have []string) bool {
		left := slices.Clone(want)
		for _, h := range have {
			if i := slices.Index(left, h); i >= 0 {
				left = slices.Delete(left, i, i+1)
			}
		}
		return len(left) == 0
	}, fmt.Sprintf("events %q", want))
}

// wait polls the events until cond holds, failing after 10s with the
// events seen.
func (r *recorder) wait(t *testing.T, cond func([]string) bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond(r.eventStrings()) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; have %q", what, r.eventStrings())
		}
		<-tick.C
	}
}

func (r *recorder) waitType(t *testing.T, typ EventType, n int) {
	t.Helper()
	zktest.Eventually(t, func() bool { return r.count(typ) >= n }, fmt.Sprintf("%d %s events", n, typ))
}

func (r *recorder) eventStrings() []string {
	var out []string
	for _, ev := range r.events() {
		if ev.Type.IsNode() {
			out = append(out, ev.Type.String()+" "+ev.Path)
		} else {
			out = append(out, ev.Type.String())
		}
	}
	return out
}

func containsInOrder(have, want []string) bool {
	i := 0
	for _, h := range have {
		if i < len(want) && h == want[i] {
			i++
		}
	}
	return i == len(want)
}

// serverNode is one node as the server has it.
type serverNode struct {
	data    string
	version int32
	czxid   int64
}

// readTree reads the subtree at root from the server (nil if root is
// missing), skipping paths rejected by keep.
func readTree(ctx context.Context, c *zk.Client, root string, maxDepth int) (map[string]serverNode, error) {
	out := map[string]serverNode{}
	var walk func(p string, depth int) error
	walk = func(p string, depth int) error {
		data, st, err := c.Get(ctx, p)
		if errors.Is(err, zk.ErrNoNode) {
			return nil
		}
		if err != nil {
			return err
		}
		out[p] = serverNode{string(data), st.Version, st.Czxid}
		if maxDepth >= 0 && depth >= maxDepth {
			return nil
		}
		kids, _, err := c.Children(ctx, p)
		if errors.Is(err, zk.ErrNoNode) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, k := range kids {
			if err := walk(zk.JoinPath(p, k), depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return out, walk(root, 0)
}

// cacheTree returns the cache's content in readTree's form.
func cacheTree(seq func(func(string, Node) bool)) map[string]serverNode {
	out := map[string]serverNode{}
	for p, n := range seq {
		out[p] = serverNode{string(n.Data), n.Stat.Version, n.Stat.Czxid}
	}
	return out
}

// replay applies node events to an empty tree, strictly: a create of a
// cached path, or a change or delete of a missing one, is an error, as is
// a change that does not grow Mzxid or a delete of a node with children.
func replay(evs []Event) (map[string]serverNode, error) {
	out := map[string]serverNode{}
	mz := map[string]int64{}
	for i, ev := range evs {
		p := ev.Path
		switch ev.Type {
		case NodeCreated:
			if _, ok := out[p]; ok {
				return nil, fmt.Errorf("event %d: %v of a cached node", i, ev)
			}
		case NodeChanged:
			old, ok := out[p]
			if !ok || old.czxid != ev.Stat.Czxid || mz[p] >= ev.Stat.Mzxid {
				return nil, fmt.Errorf("event %d: %v: bad change (cached %v, %v)", i, ev, ok, old)
			}
		case NodeDeleted:
			if _, ok := out[p]; !ok {
				return nil, fmt.Errorf("event %d: %v of a missing node", i, ev)
			}
			for q := range out {
				if strings.HasPrefix(q, p+"/") {
					return nil, fmt.Errorf("event %d: %v before its child %s", i, ev, q)
				}
			}
			delete(out, p)
			delete(mz, p)
			continue
		default:
			continue
		}
		out[p] = serverNode{string(ev.Data), ev.Stat.Version, ev.Stat.Czxid}
		mz[p] = ev.Stat.Mzxid
	}
	return out, nil
}

// requireMatchesServer asserts that the tree cache and the replay of the
// events rec recorded both equal the server's tree below root, node for
// node.
func requireMatchesServer(t *testing.T, ctx context.Context, c *zk.Client, root string, tc *TreeCache, rec *recorder) {
	t.Helper()
	want, err := readTree(ctx, c, root, -1)
	require.NoError(t, err)
	require.Equal(t, want, cacheTree(tc.All()), "cache == server")
	got, err := replay(rec.events())
	require.NoError(t, err)
	require.Equal(t, want, got, "replayed events == server")
}

// createTree creates paths (parents first) with data, pipelined.
func createTree(ctx context.Context, c *zk.Client, paths []string, data []byte, limit int) error {
	return byLevel(ctx, paths, false, limit, func(ctx context.Context, p string) error {
		_, err := c.Create(ctx, p, data, zk.ModePersistent, nil)
		if errors.Is(err, zk.ErrNodeExists) {
			err = nil
		}
		return err
	})
}

// deleteAll deletes paths, children before parents, pipelined.
func deleteAll(ctx context.Context, c *zk.Client, paths []string) error {
	return byLevel(ctx, paths, true, 512, func(ctx context.Context, p string) error {
		err := c.Delete(ctx, p, -1)
		if errors.Is(err, zk.ErrNoNode) {
			err = nil
		}
		return err
	})
}

// byLevel calls fn for every path, at most limit at a time, one depth at a
// time: shallowest first, or deepest first when deepest is set.
func byLevel(ctx context.Context, paths []string, deepest bool, limit int, fn func(ctx context.Context, p string) error) error {
	byDepth := map[int][]string{}
	maxD := 0
	for _, p := range paths {
		d := strings.Count(p, "/")
		byDepth[d] = append(byDepth[d], p)
		maxD = max(maxD, d)
	}
	for i := 0; i <= maxD; i++ {
		d := i
		if deepest {
			d = maxD - i
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(limit)
		for _, p := range byDepth[d] {
			g.Go(func() error { return fn(gctx, p) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
	}
	return nil
}

// mustTree, mustChildren and mustNode construct a cache, failing the test
// on an error.
func mustTree(t testing.TB, c *zk.Client, path string, opts ...Option) *TreeCache {
	t.Helper()
	tc, err := NewTree(c, path, opts...)
	require.NoError(t, err)
	return tc
}

func mustChildren(t testing.TB, c *zk.Client, path string, opts ...Option) *ChildrenCache {
	t.Helper()
	cc, err := NewChildren(c, path, opts...)
	require.NoError(t, err)
	return cc
}

func mustNode(t testing.TB, c *zk.Client, path string, opts ...Option) *NodeCache {
	t.Helper()
	nc, err := NewNode(c, path, opts...)
	require.NoError(t, err)
	return nc
}
