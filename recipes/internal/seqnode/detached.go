package seqnode

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/zkcurator/zkcurator/zk"
)

// discardBudget bounds the first attempt to delete a node made after its
// creator gave up (Discard, and CreateDetached's clean-up after an
// interrupted create); the client's guaranteed delete, or CreateDetached's
// background clean-up, keeps trying after that.
const discardBudget = 5 * time.Second

// CreateDetached is Create that leaves nothing behind when ctx ends during
// the create: a protected create whose reply is lost to a cancellation
// would leave a node nobody drives (a lock waiter that blocks everyone, or
// an election participant that may become leader and never act). The
// create runs on the caller's goroutine and returns as soon as ctx ends;
// the node it may have made is then found by its protected name (after a
// sync, so a lagging server has seen the create) and deleted before
// CreateDetached returns ctx's error, within discardBudget. If that cannot
// be done in time (no connection), it goes on in the background until it
// succeeds, the budget of cleanupBudget passes, or the client is closed.
func CreateDetached(ctx context.Context, c *zk.Client, parent, lockName string, data []byte) (*Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	id := zk.NewUUID()
	n, err := create(ctx, c, parent, lockName, data, id)
	if err == nil || ctx.Err() == nil {
		return n, err
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), discardBudget)
	defer cancel()
	if cleanupProtected(cctx, c, parent, id) != nil {
		go func() {
			bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupBudget)
			defer cancel()
			for cleanupProtected(bctx, c, parent, id) != nil && bctx.Err() == nil {
				t := time.NewTimer(100 * time.Millisecond)
				select {
				case <-t.C:
				case <-bctx.Done():
					t.Stop()
				}
			}
		}()
	}
	return nil, ctx.Err()
}

// cleanupBudget bounds the background search for a node left by an
// abandoned create; the node is ephemeral, so it goes with its session at
// the latest.
const cleanupBudget = time.Minute

// cleanupProtected deletes the child of parent made by a create with
// protected id, if there is one. It fails while the client cannot reach
// a server (or is closed: then the session and the node are gone anyway,
// and it reports nil).
func cleanupProtected(ctx context.Context, c *zk.Client, parent, id string) error {
	if _, err := c.Sync(ctx, parent); err != nil && !errors.Is(err, zk.ErrNoNode) {
		return closedIsDone(err)
	}
	children, _, err := c.Children(ctx, parent)
	if errors.Is(err, zk.ErrNoNode) {
		return nil
	}
	if err != nil {
		return closedIsDone(err)
	}
	prefix := zk.ProtectedPrefix + id + "-"
	for _, name := range children {
		if strings.HasPrefix(name, prefix) {
			err := c.Delete(ctx, zk.JoinPath(parent, name), zk.AnyVersion)
			if err != nil && !errors.Is(err, zk.ErrNoNode) {
				return closedIsDone(err)
			}
		}
	}
	return nil
}

func closedIsDone(err error) error {
	if errors.Is(err, zk.ErrClosed) {
		return nil
	}
	return err
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
