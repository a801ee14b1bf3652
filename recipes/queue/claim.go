package queue

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/zkcurator/zkcurator/zk"
)

// claimed is an item node a consumer owns: removed already (no lock path)
// or locked by this consumer's ephemeral lock node.
type claimed struct {
	q        *Queue
	itemPath string
	lockNode string // "" when not locked
	// lockCzxid is the lock node's creation zxid: its deletes are for
	// that node only, never for a lock node made again at the same path
	// (by this session or another consumer's) after ours was deleted.
	lockCzxid int64
	data      []byte
	items     [][]byte
}

// claim waits for the first item node this consumer can own, or ctx, or
// Close. A corrupt node is removed and reported as ErrCorrupt.
func (q *Queue) claim(ctx context.Context, op string, wait bool) (*claimed, error) {
	wrap := func(err error) error { return fmt.Errorf("queue: %s %s: %w", op, q.path, err) }
outer:
	for {
		if err := q.check(op); err != nil {
			return nil, err
		}
		if err := q.ensure(ctx); err != nil {
			return nil, wrap(err)
		}
		if cl, err := q.claimListed(ctx); cl != nil || err != nil {
			if q.lockGone(err) {
				continue outer
			}
			if err != nil {
				return nil, wrap(err)
			}
			return cl, nil
		}
		names, _, ch, err := q.c.ChildrenW(ctx, q.path)
		if errors.Is(err, zk.ErrNoNode) {
			q.mu.Lock()
			q.ensured = false // deleted under us: create it again
			q.mu.Unlock()
			continue
		}
		if err != nil {
			return nil, wrap(err)
		}
		names = slices.DeleteFunc(names, func(n string) bool {
			return !strings.HasPrefix(n, itemPrefix) // a foreign node, as Curator skips it
		})
		now := time.Now()
		q.layout.order(names, now)
		var locked []string // lock nodes of items other consumers hold
		var wake time.Duration
		for i, name := range names {
			if q.layout.due != nil {
				if d := q.layout.due(name, now); d > 0 {
					wake = d // sorted by due time: the rest are later
					break
				}
			}
			cl, err := q.tryClaim(ctx, name)
			if errors.Is(err, errLocked) {
				locked = append(locked, zk.JoinPath(q.lockPath, name))
				continue
			}
			if q.lockGone(err) {
				continue outer // list again once the lock node is made again
			}
			if err != nil {
				return nil, wrap(err)
			}
			if cl != nil {
				q.mu.Lock()
				q.listed = append(q.listed[:0], names[i+1:]...) // the next claims start here
				q.mu.Unlock()
				return cl, nil
			}
		}
		if !wait {
			return nil, wrap(ErrEmpty)
		}
		if err := q.waitChange(ctx, ch, locked, wake); err != nil {
			return nil, wrap(err)
		}
	}
}

// lockGone reports whether err is tryClaim's NoNode: the lock node was
// deleted after ensure made it (an item's own NoNode is not an error). The
// next ensure makes it again.
func (q *Queue) lockGone(err error) bool {
	if !errors.Is(err, zk.ErrNoNode) {
		return false
	}
	q.mu.Lock()
	q.ensured, q.listed = false, nil
	q.mu.Unlock()
	return true
}

// claimListed works through the rest of the last listing before the queue
// is listed again, as Curator's consumer works through one listing: one
// getChildren per listing instead of one per item. Items put meanwhile wait
// for the next listing (so a more urgent priority item waits too, as in
// Curator). It returns nil, nil when the listing is used up, or when its
// next item is not due yet (delay queues list again to know when to wake).
func (q *Queue) claimListed(ctx context.Context) (*claimed, error) {
	for {
		q.mu.Lock()
		if len(q.listed) == 0 {
			q.mu.Unlock()
			return nil, nil
		}
		name := q.listed[0]
		q.listed = q.listed[1:]
		if q.layout.due != nil && q.layout.due(name, time.Now()) > 0 {
			q.listed = nil
			q.mu.Unlock()
			return nil, nil
		}
		q.mu.Unlock()
		cl, err := q.tryClaim(ctx, name)
		if errors.Is(err, errLocked) {
			continue // held by another consumer: the next listing tracks it
		}
		if err != nil || cl != nil {
			return cl, err
		}
	}
}

// errLocked is tryClaim's answer for an item another consumer has locked.
var errLocked = errors.New("queue: item locked")

// waitChange waits until the queue's children change (ch), one of the
// locked items' lock nodes goes away — its consumer finished or died, which
// Curator only notices on the next children change —, wake has passed
// (when positive: the first delayed item is due), or ctx or Close.
func (q *Queue) waitChange(ctx context.Context, ch <-chan zk.Event, locked []string, wake time.Duration) error {
	cases := []reflect.SelectCase{
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ch)},
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(q.done)},
		{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())},
	}
	if wake > 0 {
		t := time.NewTimer(wake)
		defer t.Stop()
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(t.C)})
	}
	for _, p := range locked {
		ok, _, lch, err := q.c.ExistsW(ctx, p)
		if err != nil {
			return err
		}
		if !ok {
			return nil // released meanwhile: look again
		}
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(lch)})
	}
	switch i, _, _ := reflect.Select(cases); i {
	case 1:
		return zk.ErrClosed
	case 2:
		return ctx.Err()
	}
	return nil
}

// tryClaim tries to own the item node name; nil, nil means another
// consumer has it.
func (q *Queue) tryClaim(ctx context.Context, name string) (*claimed, error) {
	cl := &claimed{q: q, itemPath: zk.JoinPath(q.path, name)}
	if q.lockPath != "" {
		lock := zk.JoinPath(q.lockPath, name)
		// The lock node holds a token of this claim: a node of this session
		// is not enough to call it ours, since other consumers of this
		// Queue (or of another Queue on the same Client) share the session.
		token := []byte(zk.NewUUID())
		_, lst, err := q.c.CreateWith(ctx, lock, token, zk.CreateOptions{Mode: zk.ModeEphemeral})
		if errors.Is(err, zk.ErrNodeExists) {
			// Held by another consumer — or ours: a create retried after
			// its reply was lost to a connection loss finds our own node.
			data, st, gerr := q.c.Get(ctx, lock)
			if errors.Is(gerr, zk.ErrNoNode) {
				return nil, errLocked // released meanwhile: the next listing sees it
			}
			if gerr != nil {
				return nil, gerr
			}
			if st.EphemeralOwner != q.c.SessionID() || !bytes.Equal(data, token) {
				return nil, errLocked
			}
			err, lst = nil, st
		}
		if err != nil {
			return nil, err
		}
		cl.lockNode, cl.lockCzxid = lock, lst.Czxid
		data, _, err := q.c.Get(ctx, cl.itemPath)
		if err != nil {
			cl.unlock(ctx)
			if errors.Is(err, zk.ErrNoNode) {
				return nil, nil // consumed while we locked
			}
			return nil, err
		}
		cl.data = data
	} else {
		data, st, err := q.c.Get(ctx, cl.itemPath)
		if errors.Is(err, zk.ErrNoNode) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		err = q.c.Delete(ctx, cl.itemPath, st.Version)
		if errors.Is(err, zk.ErrNoNode) || errors.Is(err, zk.ErrBadVersion) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		cl.data = data
	}
	items, err := decodeItems(cl.data)
	if err != nil {
		cl.finish(ctx, true, false) // Curator drops a corrupt node
		return nil, fmt.Errorf("%s: %w", cl.itemPath, err)
	}
	cl.items = items
	return cl, nil
}

// finish ends a claim. With a lock: processed removes the item node,
// requeue moves it to the end of the queue (delete and create), neither
// leaves it; the lock node goes in the same Multi. Without a lock the node
// is already gone. When the lock node is no longer this session's (the
// session expired mid-item and another consumer locked the item since),
// finish leaves both alone: the item belongs to that consumer now, which
// Curator does not check. When it cannot tell (the server unreachable for
// the retry policy), it releases its own lock node in the background and
// leaves the item, which is processed again.
func (cl *claimed) finish(ctx context.Context, processed, requeue bool) {
	if cl.lockNode == "" {
		return
	}
	// The clean-up runs even when the caller's ctx has ended, bounded by
	// a session timeout.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cl.q.c.SessionTimeout()+time.Second)
	defer cancel()
	ok, st, err := cl.q.c.Exists(ctx, cl.lockNode)
	if err != nil {
		// Cannot tell whether the lock is still ours: release our own lock
		// node (never another consumer's), retried in the background, so
		// that the item is not stuck behind it while this session lives;
		// the item stays and is processed again (at least once, as
		// Curator's guaranteed lock delete does).
		cl.unlock(ctx)
		return
	}
	if !ok || st.Czxid != cl.lockCzxid || st.EphemeralOwner != cl.q.c.SessionID() {
		return // lost the lock: the item is someone else's
	}
	var ops []zk.Op
	switch {
	case requeue:
		cl.q.mu.Lock()
		cl.q.listed = nil // list again: the requeued node may come first (priority, delay)
		cl.q.mu.Unlock()
		ops = append(ops, zk.DeleteOp(cl.itemPath, zk.AnyVersion),
			zk.CreateOp(zk.JoinPath(cl.q.path, requeueName(path.Base(cl.itemPath))), cl.data, zk.ModePersistentSequential, nil))
	case processed:
		ops = append(ops, zk.DeleteOp(cl.itemPath, zk.AnyVersion))
	}
	ops = append(ops, zk.DeleteOp(cl.lockNode, st.Version))
	if _, err := cl.q.c.Multi(ctx, ops...); err != nil {
		_, _ = cl.q.c.DeleteGuaranteed(ctx, cl.lockNode, st.Version, zk.OnlyIncarnation(cl.lockCzxid))
	}
}

// unlock deletes the lock node, retrying in the background as Curator's
// guaranteed delete does — that node only: a retry after the lock node
// was deleted (session expiry) and another consumer locked the item
// again must not delete that consumer's lock. done is closed once the
// delete is over.
func (cl *claimed) unlock(ctx context.Context) (done <-chan struct{}) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cl.q.c.SessionTimeout()+time.Second)
	defer cancel()
	done, _ = cl.q.c.DeleteGuaranteed(ctx, cl.lockNode, zk.AnyVersion, zk.OnlyIncarnation(cl.lockCzxid))
	return done
}
