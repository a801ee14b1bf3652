package cache

import (
	"fmt"

	"github.com/zkcurator/zkcurator/zk"
)

// WatchMode selects how a cache learns about changes.
type WatchMode int

const (
	// WatchAuto uses a persistent watch and falls back to one-shot watches
	// when the server does not implement addWatch (ZooKeeper < 3.6).
	WatchAuto WatchMode = iota
	// WatchPersistent always uses a persistent watch (ZooKeeper 3.6+).
	// Start fails on an older server.
	WatchPersistent
	// WatchOneShot always uses one-shot data and child watches per node.
	WatchOneShot
)

func (m WatchMode) String() string {
	switch m {
	case WatchAuto:
		return "auto"
	case WatchPersistent:
		return "persistent"
	case WatchOneShot:
		return "one-shot"
	}
	return "WatchMode(?)"
}

// DefaultConcurrency is how many reads a cache keeps in flight at most,
// unless WithConcurrency says otherwise.
const DefaultConcurrency = 128

// Option configures a cache. The constructor checks every option it is
// given: a value out of range, or an option that does not apply to the kind
// of cache, makes it fail with an error wrapping ErrInvalidArgument.
type Option func(*config)

type config struct {
	maxDepth    int // < 0: unlimited
	filter      func(path string) bool
	noData      bool
	mode        WatchMode
	concurrency int

	depthSet, filterSet bool    // given, to reject them where they do not apply
	errs                []error // invalid option values
}

func (c *config) invalid(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidArgument}, args...)...))
}

// newConfig applies opts (nil options are skipped) and reports the first
// invalid one.
func newConfig(opts []Option) (config, error) {
	cfg := config{maxDepth: -1, concurrency: DefaultConcurrency}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if len(cfg.errs) > 0 {
		return cfg, cfg.errs[0]
	}
	return cfg, nil
}

// checkArgs checks the arguments of a constructor (kind names the cache
// in errors) and returns the configuration. depthOK and filterOK say
// whether WithMaxDepth and WithFilter apply to the kind.
func checkArgs(kind string, client *zk.Client, path string, opts []Option, depthOK, filterOK bool) (config, error) {
	fail := func(err error) (config, error) {
		return config{}, fmt.Errorf("cache: %s %q: %w", kind, path, err)
	}
	if client == nil {
		return fail(fmt.Errorf("%w: nil client", ErrInvalidArgument))
	}
	if err := zk.ValidatePath(path, false); err != nil {
		return fail(err)
	}
	cfg, err := newConfig(opts)
	switch {
	case err != nil:
		return fail(err)
	case cfg.depthSet && !depthOK:
		return fail(fmt.Errorf("%w: WithMaxDepth does not apply to a %s", ErrInvalidArgument, kind))
	case cfg.filterSet && !filterOK:
		return fail(fmt.Errorf("%w: WithFilter does not apply to a %s", ErrInvalidArgument, kind))
	}
	return cfg, nil
}

// WithMaxDepth limits a TreeCache to nodes at most depth levels below its
// root (0: the root only, 1: the root and its children). A negative depth,
// the default, means no limit. NewNode and NewChildren reject it.
func WithMaxDepth(depth int) Option {
	return func(c *config) { c.maxDepth, c.depthSet = depth, true }
}

// WithFilter caches a node below the root only if accept returns true for
// its path and for every ancestor between it and the root; a rejected
// node's whole subtree is left out and never read. The root is always
// cached. accept is called on the cache's goroutine and must be fast and
// must not call the cache. It must not be nil; NewNode rejects the option.
func WithFilter(accept func(path string) bool) Option {
	return func(c *config) {
		if accept == nil {
			c.invalid("WithFilter(nil)")
		}
		c.filter, c.filterSet = accept, true
	}
}

// WithData selects whether node data is cached (default true). Without
// data the cache reads only Stats (exists instead of getData) and
// Node.Data is nil; Stat.DataLength still tells the size.
func WithData(on bool) Option {
	return func(c *config) { c.noData = !on }
}

// WithWatchMode overrides the automatic choice between a persistent watch
// and one-shot watches. m must be WatchAuto, WatchPersistent or
// WatchOneShot.
func WithWatchMode(m WatchMode) Option {
	return func(c *config) {
		if m < WatchAuto || m > WatchOneShot {
			c.invalid("WithWatchMode(%d)", int(m))
		}
		c.mode = m
	}
}

// WithConcurrency sets how many reads the cache keeps in flight at most
// while priming and resyncing (default DefaultConcurrency). n must be at
// least 1.
func WithConcurrency(n int) Option {
	return func(c *config) {
		if n < 1 {
			c.invalid("WithConcurrency(%d): must be at least 1", n)
		}
		c.concurrency = n
	}
}
