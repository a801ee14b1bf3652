package seqnode

import (
	"context"
	"time"

	"github.com/zkcurator/zkcurator/zk"
)

// discardBudget bounds the first attempt to delete a node made after its
// creator gave up, and how long CreateDetached waits for an interrupted
// create to finish; the client's guaranteed delete keeps trying after that.
const discardBudget = 5 * time.Second

// CreateDetached is Create with a create that ctx does not interrupt: a
// protected create whose reply is lost to a cancellation would leave a
// node nobody drives (a lock waiter that blocks everyone, or an election
// participant that may become leader and never act). When ctx ends first,
// CreateDetached waits briefly for the create in flight to finish (it
// normally does within a round trip) and deletes the node before returning
// ctx's error, so nothing is left behind; if even that takes too long (no
// connection), it returns and the node, once made, is deleted in the
// background with a guaranteed delete. The background create ends with the
// client's retry policy (or the client's Close).
func CreateDetached(ctx context.Context, c *zk.Client, parent, lockName string, data []byte) (*Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type result struct {
		n   *Node
		err error
	}
	ch := make(chan result) // unbuffered: the result is taken here or left to the goroutine
	abandoned := make(chan struct{})
	go func() {
		n, err := Create(context.WithoutCancel(ctx), c, parent, lockName, data)
		select {
		case ch <- result{n, err}:
		case <-abandoned:
			if n != nil {
				Discard(ctx, c, n.Path)
			}
		}
	}()
	select {
	case r := <-ch:
		return r.n, r.err
	case <-ctx.Done():
	}
	t := time.NewTimer(discardBudget)
	defer t.Stop()
	select {
	case r := <-ch:
		if r.n != nil {
			Discard(ctx, c, r.n.Path)
		}
	case <-t.C:
		close(abandoned)
	}
	return nil, ctx.Err()
}

// Discard deletes a node of ours with a guaranteed delete and returns the
// channel closed once it is gone. The first attempt is bounded by a fresh
// budget when ctx has ended; later ones run in the client's background.
func Discard(ctx context.Context, c *zk.Client, path string) <-chan struct{} {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), discardBudget)
	defer cancel()
	done, _ := c.DeleteGuaranteed(dctx, path, -1)
	return done
}
