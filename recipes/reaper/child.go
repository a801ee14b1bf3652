package reaper

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/zkcurator/zkcurator/zk"
)

// WithLockSchema names sub-nodes of each child that a ChildReaper also
// reaps when empty (Curator's lockSchema), for recipes that keep their
// nodes one level further down: a child "x" of a reaped path has
// "x/<name>" checked too, for each name.
func WithLockSchema(names ...string) Option {
	return func(o *options) error {
		for _, n := range names {
			if n == "" || zk.ValidatePath("/"+n, false) != nil {
				return fmt.Errorf("lock schema name %q: %w", n, zk.ErrInvalidPath)
			}
		}
		o.lockSchema = slices.Clone(names)
		return nil
	}
}

// WithMaxChildren makes a ChildReaper skip a path with more than n
// children (Curator's setMaxChildren), to bound the work of one pass.
func WithMaxChildren(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("max children %d: %w", n, zk.ErrInvalidArgument)
		}
		o.maxChildren = n
		return nil
	}
}

// ChildReaper reaps the empty children of its paths (Curator's
// ChildReaper): every threshold it lists each path's children and hands the
// empty ones to its Reaper in its mode, which deletes them once they stayed
// empty. The typical use is a lock or election root whose per-name parents
// ("/locks/<name>") would otherwise accumulate. It is safe for concurrent
// use. Close stops it; Close is idempotent and later calls fail with
// zk.ErrClosed.
type ChildReaper struct {
	r    *Reaper
	mode Mode

	mu    sync.Mutex
	roots []string
}

// NewChildReaper returns a ChildReaper of path's children in mode; Start
// starts it. It fails on a nil client or option (zk.ErrInvalidArgument)
// and an invalid path (zk.ErrInvalidPath) or option.
func NewChildReaper(c *zk.Client, path string, mode Mode, opts ...Option) (*ChildReaper, error) {
	o, err := makeOptions(opts)
	if err == nil && c == nil {
		err = fmt.Errorf("nil client: %w", zk.ErrInvalidArgument)
	}
	if err == nil && (mode < ReapIndefinitely || mode > ReapUntilGone) {
		err = fmt.Errorf("mode %d: %w", mode, zk.ErrInvalidArgument)
	}
	if err == nil {
		err = zk.ValidatePath(path, false)
	}
	if err != nil {
		return nil, fmt.Errorf("reaper: new child reaper %s: %w", path, err)
	}
	r, err := newReaper(c, o, nil)
	if err != nil {
		return nil, err
	}
	return &ChildReaper{r: r, mode: mode, roots: []string{path}}, nil
}

// AddPath adds a path whose children are reaped. It fails on an invalid
// path (zk.ErrInvalidPath) and after Close (zk.ErrClosed).
func (cr *ChildReaper) AddPath(path string) error {
	if err := zk.ValidatePath(path, false); err != nil {
		return fmt.Errorf("reaper: add path %q: %w", path, err)
	}
	if err := cr.r.usable("add path"); err != nil {
		return err
	}
	cr.mu.Lock()
	defer cr.mu.Unlock()
	if !slices.Contains(cr.roots, path) {
		cr.roots = append(cr.roots, path)
	}
	return nil
}

// RemovePath stops reaping path's children and reports whether it was
// one of the paths.
func (cr *ChildReaper) RemovePath(path string) bool {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	i := slices.Index(cr.roots, path)
	if i >= 0 {
		cr.roots = slices.Delete(cr.roots, i, i+1)
	}
	return i >= 0
}

// Start joins the leader election (with a leader path) and starts the
// listing and the reaping in the background. It fails when already
// started (ErrStarted), after Close (zk.ErrClosed), or when the election
// cannot be joined.
func (cr *ChildReaper) Start(ctx context.Context) error {
	r := cr.r
	interval := r.o.threshold / emptyChecks
	n := 0
	return r.start(ctx, interval, func(ctx context.Context) {
		if n%emptyChecks == 0 { // list the children every threshold
			cr.scan(ctx)
		}
		n++
		r.checkAll(ctx)
	})
}

// scan is Curator's ChildReaper.doWork: hand every empty child (and lock
// schema sub-node) to the Reaper.
func (cr *ChildReaper) scan(ctx context.Context) {
	cr.mu.Lock()
	roots := slices.Clone(cr.roots)
	cr.mu.Unlock()
	for _, root := range roots {
		if limit := cr.r.o.maxChildren; limit > 0 {
			ok, st, err := cr.r.c.Exists(ctx, root)
			if err != nil || (ok && int(st.NumChildren) > limit) {
				continue
			}
		}
		children, _, err := cr.r.c.Children(ctx, root)
		if err != nil {
			continue // Curator logs it; next time
		}
		for _, name := range children {
			child := zk.JoinPath(root, name)
			cr.addIfEmpty(ctx, child)
			for _, sub := range cr.r.o.lockSchema {
				cr.addIfEmpty(ctx, zk.JoinPath(child, sub))
			}
		}
	}
}

func (cr *ChildReaper) addIfEmpty(ctx context.Context, path string) {
	ok, st, err := cr.r.c.Exists(ctx, path)
	if err == nil && ok && st.NumChildren == 0 {
		_ = cr.r.AddPath(path, cr.mode) // fails only after Close
	}
}

// Close stops the ChildReaper and leaves the election. It is idempotent.
func (cr *ChildReaper) Close() error { return cr.r.Close() }
