package harness

import (
	"context"
	"fmt"
	"time"

	gozk "github.com/go-zookeeper/zk"
	"github.com/zkcurator/zkcurator/zk"
)

// sessionTimeout is the session timeout the library clients ask for.
const sessionTimeout = 30 * time.Second

// checkLen rejects a getData reply that is not the benchmark node's data.
func checkLen(client string, data []byte) error {
	if len(data) != NodeSize {
		return fmt.Errorf("%s: get %s: %d bytes, want %d", client, NodePath, len(data), NodeSize)
	}
	return nil
}

// Zkcurator drives one github.com/zkcurator/zkcurator/zk session.
type Zkcurator struct {
	conn *zk.Conn
	data []byte
}

// DialZkcurator opens a zkcurator session to addr.
func DialZkcurator(ctx context.Context, addr string) (*Zkcurator, error) {
	conn, err := zk.Dial(ctx, addr, zk.WithSessionTimeout(sessionTimeout))
	if err != nil {
		return nil, fmt.Errorf("zkcurator: dial %s: %w", addr, err)
	}
	return &Zkcurator{conn: conn, data: NodeData()}, nil
}

// Run implements Driver.
func (z *Zkcurator) Run(ctx context.Context, op Op, g, n int) error {
	switch op {
	case OpGet:
		return parallel(ctx, g, n, func(ctx context.Context) error {
			data, _, err := z.conn.Get(ctx, NodePath)
			if err != nil {
				return fmt.Errorf("zkcurator: %w", err)
			}
			return checkLen("zkcurator", data)
		})
	case OpSet:
		return parallel(ctx, g, n, func(ctx context.Context) error {
			if _, err := z.conn.Set(ctx, NodePath, z.data, -1); err != nil {
				return fmt.Errorf("zkcurator: %w", err)
			}
			return nil
		})
	}
	return fmt.Errorf("zkcurator: unknown op %v", op)
}

// Close implements Driver.
func (z *Zkcurator) Close() error { return z.conn.Close() }

// Gozk drives one github.com/go-zookeeper/zk session.
type Gozk struct {
	conn *gozk.Conn
	data []byte
}

// nopLogger silences go-zookeeper.
type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

// DialGozk opens a go-zookeeper session to addr and waits until the session
// is established or ctx ends.
func DialGozk(ctx context.Context, addr string) (*Gozk, error) {
	return dialGozk(ctx, addr, nil)
}

// dialGozk is DialGozk with a dialer (nil: go-zookeeper's own).
func dialGozk(ctx context.Context, addr string, dialer gozk.Dialer) (*Gozk, error) {
	dial := func(*gozk.Conn) {}
	if dialer != nil {
		dial = gozk.WithDialer(dialer)
	}
	conn, events, err := gozk.Connect([]string{addr}, sessionTimeout,
		gozk.WithLogger(nopLogger{}), gozk.WithLogInfo(false), dial)
	if err != nil {
		return nil, fmt.Errorf("gozk: connect %s: %w", addr, err)
	}
	for {
		select {
		case ev := <-events:
			if ev.State == gozk.StateHasSession {
				// The event channel drops events when full, so it needs no reader.
				return &Gozk{conn: conn, data: NodeData()}, nil
			}
		case <-ctx.Done():
			conn.Close()
			return nil, fmt.Errorf("gozk: connect %s: %w", addr, ctx.Err())
		}
	}
}

// Run implements Driver. go-zookeeper takes no context: ctx is not
// consulted (its calls time out by themselves when the session is lost).
func (z *Gozk) Run(ctx context.Context, op Op, g, n int) error {
	switch op {
	case OpGet:
		return parallel(ctx, g, n, func(ctx context.Context) error {
			data, _, err := z.conn.Get(NodePath)
			if err != nil {
				return fmt.Errorf("gozk: get %s: %w", NodePath, err)
			}
			return checkLen("gozk", data)
		})
	case OpSet:
		return parallel(ctx, g, n, func(ctx context.Context) error {
			if _, err := z.conn.Set(NodePath, z.data, -1); err != nil {
				return fmt.Errorf("gozk: set %s: %w", NodePath, err)
			}
			return nil
		})
	}
	return fmt.Errorf("gozk: unknown op %v", op)
}

// Close implements Driver.
func (z *Gozk) Close() error {
	z.conn.Close()
	return nil
}
