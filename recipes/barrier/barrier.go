// Package barrier provides barriers on ZooKeeper, wire compatible with
// Apache Curator 5.x's DistributedBarrier and DistributedDoubleBarrier.
//
// A Barrier is one node: while it exists, Wait blocks. Set makes it
// (a persistent node, parents as containers), Remove deletes it.
//
// A DoubleBarrier lets a fixed number of members start a computation
// together and finish it together. Each member makes an ephemeral node
// "<path>/<uuid>" when it enters; the member that sees the count reach
// the number of members makes "<path>/ready", which releases everyone
// from Enter. Leave deletes the member's node and returns when every
// member's node is gone (the protocol of Curator's double barrier: the
// lowest node waits for the highest, the others delete theirs and wait
// for the lowest), then deletes "ready".
//
// Rounds. The same members may use one path again and again (Enter, Leave,
// Enter, ...), with the same DoubleBarrier values or new ones. A round is
// the set of member nodes made before its "ready" node: Leave waits only
// for those, so a member that already left and entered the next round is
// not mistaken for one still leaving; and Enter is released only by a
// "ready" node made after it arrived, never by the previous round's.
//
// Sessions that end mid-barrier. A member's node is ephemeral, so a
// member whose session expires disappears from the barrier:
//   - While it waits in Enter, Enter makes its node again in the new
//     session and keeps waiting, so the count can still be reached.
//   - After it entered, its node is simply gone: the other members' Leave
//     completes without it (its absence counts as having left). Its own
//     Leave fails with ErrNodeLost: it was not there to the end.
//   - A member that never enters (crashed before Enter) keeps the others
//     in Enter until their ctx ends: Enter is bounded only by its context.
//
// Nobody is stuck forever: Enter and Leave return with completion, a
// clear error, or their context's error.
package barrier

import (
	"context"
	"errors"
	"fmt"

	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/zk"
)

// Errors of this package. Match them with errors.Is.
var (
	// ErrNodeLost: the member's node was deleted before Leave finished —
	// its session expired (or someone deleted it) after it entered.
	ErrNodeLost = errors.New("barrier: member node lost")
	// ErrNotEntered: Leave of a DoubleBarrier that has not entered.
	ErrNotEntered = errors.New("barrier: not entered")
	// ErrEntered: Enter of a DoubleBarrier that entered already.
	ErrEntered = errors.New("barrier: already entered")
)

// Barrier blocks processes until the barrier node is removed (Curator's
// DistributedBarrier). It is safe for concurrent use. Make one with New:
// the methods of a zero Barrier fail with an invalid-argument error.
// A Barrier holds nothing between calls, so it has no Close.
type Barrier struct {
	client *zk.Client
	path   string
}

// New returns a Barrier on path. It does not talk to ZooKeeper. It fails
// on a nil client (ErrInvalidArgument) or an invalid path
// (zk.ErrInvalidPath).
func New(client *zk.Client, path string) (*Barrier, error) {
	if err := seqnode.CheckArgs(client, path); err != nil {
		return nil, wrap("new", path, err)
	}
	return &Barrier{client: client, path: path}, nil
}

// errNotMade is returned by the methods of a Barrier or DoubleBarrier not
// made by New or NewDouble.
var errNotMade = seqnode.Invalid("barrier: value not made by New or NewDouble")

// Path returns the barrier node's path.
func (b *Barrier) Path() string { return b.path }

// Set raises the barrier: it makes the barrier node (a persistent node;
// missing parents as containers). A barrier set already is not an error.
func (b *Barrier) Set(ctx context.Context) error {
	if b == nil || b.client == nil {
		return errNotMade
	}
	_, _, err := b.client.CreateWith(ctx, b.path, nil, zk.CreateOptions{
		Mode:                   zk.ModePersistent,
		CreateParentContainers: true,
	})
	if errors.Is(err, zk.ErrNodeExists) {
		return nil
	}
	return wrap("set", b.path, err)
}

// Remove lowers the barrier: it deletes the barrier node, releasing the
// waiters. A barrier not set is not an error.
func (b *Barrier) Remove(ctx context.Context) error {
	if b == nil || b.client == nil {
		return errNotMade
	}
	err := b.client.Delete(ctx, b.path, -1)
	if errors.Is(err, zk.ErrNoNode) {
		return nil
	}
	return wrap("remove", b.path, err)
}

// Wait blocks until the barrier node does not exist (at once when it does
// not), or ctx ends.
func (b *Barrier) Wait(ctx context.Context) error {
	if b == nil || b.client == nil {
		return errNotMade
	}
	for {
		ok, _, ch, err := b.client.ExistsW(ctx, b.path)
		if err != nil {
			return wrap("wait", b.path, err)
		}
		if !ok {
			return nil
		}
		select {
		case <-ch:
			// Deleted, or the watch ended (session lost): look again.
		case <-ctx.Done():
			return wrap("wait", b.path, ctx.Err())
		}
	}
}

// wrap adds the operation and path to err.
func wrap(op, path string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("barrier: %s %s: %w", op, path, err)
}
