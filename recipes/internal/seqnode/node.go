package seqnode

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zkcurator/zkcurator/zk"
)

// Errors of this package. Match them with errors.Is.
var (
	// ErrNodeGone: our node is no longer among the children (deleted by
	// someone, or gone with a lost session). Create a new one to continue.
	ErrNodeGone = errors.New("seqnode: our node is gone")
	// ErrNotOwner: our node belongs to a session that is not the client's
	// current one (the session was lost). It must not be counted as ours.
	ErrNotOwner = errors.New("seqnode: our node belongs to an earlier session")
	// ErrExpired: the wait bound given to await passed.
	ErrExpired = errors.New("seqnode: wait time expired")
	// ErrHoldLost is the cause of a Hold's context when holding stopped
	// being safe: the connection state (per the client's error policy), the
	// node's deletion, or the session's end.
	ErrHoldLost = errors.New("hold lost")
	// ErrUnsafe: a hold could not start because the connection state is
	// one the client's error policy counts as an error (e.g. Suspended).
	ErrUnsafe = errors.New("seqnode: connection state does not allow holding")
)

// Node is a sequential node we created.
type Node struct {
	Path  string // full path
	Name  string // last path element
	Owner int64  // session that created it (its ephemeralOwner)
	Czxid int64  // zxid of its creation: a fencing token

	// listed is the parent's children read right after the create, in
	// the same session (CreateAndList): Await's first decision uses it
	// instead of another round trip. nil once used.
	listed []string
}

// Parent returns the path of the node's parent.
func (n *Node) Parent() string { return zk.ParentPath(n.Path) }

// OwnedBy reports whether the node belongs to c's current session.
func (n *Node) OwnedBy(c *zk.Client) bool {
	return n.Owner != 0 && n.Owner == c.SessionID()
}

// create makes our node: a protected ephemeral-sequential child of parent
// named "_c_<uuid>-<lockName><seq10>", with missing parents created as
// containers. data nil stores the client's default data; id is the
// protected id ("" generates one).
func create(ctx context.Context, c *zk.Client, parent, lockName string, data []byte, id string) (*Node, error) {
	p, st, children, err := c.CreateAndList(ctx, zk.JoinPath(parent, lockName), data, zk.CreateOptions{
		Mode:                   zk.ModeEphemeralSequential,
		Protected:              true,
		ProtectedID:            id,
		CreateParentContainers: true,
	})
	if err != nil {
		return nil, err
	}
	return &Node{Path: p, Name: p[strings.LastIndexByte(p, '/')+1:], Owner: st.EphemeralOwner, Czxid: st.Czxid,
		listed: children}, nil
}

// List returns parent's children sorted by key. A missing parent has no
// children.
func List(ctx context.Context, c *zk.Client, parent string, key Sorter) ([]string, error) {
	children, _, err := c.Children(ctx, parent)
	if errors.Is(err, zk.ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	Sort(children, key)
	return children, nil
}

// ListData returns the data of parent's children in key order, skipping
// children deleted meanwhile (participant ids, as Curator's
// getParticipants).
func ListData(ctx context.Context, c *zk.Client, parent string, key Sorter) ([]string, error) {
	children, err := List(ctx, c, parent, key)
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(children))
	for i, name := range children {
		paths[i] = zk.JoinPath(parent, name)
	}
	return NodesData(ctx, c, paths)
}

// NodesData returns the data of the nodes at paths, in order, skipping
// nodes deleted meanwhile.
func NodesData(ctx context.Context, c *zk.Client, paths []string) ([]string, error) {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		data, _, err := c.Get(ctx, p)
		if errors.Is(err, zk.ErrNoNode) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, string(data))
	}
	return out, nil
}

// waitGone waits until the node at path is deleted, with a getData watch
// (a missing node is already gone). It also returns nil when the watch
// fires for another reason (data changed, session ended) or wake delivers,
// so the caller decides again, and without waiting when ours (if not nil)
// no longer belongs to the current session: an operation retried across a
// session loss lands on the new session, where its watch says nothing
// about our lost node. It fails with ErrExpired when expire (may be nil)
// delivers first, or with ctx's error.
func waitGone(ctx context.Context, c *zk.Client, path string, expire <-chan time.Time, wake <-chan struct{}, ours *Node) error {
	_, _, ch, err := c.GetW(ctx, path)
	if errors.Is(err, zk.ErrNoNode) {
		return nil
	}
	if err != nil {
		return err
	}
	if ours != nil && !ours.OwnedBy(c) {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-wake:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-expire:
		return ErrExpired
	}
}

// await blocks until decide says our node n holds, waiting on the sibling
// decide names each time it does not. It fails with ErrNodeGone when n is
// no longer a child of its parent, ErrNotOwner when n belongs to a session
// the client has lost (noticed at once, also while waiting), ErrExpired
// when expire (may be nil) delivers first, or with ctx's error or an
// operation's error. On failure n is left as it is: the caller deletes it.
func await(ctx context.Context, c *zk.Client, n *Node, key Sorter, decide Decide, expire <-chan time.Time) error {
	parent := n.Parent()
	lost, unlisten := NotifyLost(c)
	defer unlisten()
	for {
		if !n.OwnedBy(c) {
			return fmt.Errorf("%w: %s", ErrNotOwner, n.Path)
		}
		children := n.listed
		n.listed = nil
		if children != nil {
			Sort(children, key)
		} else {
			var err error
			if children, err = List(ctx, c, parent, key); err != nil {
				return err
			}
		}
		i := Index(children, n.Name)
		if i < 0 {
			return fmt.Errorf("%w: %s", ErrNodeGone, n.Path)
		}
		holds, watch := decide(children, i)
		if holds {
			return nil
		}
		if err := waitGone(ctx, c, zk.JoinPath(parent, watch), expire, lost, n); err != nil {
			return err
		}
	}
}

// AwaitHold is Await followed by StartHold: it fails with the errors of
// either.
func AwaitHold(ctx context.Context, c *zk.Client, n *Node, key Sorter, decide Decide, expire <-chan time.Time, onData func([]byte)) (*Hold, error) {
	if err := await(ctx, c, n, key, decide, expire); err != nil {
		return nil, err
	}
	return StartHold(ctx, c, n, onData)
}
