package main

import (
	"context"
	"errors"
	"path"
	"sort"
	"sync"

	"github.com/spf13/cobra"

	"github.com/zkcurator/zkcurator/zk"
)

// walkWorkers bounds the reads in flight during a walk. The Client
// pipelines requests from concurrent goroutines on one connection, so a
// level of the tree costs about one round trip, not one per node.
const walkWorkers = 256

// node is one znode seen by a walk.
type node struct {
	Path     string
	Stat     *zk.Stat
	Children []string // sorted names
	Depth    int
}

// subtree connects (bounded by --timeout, as connect) and reads the subtree
// of p, maxDepth levels deep (-1: all): the start of ls, tree, find and
// ephemerals.
func (a *app) subtree(cmd *cobra.Command, p string, maxDepth int) (map[string]*node, error) {
	ctx, c, cancel, err := a.connect(cmd)
	defer cancel()
	if err != nil {
		return nil, err
	}
	return walk(ctx, c, p, maxDepth)
}

// walk reads root and its descendants down to maxDepth (< 0: no limit)
// level by level, with up to walkWorkers getChildren requests in flight.
// Nodes that vanish during the walk are left out; root missing is an error.
func walk(ctx context.Context, c *zk.Client, root string, maxDepth int) (map[string]*node, error) {
	nodes := make(map[string]*node)
	level := []string{root}
	for depth := 0; len(level) > 0; depth++ {
		got, err := readLevel(ctx, c, level, depth)
		if err != nil {
			return nil, err
		}
		var next []string
		for _, n := range got {
			nodes[n.Path] = n
			if maxDepth >= 0 && depth >= maxDepth {
				continue
			}
			for _, name := range n.Children {
				next = append(next, joinPath(n.Path, name))
			}
		}
		if depth == 0 && len(got) == 0 {
			return nil, &zk.OpError{Op: "children", Path: root, Err: zk.ErrNoNode}
		}
		level = next
	}
	return nodes, nil
}

// readLevel lists the children of every path in paths concurrently.
func readLevel(ctx context.Context, c *zk.Client, paths []string, depth int) ([]*node, error) {
	out := make([]*node, len(paths))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	work := make(chan int)
	workers := min(walkWorkers, len(paths))
	for range workers {
		wg.Go(func() {
			for i := range work {
				children, st, err := c.Children(ctx, paths[i])
				if err != nil {
					if errors.Is(err, zk.ErrNoNode) && depth > 0 {
						continue
					}
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				sort.Strings(children)
				out[i] = &node{Path: paths[i], Stat: st, Children: children, Depth: depth}
			}
		})
	}
	for i := range paths {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := out[:0]
	for _, n := range out {
		if n != nil {
			res = append(res, n)
		}
	}
	return res, nil
}

// forEach calls f for every path concurrently, up to walkWorkers at a time,
// and returns the first error f returned.
func forEach(ctx context.Context, paths []string, f func(i int, p string) error) error {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	work := make(chan int)
	for range min(walkWorkers, len(paths)) {
		wg.Go(func() {
			for i := range work {
				if err := f(i, paths[i]); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range paths {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// preorder returns the walked paths depth-first with children sorted, the
// order tree and ls -R print.
func preorder(nodes map[string]*node, root string) []*node {
	var out []*node
	var visit func(p string)
	visit = func(p string) {
		n, ok := nodes[p]
		if !ok {
			return
		}
		out = append(out, n)
		for _, name := range n.Children {
			visit(joinPath(p, name))
		}
	}
	visit(root)
	return out
}

// joinPath joins a parent path and a child name.
func joinPath(parent, name string) string {
	if parent == "/" {
		return "/" + name
	}
	return parent + "/" + name
}

// cleanPaths is cleanPath for each argument, in order.
func cleanPaths(args ...string) ([]string, error) {
	ps := make([]string, len(args))
	for i, arg := range args {
		p, err := cleanPath(arg)
		if err != nil {
			return nil, err
		}
		ps[i] = p
	}
	return ps, nil
}

// cleanPath validates a path argument: absolute, no trailing slash.
func cleanPath(p string) (string, error) {
	if len(p) > 1 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	if err := zk.ValidatePath(p, false); err != nil {
		return "", usageErr{err}
	}
	return path.Clean(p), nil
}
