package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// TestTreeBigPipelined prints a big tree (-zkc.tree-nodes, 20,000 by
// default) and checks that zkc tree takes about as long as the same
// getChildren reads issued concurrently with no printing, measured in the
// same run. The server delays every reply by 2ms (pipelined, order kept),
// so a walk making one round trip per node would take N*2ms (40s for
// 20,000 nodes) and fail the bound by far.
func TestTreeBigPipelined(t *testing.T) {
	const latency = 2 * time.Millisecond
	s := testserver.New(t)
	c := client(t, s.ConnectString())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	const fanout = 100
	base := "/big"
	n := *treeNodes
	paths := []string{base}
	for i := range fanout {
		paths = append(paths, fmt.Sprintf("%s/p%03d", base, i))
	}
	for i := range n - fanout {
		paths = append(paths, fmt.Sprintf("%s/p%03d/n%06d", base, i%fanout, i))
	}
	// Parents first, then the leaves, concurrently.
	_, err := c.Create(ctx, base, nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	require.NoError(t, concurrently(ctx, paths[1:fanout+1], func(p string) error {
		_, err := c.Create(ctx, p, nil, zk.ModePersistent, nil)
		return err
	}))
	require.NoError(t, concurrently(ctx, paths[fanout+1:], func(p string) error {
		_, err := c.Create(ctx, p, nil, zk.ModePersistent, nil)
		return err
	}))
	s.SetLatency(latency)
	defer s.SetLatency(0)

	// The bound: every getChildren of the tree, all issued concurrently (the
	// paths are known up front, so no level-by-level wait), nothing printed.
	start := time.Now()
	require.NoError(t, concurrently(ctx, paths, func(p string) error {
		_, _, err := c.Children(ctx, p)
		return err
	}))
	bound := time.Since(start)

	cmd := exec.CommandContext(ctx, zkcBin, "--server", s.ConnectString(), "--timeout", "2m", "tree", base)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start = time.Now()
	require.NoError(t, cmd.Run(), errb.String())
	took := time.Since(start)

	require.Equal(t, len(paths), strings.Count(out.String(), "\n"), "one line per node")
	require.True(t, strings.HasPrefix(out.String(), base+"\n  p000\n    n000000\n"), out.String()[:64])
	t.Logf("%d nodes: zkc tree %v, concurrent reads without printing %v (%.1fx); one round trip per node would be >= %v",
		len(paths), took, bound, float64(took)/float64(bound), time.Duration(len(paths))*latency)
	// Generous: process start, connect, three levels of waiting, printing.
	require.Less(t, took, 5*bound+3*time.Second)
}

// concurrently calls f for each path with up to 256 calls in flight.
func concurrently(ctx context.Context, paths []string, f func(p string) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	work := make(chan string)
	for range 256 {
		wg.Go(func() {
			for p := range work {
				if err := f(p); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, p := range paths {
		if ctx.Err() != nil {
			break
		}
		work <- p
	}
	close(work)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
