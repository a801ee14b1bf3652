package election

import (
	"context"
	"errors"
	"strings"

	"github.com/zkcurator/zkcurator/recipes/internal/pause"
	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/zk"
)

// Leader is an election's leader as Observe reports it. The zero Leader
// (Node "") means the election has no participant.
type Leader struct {
	// ID is the participant id: the data of the leader's node.
	ID string
	// Node is the path of the leader's node.
	Node string
	// Token is the czxid of the leader's node: the fencing token the
	// leader uses (Latch.FencingToken, Selector.FencingToken).
	Token int64
}

// observeKey orders the nodes of either kind of election: a Latch's
// ("latch-") and a Selector's ("lock-").
var observeKey = seqnode.ByLockName(latchLockName, "lock-")

// Observe follows the leadership of the election on path — one run by
// Latches or by Selectors (Go or Curator) — without taking part in it,
// like etcd's Election.Observe. The channel first receives the current
// leader (the zero Leader when there is none), then each change: a new
// leader, or the zero Leader when the last participant left. Values are
// sent as the changes are seen; a reader that lags sees the latest state,
// not every intermediate one. The channel is closed when ctx ends or the
// client is closed. Failed reads are retried with a backoff.
//
// Observe fails at once on a nil client (ErrInvalidArgument), an invalid
// path (zk.ErrInvalidPath) or a closed client (zk.ErrClosed).
func Observe(ctx context.Context, c *zk.Client, path string) (<-chan Leader, error) {
	if err := seqnode.CheckArgs(c, path); err != nil {
		return nil, wrap("observe", path, err)
	}
	if seqnode.IsClosed(c) {
		return nil, wrap("observe", path, zk.ErrClosed)
	}
	out := make(chan Leader)
	go observe(ctx, c, path, out)
	return out, nil
}

// observe is Observe's goroutine.
func observe(ctx context.Context, c *zk.Client, path string, out chan<- Leader) {
	defer close(out)
	bo := pause.New()
	var last Leader
	sent := false
	for ctx.Err() == nil {
		cur, changed, err := currentLeader(ctx, c, path)
		if ctx.Err() != nil || errors.Is(err, zk.ErrClosed) {
			return
		}
		if err != nil {
			bo.Wait(ctx)
			continue
		}
		bo.Reset()
		if !sent || cur != last {
			select {
			case out <- cur:
				last, sent = cur, true
			case <-changed:
				continue // changed before it was taken: send the latest
			case <-ctx.Done():
				return
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return
		}
	}
}

// currentLeader reads the election's leader and returns a channel that
// fires when it may have changed (the children changed, the path was made,
// or the watch ended).
func currentLeader(ctx context.Context, c *zk.Client, path string) (Leader, <-chan zk.Event, error) {
	for {
		children, _, changed, err := c.ChildrenW(ctx, path)
		if errors.Is(err, zk.ErrNoNode) {
			ok, _, made, err := c.ExistsW(ctx, path)
			if err != nil {
				return Leader{}, nil, err
			}
			if ok {
				continue // made meanwhile: list it
			}
			return Leader{}, made, nil
		}
		if err != nil {
			return Leader{}, nil, err
		}
		children = participantNodes(children)
		seqnode.Sort(children, observeKey)
		for _, name := range children {
			node := zk.JoinPath(path, name)
			data, st, err := c.Get(ctx, node)
			if errors.Is(err, zk.ErrNoNode) {
				continue // gone meanwhile; the watch fires for it too
			}
			if err != nil {
				return Leader{}, nil, err
			}
			return Leader{ID: string(data), Node: node, Token: st.Czxid}, changed, nil
		}
		return Leader{}, changed, nil
	}
}

// participantNodes keeps the participant nodes among children.
func participantNodes(children []string) []string {
	out := children[:0]
	for _, n := range children {
		if strings.Contains(n, latchLockName) || strings.Contains(n, "lock-") {
			out = append(out, n)
		}
	}
	return out
}
