package harness

import (
	"context"
	"fmt"

	"github.com/zkcurator/zkcurator/zk"
)

// ZkcuratorAsync drives one github.com/zkcurator/zkcurator/zk session
// through its asynchronous API: one goroutine keeps g requests in flight
// (GetAsync/SetAsync futures in a ring) and reads their results in
// order, as the raw loop keeps g requests in flight with one writer and
// one reader.
type ZkcuratorAsync struct {
	conn *zk.Conn
	data []byte
}

// DialZkcuratorAsync opens a zkcurator session to addr for the
// asynchronous driver.
func DialZkcuratorAsync(ctx context.Context, addr string) (*ZkcuratorAsync, error) {
	conn, err := zk.Dial(ctx, addr, zk.WithSessionTimeout(sessionTimeout))
	if err != nil {
		return nil, fmt.Errorf("zkcurator-async: dial %s: %w", addr, err)
	}
	return &ZkcuratorAsync{conn: conn, data: NodeData()}, nil
}

// Run implements Driver: n requests of op, g in flight, from the calling
// goroutine.
func (z *ZkcuratorAsync) Run(ctx context.Context, op Op, g, n int) error {
	g = max(g, 1)
	switch op {
	case OpGet:
		return pipelineAsync(g, n, func() *zk.GetFuture { return z.conn.GetAsync(ctx, NodePath) },
			func(f *zk.GetFuture) error {
				data, _, err := f.Result()
				if err != nil {
					return fmt.Errorf("zkcurator-async: %w", err)
				}
				return checkLen("zkcurator-async", data)
			})
	case OpSet:
		return pipelineAsync(g, n, func() *zk.SetFuture { return z.conn.SetAsync(ctx, NodePath, z.data, -1) },
			func(f *zk.SetFuture) error {
				if _, err := f.Result(); err != nil {
					return fmt.Errorf("zkcurator-async: %w", err)
				}
				return nil
			})
	}
	return fmt.Errorf("zkcurator-async: unknown op %v", op)
}

// pipelineAsync starts n calls with at most g unanswered, taking each
// result (oldest first) before starting the call that replaces it. On an
// error it still waits for the calls in flight, so none outlives Run.
func pipelineAsync[F any](g, n int, start func() F, result func(F) error) error {
	k := min(g, n)
	ring := make([]F, k)
	for i := range ring {
		ring[i] = start()
	}
	var first error
	for done, started := 0, k; done < started; done++ {
		slot := done % k // started-k == done: the next call goes into this slot
		if err := result(ring[slot]); err != nil && first == nil {
			first = err
		}
		if started < n && first == nil {
			ring[slot] = start()
			started++
		}
	}
	return first
}

// Close implements Driver.
func (z *ZkcuratorAsync) Close() error { return z.conn.Close() }
