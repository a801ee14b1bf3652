package queue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/recipes/election"
	"github.com/zkcurator/zkcurator/recipes/internal/lifecycle"
	"github.com/zkcurator/zkcurator/zk"
)

// shardPrefix is the name prefix of QueueSharder's shard nodes.
const shardPrefix = "queue-"

// SharderOption configures a Sharder.
type SharderOption func(*sharderOptions) error

type sharderOptions struct {
	threshold int
	interval  time.Duration
	maxShards int
}

// WithShardThreshold sets how many items one shard may hold before the
// leader adds a shard (Curator's newQueueThreshold, default 10000). A
// shard at or below half of it is preferred again by Sharder.Queue.
func WithShardThreshold(n int) SharderOption {
	return func(o *sharderOptions) error {
		if n < 1 {
			return fmt.Errorf("shard threshold %d: %w", n, zk.ErrInvalidArgument)
		}
		o.threshold = n
		return nil
	}
}

// WithShardCheckInterval sets how often shard sizes are checked
// (Curator's thresholdCheckMs, default 30s).
func WithShardCheckInterval(d time.Duration) SharderOption {
	return func(o *sharderOptions) error {
		if d <= 0 {
			return fmt.Errorf("shard check interval %v: %w", d, zk.ErrInvalidArgument)
		}
		o.interval = d
		return nil
	}
}

// WithMaxShards caps the number of shards (Curator's maxQueues, default
// 10).
func WithMaxShards(n int) SharderOption {
	return func(o *sharderOptions) error {
		if n < 1 {
			return fmt.Errorf("max shards %d: %w", n, zk.ErrInvalidArgument)
		}
		o.maxShards = n
		return nil
	}
}

// Sharder is Curator's QueueSharder: one logical queue spread over shard
// queues "<path>/queue-<uuid>", in Curator's layout. Every Sharder on a
// path uses all shards it finds; a leader (elected with election.Latch on
// leaderPath) adds a shard when one holds at least the threshold of items,
// up to the maximum. Queue returns a random shard, preferring those under
// half the threshold, to put to or to consume from. Shard queues are made
// by the allocate function given to NewSharder (say NewPriority with a
// lock path), so delivery guarantees are those of the shard queues.
//
// Close closes the shard queues, leaves the election and stops the check;
// it is idempotent, and later calls fail with zk.ErrClosed.
type Sharder[Q io.Closer] struct {
	c          *zk.Client
	path       string
	leaderPath string
	alloc      func(c *zk.Client, path string) (Q, error)
	o          sharderOptions

	mu        sync.Mutex
	life      lifecycle.State
	shards    map[string]Q
	preferred map[string]bool
	latch     *election.Latch
	stop      context.CancelFunc
	done      chan struct{}
}

// errSharderNotStarted is what Queue returns before Start.
var errSharderNotStarted = fmt.Errorf("not started: %w", zk.ErrInvalidArgument)

// NewSharder returns a Sharder of the queues under path whose leader is
// elected on leaderPath; allocate makes the queue of one shard path. It
// fails on a nil client or allocate or option (zk.ErrInvalidArgument),
// invalid paths (zk.ErrInvalidPath) or invalid options.
func NewSharder[Q io.Closer](c *zk.Client, path, leaderPath string,
	allocate func(c *zk.Client, path string) (Q, error), opts ...SharderOption) (*Sharder[Q], error) {
	fail := func(err error) (*Sharder[Q], error) {
		return nil, fmt.Errorf("queue: new sharder %s: %w", path, err)
	}
	if c == nil || allocate == nil {
		return fail(fmt.Errorf("nil client or allocate: %w", zk.ErrInvalidArgument))
	}
	for _, p := range []string{path, leaderPath} {
		if err := zk.ValidatePath(p, false); err != nil {
			return fail(err)
		}
	}
	o := sharderOptions{threshold: 10000, interval: 30 * time.Second, maxShards: 10}
	for _, opt := range opts {
		if opt == nil {
			return fail(fmt.Errorf("nil option: %w", zk.ErrInvalidArgument))
		}
		if err := opt(&o); err != nil {
			return fail(err)
		}
	}
	return &Sharder[Q]{c: c, path: path, leaderPath: leaderPath, alloc: allocate, o: o,
		shards: map[string]Q{}, preferred: map[string]bool{}, done: make(chan struct{})}, nil
}

// Start creates the sharder's path, opens the shards it finds (or a first
// one), joins the leader election and starts the periodic check. It
// fails after Close (zk.ErrClosed) or when already started (ErrStarted).
func (s *Sharder[Q]) Start(ctx context.Context) error {
	s.mu.Lock()
	err := s.life.Start(ErrStarted, zk.ErrClosed)
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("queue: start sharder %s: %w", s.path, err)
	}
	err = s.start(ctx)
	if err != nil {
		_ = s.Close()
		return fmt.Errorf("queue: start sharder %s: %w", s.path, err)
	}
	return nil
}

func (s *Sharder[Q]) start(ctx context.Context) error {
	if err := s.c.EnsureContainers(ctx, s.path); err != nil {
		return err
	}
	children, _, err := s.c.Children(ctx, s.path)
	if err != nil {
		return err
	}
	for _, name := range children {
		if err := s.addShard(ctx, zk.JoinPath(s.path, name)); err != nil {
			return err
		}
	}
	if len(children) == 0 {
		if err := s.addShard(ctx, ""); err != nil {
			return err
		}
	}
	latch, err := election.NewLatch(s.c, s.leaderPath, zk.NewUUID())
	if err != nil {
		return err
	}
	if err := latch.Start(ctx); err != nil {
		return err
	}
	loop, stop := context.WithCancel(context.Background())
	s.mu.Lock()
	s.latch, s.stop = latch, stop
	closed := s.life == lifecycle.Closed
	s.mu.Unlock()
	if closed { // Close ran meanwhile and saw no latch
		stop()
		return errors.Join(zk.ErrClosed, latch.Close())
	}
	go s.run(loop)
	return nil
}

// addShard opens the queue of shard path, or of a new shard when path is
// "".
func (s *Sharder[Q]) addShard(ctx context.Context, path string) error {
	if path == "" {
		path = zk.JoinPath(s.path, shardPrefix+zk.NewUUID())
		_, _, err := s.c.CreateWith(ctx, path, nil, zk.CreateOptions{Mode: zk.ModePersistent})
		if err != nil && !errors.Is(err, zk.ErrNodeExists) {
			return err
		}
	}
	s.mu.Lock()
	_, ok := s.shards[path]
	s.mu.Unlock()
	if ok {
		return nil
	}
	q, err := s.alloc(s.c, path)
	if err != nil {
		return fmt.Errorf("allocate %s: %w", path, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.shards[path]; ok || s.life == lifecycle.Closed {
		return q.Close()
	}
	s.shards[path] = q
	s.preferred[path] = true
	return nil
}

// run checks shard sizes every interval until stopped.
func (s *Sharder[Q]) run(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(s.o.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = s.check(ctx) // Curator logs and tries again next time
		}
	}
}

// check is Curator's checkThreshold: open new shards others added, update
// the preferred set, and as leader add a shard when one is full.
func (s *Sharder[Q]) check(ctx context.Context) error {
	children, _, err := s.c.Children(ctx, s.path)
	if err != nil {
		return err
	}
	full := false
	for _, name := range children {
		p := zk.JoinPath(s.path, name)
		if err := s.addShard(ctx, p); err != nil {
			return err
		}
		ok, st, err := s.c.Exists(ctx, p)
		if err != nil || !ok {
			continue
		}
		s.mu.Lock()
		switch n := int(st.NumChildren); {
		case n >= s.o.threshold:
			full = true
			delete(s.preferred, p)
		case n <= s.o.threshold/2:
			s.preferred[p] = true
		}
		s.mu.Unlock()
	}
	s.mu.Lock()
	count, latch := len(s.shards), s.latch
	s.mu.Unlock()
	if full && latch != nil && latch.IsLeader() && count < s.o.maxShards {
		return s.addShard(ctx, "")
	}
	return nil
}

// Queue returns a shard's queue to put to or consume from: a random one of
// those under half the threshold when there are any, else a random one. It
// fails with zk.ErrClosed after Close and with zk.ErrInvalidArgument
// before Start.
func (s *Sharder[Q]) Queue() (Q, error) {
	var zero Q
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.life.Check(errSharderNotStarted, zk.ErrClosed); err != nil {
		return zero, fmt.Errorf("queue: sharder %s: %w", s.path, err)
	}
	keys := make([]string, 0, len(s.preferred))
	for k := range s.preferred {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		for k := range s.shards {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return zero, fmt.Errorf("queue: sharder %s: no shard: %w", s.path, zk.ErrInvalidArgument)
	}
	return s.shards[keys[rand.IntN(len(keys))]], nil
}

// ShardPaths returns the paths of the shards this Sharder uses, sorted.
func (s *Sharder[Q]) ShardPaths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	paths := make([]string, 0, len(s.shards))
	for p := range s.shards {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths
}

// Close stops the check, leaves the election and closes every shard queue.
// It is idempotent.
func (s *Sharder[Q]) Close() error {
	s.mu.Lock()
	if s.life.Close() == lifecycle.Closed {
		s.mu.Unlock()
		return nil
	}
	latch, stop := s.latch, s.stop
	shards := s.shards
	s.shards, s.preferred = map[string]Q{}, map[string]bool{}
	s.mu.Unlock()
	var errs []error
	if stop != nil {
		stop()
		<-s.done
	}
	if latch != nil {
		errs = append(errs, latch.Close())
	}
	for _, q := range shards {
		errs = append(errs, q.Close())
	}
	return errors.Join(errs...)
}
