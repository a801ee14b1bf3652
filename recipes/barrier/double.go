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
// and Leave of one value must not overlap. Make one with NewDouble: the
// methods of a zero DoubleBarrier fail with an invalid-argument error.
type DoubleBarrier struct {
	client  *zk.Client
	path    string
	members int

	mu    sync.Mutex
	name  string   // our node's name; "" when not entered
	round []string // the members of the round we entered, sorted; our own name included
	ready int64    // czxid of the round's ready node
}

// NewDouble returns a member of the double barrier on path for members
// members. It does not talk to ZooKeeper. It fails on a nil client or
// members below 1 (ErrInvalidArgument), or an invalid path
// (zk.ErrInvalidPath).
func NewDouble(client *zk.Client, path string, members int) (*DoubleBarrier, error) {
	if err := seqnode.CheckArgs(client, path); err != nil {
		return nil, wrap("new double", path, err)
	}
	if members < 1 {
		return nil, wrap("new double", path, seqnode.Invalid("members %d < 1", members))
	}
	return &DoubleBarrier{client: client, path: path, members: members}, nil
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
	if d == nil || d.client == nil {
		return errNotMade
	}
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
	var since int64 // czxid of the first node we made: a ready node older than it is stale
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
			o, czxid, err := d.makeNode(ctx, ours, -owner)
			if err != nil {
				return d.abandon(ctx, ours, "enter", err)
			}
			owner = o
			if since == 0 {
				since = czxid
			}
		}
		ready, ch, err := d.checkEntered(ctx, since)
		if err != nil {
			return d.abandon(ctx, ours, "enter", err)
		}
		if ready != 0 {
			round, err := d.roundMembers(ctx, name, ready)
			if err != nil {
				return d.abandon(ctx, ours, "enter", err)
			}
			d.mu.Lock()
			d.name, d.round, d.ready = name, round, ready
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
// that session and the node's czxid. stale, if not 0, is the session of a
// node of ours made before, which must not count.
func (d *DoubleBarrier) makeNode(ctx context.Context, path string, stale int64) (owner, czxid int64, err error) {
	for {
		_, st, err := d.client.CreateWith(ctx, path, nil, zk.CreateOptions{
			Mode:                   zk.ModeEphemeral,
			CreateParentContainers: true,
		})
		if err == nil {
			return st.EphemeralOwner, st.Czxid, nil
		}
		if !errors.Is(err, zk.ErrNodeExists) {
			return 0, 0, err
		}
		// Made by an earlier attempt whose reply was lost, or by a session
		// of ours that ended: keep it only if the current session owns it.
		ok, st, err := d.client.Exists(ctx, path)
		if err != nil {
			return 0, 0, err
		}
		if ok && st.EphemeralOwner == d.client.SessionID() && st.EphemeralOwner != stale {
			return st.EphemeralOwner, st.Czxid, nil
		}
		if ok {
			if err := d.client.Delete(ctx, path, -1); err != nil && !errors.Is(err, zk.ErrNoNode) {
				return 0, 0, err
			}
		}
	}
}

// checkEntered returns the czxid of the ready node that releases this
// member, or 0 and a channel that fires when the ready node is made or
// deleted. A ready node made before since (the czxid of this member's
// first node) is stale: it is a round that started before this member
// arrived and whose members are still leaving (or all vanished). When
// this member completes the count, it makes ready (replacing a stale one).
func (d *DoubleBarrier) checkEntered(ctx context.Context, since int64) (int64, <-chan zk.Event, error) {
	ready := d.child(readyNode)
	ok, st, ch, err := d.client.ExistsW(ctx, ready)
	if err != nil {
		return 0, nil, err
	}
	if ok && st.Czxid > since {
		return st.Czxid, nil, nil
	}
	children, _, err := d.client.Children(ctx, d.path)
	if err != nil {
		return 0, nil, err
	}
	if len(members(children)) < d.members {
		return 0, ch, nil
	}
	if ok {
		// A stale ready whose round nobody is going to clean up in time:
		// replace it (its members' Leave only deletes its own round's).
		err := d.client.Delete(ctx, ready, st.Version)
		if err != nil && !errors.Is(err, zk.ErrNoNode) && !errors.Is(err, zk.ErrBadVersion) {
			return 0, nil, err
		}
	}
	_, st, err = d.client.CreateWith(ctx, ready, nil, zk.CreateOptions{Mode: zk.ModePersistent})
	if err == nil {
		return st.Czxid, nil, nil
	}
	if !errors.Is(err, zk.ErrNodeExists) {
		return 0, nil, err
	}
	// Made by another member after we looked: look again.
	return d.checkEntered(ctx, since)
}

// roundMembers returns the sorted names of the members of the round that
// the ready node with czxid ready released: the member nodes made before
// it, and ours. Nodes made after it belong to the next round (members
// that finished this round and entered again, or late arrivals), which
// Leave must not wait for.
func (d *DoubleBarrier) roundMembers(ctx context.Context, ours string, ready int64) ([]string, error) {
	children, _, err := d.client.Children(ctx, d.path)
	if err != nil {
		return nil, err
	}
	round := []string{ours}
	for _, name := range members(children) {
		if name == ours {
			continue
		}
		ok, st, err := d.client.Exists(ctx, d.child(name))
		if err != nil {
			return nil, err
		}
		if ok && st.Czxid < ready {
			round = append(round, name)
		}
	}
	slices.Sort(round)
	return round, nil
}

// abandon deletes our node after a failed Enter and returns err wrapped.
// The node's name is unique to this Enter and nothing makes it again after
// abandon, so the guaranteed delete needs no zk.OnlyIncarnation (whose
// czxid may not be known here: the create may have failed).
func (d *DoubleBarrier) abandon(ctx context.Context, path, op string, err error) error {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupBudget)
	defer cancel()
	_, _ = d.client.DeleteGuaranteed(dctx, path, -1)
	return wrap(op, d.path, err)
}

// Leave deletes this member's node and blocks until every member's node
// of the round it entered is gone, then deletes that round's "ready".
// Members whose sessions ended count as gone; members that entered the
// barrier again (the next round) do not count. It fails with
// ErrNotEntered when this member has not entered, with ErrNodeLost when
// this member's own node vanished before it left (its session expired
// after Enter), or with ctx's error; after ErrNodeLost (or completion) the
// member may Enter again.
func (d *DoubleBarrier) Leave(ctx context.Context) error {
	if d == nil || d.client == nil {
		return errNotMade
	}
	d.mu.Lock()
	name, round, ready := d.name, d.round, d.ready
	d.mu.Unlock()
	if name == "" {
		return wrap("leave", d.path, ErrNotEntered)
	}
	err := d.leave(ctx, name, round, ready)
	if err == nil || errors.Is(err, ErrNodeLost) {
		d.mu.Lock()
		d.name, d.round, d.ready = "", nil, 0
		d.mu.Unlock()
	}
	return wrap("leave", d.path, err)
}

// leave is Curator's protocol restricted to the round's members: the
// lowest member waits for the highest and deletes its node last; the
// others delete theirs and wait for the lowest. Every member returns only
// once all the round's nodes are gone, so a node made after that belongs
// to the next round.
func (d *DoubleBarrier) leave(ctx context.Context, name string, round []string, ready int64) error {
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
		children = slices.DeleteFunc(children, func(n string) bool {
			_, found := slices.BinarySearch(round, n)
			return !found
		})
		slices.Sort(children)
		i := slices.Index(children, name)
		if i < 0 && ourShouldExist {
			return fmt.Errorf("%w: %s", ErrNodeLost, ours)
		}
		if len(children) == 0 {
			break
		}
		if len(children) == 1 && ourShouldExist {
			// Only we remain.
			if err := d.deleteOurs(ctx, ours); err != nil {
				return err
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
	return d.deleteReady(ctx, ready)
}

// deleteReady deletes the ready node if it is the one of our round (the
// next round's may exist already).
func (d *DoubleBarrier) deleteReady(ctx context.Context, czxid int64) error {
	path := d.child(readyNode)
	ok, st, err := d.client.Exists(ctx, path)
	if err != nil || !ok || st.Czxid != czxid {
		return err
	}
	err = d.client.Delete(ctx, path, st.Version)
	if err != nil && !errors.Is(err, zk.ErrNoNode) && !errors.Is(err, zk.ErrBadVersion) {
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
