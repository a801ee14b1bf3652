package barrier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/zk"
)

// readyNode is the name of the node that releases the members from Enter
// (Curator's DistributedDoubleBarrier READY_NODE).
const readyNode = "ready"

// cleanupBudget bounds the first attempt to delete our node after a failed
// Enter; the client's guaranteed delete keeps trying after that.
const cleanupBudget = 5 * time.Second

// DoubleBarrier lets a fixed number of members enter a computation
// together and leave it together (Curator's DistributedDoubleBarrier).
// Each member uses its own DoubleBarrier value: Enter, do the work, Leave.
// See the package documentation for what happens when a member's session
// ends mid-barrier. A DoubleBarrier is safe for concurrent use, but Enter
// and Leave of one value must not overlap.
type DoubleBarrier struct {
	client  *zk.Client
	path    string
	members int

	mu   sync.Mutex
	name string // our node's name; "" when not entered
}

// NewDouble returns a member of the double barrier on path for members
// members (at least 1). It does not talk to ZooKeeper.
func NewDouble(client *zk.Client, path string, members int) *DoubleBarrier {
	return &DoubleBarrier{client: client, path: path, members: max(members, 1)}
}

// Path returns the barrier's path.
func (d *DoubleBarrier) Path() string { return d.path }

func (d *DoubleBarrier) child(name string) string {
	if d.path == "/" {
		return "/" + name
	}
	return d.path + "/" + name
}

// Enter makes this member's node and blocks until all members have
// entered ("<path>/ready" exists), or ctx ends. If this member's session
// is lost while it waits, its node is made again in the new session. If
// ctx ends first, the node is deleted and ctx's error returned.
func (d *DoubleBarrier) Enter(ctx context.Context) error {
	d.mu.Lock()
	if d.name != "" {
		d.mu.Unlock()
		return wrap("enter", d.path, ErrEntered)
	}
	d.mu.Unlock()
	name := zk.NewUUID()
	ours := d.child(name)
	// A session lost after our node was made but before the ready watch
	// was set leaves that watch in the new session, where it will never
	// report the loss: listen for Lost as well, from before the node is
	// made.
	lost, unlisten := seqnode.NotifyLost(d.client)
	defer unlisten()
	var owner int64 // session of our node; 0: not made yet
	for {
		// Look at our node each time: after a session ends, the client's
		// session id may still be the old one for a moment, but a read
		// goes to the current session.
		if owner != 0 {
			ok, st, err := d.client.Exists(ctx, ours)
			if err != nil {
				return d.abandon(ctx, ours, "enter", err)
			}
			if !ok || st.EphemeralOwner != owner || owner != d.client.SessionID() {
				owner = 0 - owner // stale: must not be kept
			}
		}
		if owner <= 0 {
			o, err := d.makeNode(ctx, ours, -owner)
			if err != nil {
				return d.abandon(ctx, ours, "enter", err)
			}
			owner = o
		}
		entered, ch, err := d.checkEntered(ctx)
		if err != nil {
			return d.abandon(ctx, ours, "enter", err)
		}
		if entered {
			d.mu.Lock()
			d.name = name
			d.mu.Unlock()
			return nil
		}
		select {
		case <-ch:
			// ready made, or the watch ended (session lost): look again.
		case <-lost:
			// Our node may have gone with the session: look again.
		case <-ctx.Done():
			return d.abandon(ctx, ours, "enter", ctx.Err())
		}
	}
}

// makeNode makes our ephemeral node in the current session and returns
// that session. stale, if not 0, is the session of a node of ours made
// before, which must not count.
func (d *DoubleBarrier) makeNode(ctx context.Context, path string, stale int64) (int64, error) {
	for {
		_, st, err := d.client.CreateWith(ctx, path, nil, zk.CreateOptions{
			Mode:                   zk.ModeEphemeral,
			CreateParentContainers: true,
		})
		if err == nil {
			return st.EphemeralOwner, nil
		}
		if !errors.Is(err, zk.ErrNodeExists) {
			return 0, err
		}
		// Made by an earlier attempt whose reply was lost, or by a session
		// of ours that ended: keep it only if the current session owns it.
		ok, st, err := d.client.Exists(ctx, path)
		if err != nil {
			return 0, err
		}
		if ok && st.EphemeralOwner == d.client.SessionID() && st.EphemeralOwner != stale {
			return st.EphemeralOwner, nil
		}
		if ok {
			if err := d.client.Delete(ctx, path, -1); err != nil && !errors.Is(err, zk.ErrNoNode) {
				return 0, err
			}
		}
	}
}

// checkEntered reports whether the barrier is released; if it is not, ch
// fires when "ready" is made. When this member completes the count, it
// makes "ready".
func (d *DoubleBarrier) checkEntered(ctx context.Context) (bool, <-chan zk.Event, error) {
	ready := d.child(readyNode)
	ok, _, ch, err := d.client.ExistsW(ctx, ready)
	if err != nil || ok {
		return ok, nil, err
	}
	children, _, err := d.client.Children(ctx, d.path)
	if err != nil {
		return false, nil, err
	}
	if len(members(children)) < d.members {
		return false, ch, nil
	}
	_, err = d.client.Create(ctx, ready, nil, zk.ModePersistent, nil)
	if err != nil && !errors.Is(err, zk.ErrNodeExists) {
		return false, nil, err
	}
	return true, nil, nil
}

// abandon deletes our node after a failed Enter and returns err wrapped.
func (d *DoubleBarrier) abandon(ctx context.Context, path, op string, err error) error {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupBudget)
	defer cancel()
	_, _ = d.client.DeleteGuaranteed(dctx, path, -1)
	return wrap(op, d.path, err)
}

// Leave deletes this member's node and blocks until every member's node
// is gone, then deletes "ready". Members whose sessions ended count as
// gone. It fails with ErrNotEntered when this member has not entered,
// with ErrNodeLost when this member's own node vanished before it left
// (its session expired after Enter), or with ctx's error; after
// ErrNodeLost (or completion) the member may Enter again.
func (d *DoubleBarrier) Leave(ctx context.Context) error {
	d.mu.Lock()
	name := d.name
	d.mu.Unlock()
	if name == "" {
		return wrap("leave", d.path, ErrNotEntered)
	}
	err := d.leave(ctx, name)
	if err == nil || errors.Is(err, ErrNodeLost) {
		d.mu.Lock()
		d.name = ""
		d.mu.Unlock()
	}
	return wrap("leave", d.path, err)
}

func (d *DoubleBarrier) leave(ctx context.Context, name string) error {
	ours := d.child(name)
	ourShouldExist := true
	for {
		children, _, err := d.client.Children(ctx, d.path)
		if errors.Is(err, zk.ErrNoNode) {
			children, err = nil, nil
		}
		if err != nil {
			return err
		}
		children = members(children)
		slices.Sort(children)
		i := slices.Index(children, name)
		if i < 0 && ourShouldExist {
			return fmt.Errorf("%w: %s", ErrNodeLost, ours)
		}
		if len(children) == 0 {
			break
		}
		if len(children) == 1 {
			// Only we, or only the lowest member (who leaves last), remain.
			if ourShouldExist {
				if err := d.deleteOurs(ctx, ours); err != nil {
					return err
				}
			}
			break
		}
		var watch string
		if i == 0 {
			// The lowest member leaves last: wait for the highest.
			watch = children[len(children)-1]
		} else {
			watch = children[0]
			if ourShouldExist {
				if err := d.deleteOurs(ctx, ours); err != nil {
					return err
				}
				ourShouldExist = false
			}
		}
		ok, _, ch, err := d.client.ExistsW(ctx, d.child(watch))
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := d.client.Delete(ctx, d.child(readyNode), -1)
	if err != nil && !errors.Is(err, zk.ErrNoNode) {
		return err
	}
	return nil
}

func (d *DoubleBarrier) deleteOurs(ctx context.Context, path string) error {
	err := d.client.Delete(ctx, path, -1)
	if errors.Is(err, zk.ErrNoNode) {
		return fmt.Errorf("%w: %s", ErrNodeLost, path)
	}
	return err
}

// members returns the member nodes among a barrier's children: all but
// "ready".
func members(children []string) []string {
	return slices.DeleteFunc(slices.Clone(children), func(n string) bool { return n == readyNode })
}
