package cache

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

// Option configures a cache.
type Option func(*config)

type config struct {
	maxDepth    int // < 0: unlimited
	filter      func(path string) bool
	noData      bool
	mode        WatchMode
	concurrency int
}

func newConfig(opts []Option) config {
	cfg := config{maxDepth: -1, concurrency: DefaultConcurrency}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.concurrency < 1 {
		cfg.concurrency = 1
	}
	return cfg
}

// WithMaxDepth limits a TreeCache to nodes at most depth levels below its
// root (0: the root only, 1: the root and its children). A negative depth,
// the default, means no limit.
func WithMaxDepth(depth int) Option {
	return func(c *config) { c.maxDepth = depth }
}

// WithFilter caches a node below the root only if accept returns true for
// its path and for every ancestor between it and the root; a rejected
// node's whole subtree is left out and never read. The root is always
// cached. accept is called on the cache's goroutine and must be fast and
// must not call the cache.
func WithFilter(accept func(path string) bool) Option {
	return func(c *config) { c.filter = accept }
}

// WithData selects whether node data is cached (default true). Without
// data the cache reads only Stats (exists instead of getData) and
// Node.Data is nil; Stat.DataLength still tells the size.
func WithData(on bool) Option {
	return func(c *config) { c.noData = !on }
}

// WithWatchMode overrides the automatic choice between a persistent watch
// and one-shot watches.
func WithWatchMode(m WatchMode) Option {
	return func(c *config) { c.mode = m }
}

// WithConcurrency sets how many reads the cache keeps in flight at most
// while priming and resyncing (default DefaultConcurrency).
func WithConcurrency(n int) Option {
	return func(c *config) { c.concurrency = n }
}
