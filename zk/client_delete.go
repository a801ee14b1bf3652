package zk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/zkcurator/zkcurator/jute"
)

// DeleteGuaranteed deletes a node and keeps trying in the background until
// the delete succeeds, the node is gone, or the Client is closed (Curator's
// guaranteed delete). It returns the first attempt's error — nil when the
// node was deleted or did not exist — and a channel closed once the node is
// known to be gone (or the delete can never succeed: a version mismatch, a
// denied ACL, or Close). Recipes keep their state until done is closed.
//
// A retry may run long after the call. Without OnlyIncarnation it deletes
// whatever node is at path then (within version): with AnyVersion, or a
// version a new node also has (0), a node deleted and made again at the
// same path meanwhile — by this or another session — is deleted. Callers
// that delete a node at a fixed path and know its Stat should pass
// OnlyIncarnation(st.Czxid).
func (c *Client) DeleteGuaranteed(ctx context.Context, path string, version int32, opts ...DeleteOption) (done <-chan struct{}, err error) {
	var o deleteOptions
	for _, opt := range opts {
		if opt == nil {
			return closedChan, wrapErr("delete", path, fmt.Errorf("nil option: %w", ErrInvalidArgument))
		}
		opt(&o)
	}
	if o.czxidSet {
		// Each attempt of the retry loop reads the node again: a delete
		// whose reply was lost is not sent again blindly.
		err = c.do(ctx, "delete", path, func(ctx context.Context, conn *Conn) error {
			return deleteIncarnation(ctx, conn, path, version, o.czxid)
		})
	} else {
		err = c.Delete(ctx, path, version)
	}
	if err == nil || errors.Is(err, ErrNoNode) {
		return closedChan, nil
	}
	if !deleteWorthRetrying(err) {
		return closedChan, err
	}
	return c.deletes.add(path, version, o), err
}

// DeleteOption changes what DeleteGuaranteed deletes.
type DeleteOption func(*deleteOptions)

type deleteOptions struct {
	czxid    int64
	czxidSet bool
}

// OnlyIncarnation makes DeleteGuaranteed delete only the node whose
// creation zxid (Stat.Czxid, unique to each time a node is created) is
// czxid. Every attempt, the first and each background retry, first reads
// the node: when it is absent or has another czxid — the node meant was
// deleted, and maybe made again at the same path by this or another
// session — the guaranteed delete is done and the node there is left
// alone. Otherwise it deletes with the version just read (and fails with
// ErrBadVersion, not retried, when a version other than AnyVersion was
// given and the node's differs).
//
// One window remains, as ZooKeeper offers no conditional delete on czxid
// (a multi's Check compares only the data version): if, in the round trip
// between the read and the delete, the node is deleted and made again and
// the new node's data version equals the one read (typically both 0),
// the new node is deleted. A change of version in that window only makes
// the attempt read again, and an attempt whose reply is lost to a
// connection loss is made again from the read, never by sending the
// delete again.
func OnlyIncarnation(czxid int64) DeleteOption {
	return func(o *deleteOptions) { o.czxid, o.czxidSet = czxid, true }
}

// deleteIncarnation deletes path only while its node has czxid: absent or
// another incarnation is success (nothing of ours to delete).
func deleteIncarnation(ctx context.Context, conn *Conn, path string, version int32, czxid int64) error {
	for {
		ok, st, err := conn.Exists(ctx, path)
		if err != nil {
			return err
		}
		if !ok || st.Czxid != czxid {
			return nil
		}
		if version != AnyVersion && st.Version != version {
			return wrapErr("delete", path, ErrBadVersion)
		}
		err = conn.Delete(ctx, path, st.Version)
		if !errors.Is(err, ErrBadVersion) {
			return err
		}
		// Changed since the read (set, or deleted and made again): read again.
		if err := ctx.Err(); err != nil {
			return wrapErr("delete", path, err)
		}
	}
}

var closedChan = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

// deleteWorthRetrying reports whether a failed delete may succeed later
// (NotReadOnly: once the session is back on a read-write server).
func deleteWorthRetrying(err error) bool {
	return IsRetryable(err) || errors.Is(err, ErrSessionExpired) || errors.Is(err, ErrNotReadOnly) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// deleteWorker retries guaranteed deletes in the background. Its goroutine
// runs only while deletes are pending: an idle Client holds none.
type deleteWorker struct {
	c       *Client
	ctx     context.Context // cancelled by close
	cancel  context.CancelFunc
	mu      sync.Mutex
	jobs    []*deleteJob
	running bool // the goroutine runs
	closed  bool
	wg      sync.WaitGroup
}

type deleteJob struct {
	path    string
	version int32
	opts    deleteOptions
	done    chan struct{}
}

func newDeleteWorker(c *Client) *deleteWorker {
	ctx, cancel := context.WithCancel(context.Background())
	return &deleteWorker{c: c, ctx: ctx, cancel: cancel}
}

func (w *deleteWorker) add(path string, version int32, o deleteOptions) <-chan struct{} {
	j := &deleteJob{path: path, version: version, opts: o, done: make(chan struct{})}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		close(j.done)
		return j.done
	}
	w.jobs = append(w.jobs, j)
	start := !w.running
	if start {
		w.running = true
		w.wg.Add(1)
	}
	w.mu.Unlock()
	if start {
		go w.run()
	}
	return j.done
}

func (w *deleteWorker) run() {
	defer w.wg.Done()
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 50 * time.Millisecond
	b.MaxInterval = 5 * time.Second
	b.MaxElapsedTime = 0
	ctx := w.ctx
	for {
		w.mu.Lock()
		// A copy: finish removes jobs from w.jobs in place.
		jobs := slices.Clone(w.jobs)
		if len(jobs) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		failed := false
		for _, j := range jobs {
			conn, err := w.c.liveConn(ctx, 0)
			if err != nil {
				failed = true
				break
			}
			err = j.attempt(ctx, conn)
			if err != nil && deleteWorthRetrying(err) && !errors.Is(err, ErrClosed) {
				failed = true
				continue
			}
			if err != nil && !errors.Is(err, ErrNoNode) {
				w.c.log.Warn("zk: guaranteed delete gave up", "path", j.path, "err", err)
			}
			w.finish(j)
		}
		if failed {
			t := time.NewTimer(b.NextBackOff())
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		} else {
			b.Reset()
		}
	}
}

// attempt makes one try of the job's delete on conn.
func (j *deleteJob) attempt(ctx context.Context, conn *Conn) error {
	if j.opts.czxidSet {
		return deleteIncarnation(ctx, conn, j.path, j.version, j.opts.czxid)
	}
	return conn.Delete(ctx, j.path, j.version)
}

func (w *deleteWorker) finish(j *deleteJob) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, x := range w.jobs {
		if x == j {
			w.jobs = append(w.jobs[:i], w.jobs[i+1:]...)
			break
		}
	}
	close(j.done)
}

// close stops the worker; deletes still pending are abandoned and their
// done channels closed.
func (w *deleteWorker) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.cancel()
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, j := range w.jobs {
		close(j.done)
	}
	w.jobs = nil
}

// deleteBatchLimit bounds the encoded size of one multi DeleteAll sends:
// the request-size limit (WithMaxRequestSize, default the server's
// jute.maxbuffer) with room to spare for the framing batchLen estimates.
func (c *Client) deleteBatchLimit() int {
	limit := jute.DefaultMaxBuffer
	if c.cfg.maxRequestSet {
		limit = c.cfg.maxRequest
	}
	return max(limit-4096, limit/2)
}

// DeleteAll deletes path and everything below it, children before their
// parents (Curator's delete().deletingChildrenIfNeeded()). The deletes go
// in Multi batches whose encoded size stays under the server's packet
// limit, deepest nodes first. It tolerates concurrent changes: nodes that
// vanish meanwhile are skipped, and children created meanwhile are deleted
// too. A path that does not exist is not an error. The root "/" cannot be
// deleted (ErrInvalidArgument); a failure part-way leaves the nodes not
// deleted yet in place.
func (c *Client) DeleteAll(ctx context.Context, path string) error {
	if err := ValidatePath(path, false); err != nil {
		return wrapErr("deleteAll", path, err)
	}
	if path == "/" {
		return wrapErr("deleteAll", path, fmt.Errorf("%w: the root cannot be deleted", ErrInvalidArgument))
	}
	if c.done == nil {
		return wrapErr("deleteAll", path, errNotConnected)
	}
	if err := ctx.Err(); err != nil {
		return wrapErr("deleteAll", path, err)
	}
	extra := len(c.chroot()) // every path is sent with the chroot in front
	for {
		nodes, err := c.subtree(ctx, path)
		if err != nil || len(nodes) == 0 {
			return err
		}
		again := false
		for len(nodes) > 0 {
			n := batchLen(nodes, extra, c.deleteBatchLimit())
			ops := make([]Op, n)
			for i, p := range nodes[:n] {
				ops[i] = DeleteOp(p, AnyVersion)
			}
			_, err := c.Multi(ctx, ops...)
			switch {
			case err == nil:
			case errors.Is(err, ErrNoNode), errors.Is(err, ErrNotEmpty):
				// Changed under us; the batch was not applied. Delete its
				// nodes one by one, and walk again if one got a child.
				for _, p := range nodes[:n] {
					err := c.Delete(ctx, p, AnyVersion)
					if errors.Is(err, ErrNotEmpty) {
						again = true
					} else if err != nil && !errors.Is(err, ErrNoNode) {
						return wrapErr("deleteAll", path, err)
					}
				}
			default:
				return wrapErr("deleteAll", path, err)
			}
			nodes = nodes[n:]
		}
		if !again {
			return nil
		}
	}
}

// subtree lists path and its descendants, deepest first (every node
// before its parent). Nodes that vanish while it lists are left out.
func (c *Client) subtree(ctx context.Context, path string) ([]string, error) {
	nodes := []string{path}
	for i := 0; i < len(nodes); i++ {
		kids, _, err := c.Children(ctx, nodes[i])
		if errors.Is(err, ErrNoNode) {
			if i == 0 {
				return nil, nil
			}
			continue
		}
		if err != nil {
			return nil, wrapErr("deleteAll", path, err)
		}
		for _, k := range kids {
			nodes = append(nodes, JoinPath(nodes[i], k))
		}
	}
	slices.Reverse(nodes) // breadth-first reversed: children before parents
	return nodes, nil
}

// batchLen returns how many of nodes fit in one multi of deletes under
// limit bytes; at least one. extra is added to every path's length.
func batchLen(nodes []string, extra, limit int) int {
	// Request header and multi framing, then per op: the op header (type,
	// done, err) and the delete request (path, version).
	size := 8 + 9
	for i, p := range nodes {
		size += 9 + 4 + extra + len(p) + 4
		if size > limit && i > 0 {
			return i
		}
	}
	return len(nodes)
}

// chroot returns the chroot the Client's sessions run under (its
// connect string's and its namespace's), "" for none.
func (c *Client) chroot() string {
	if i := strings.IndexByte(c.hosts, '/'); i >= 0 {
		return c.hosts[i:]
	}
	return ""
}
