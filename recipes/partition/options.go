package partition

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/zkcurator/zkcurator/zk"
)

// PartitionFunc decides which items of set the member id gets, given all
// members (sorted, id among them). Every member must compute the same
// split from the same inputs, and each item must go to exactly one member.
type PartitionFunc func(id string, members, set []string) []string

// RoundRobin is kazoo's default split: with items and members sorted, the
// member at index i gets items i, i+n, i+2n, … (n members).
func RoundRobin(id string, members, set []string) []string {
	items := slices.Sorted(slices.Values(set))
	workers := slices.Sorted(slices.Values(members))
	i := slices.Index(workers, id)
	if i < 0 {
		return nil
	}
	var mine []string
	for j := i; j < len(items); j += len(workers) {
		mine = append(mine, items[j])
	}
	return mine
}

// Option configures a Partitioner.
type Option func(*options) error

type options struct {
	id       string
	fn       PartitionFunc
	boundary time.Duration
	reaction time.Duration
}

// WithID sets this member's identifier (kazoo's identifier; default
// "<hostname>-<pid>-<random>"). Identifiers must be unique among the
// members; one must be a valid ZooKeeper node name (no '/').
func WithID(id string) Option {
	return func(o *options) error {
		if id == "" || strings.Contains(id, "/") {
			return fmt.Errorf("id %q: %w", id, zk.ErrInvalidArgument)
		}
		o.id = id
		return nil
	}
}

// WithPartitionFunc sets how the set is split (default RoundRobin).
func WithPartitionFunc(fn PartitionFunc) Option {
	return func(o *options) error {
		if fn == nil {
			return fmt.Errorf("nil partition func: %w", zk.ErrInvalidArgument)
		}
		o.fn = fn
		return nil
	}
}

// WithTimeBoundary sets how long the membership must stay unchanged before
// the set is split (kazoo's time_boundary; default 30s here as there).
// Shorter reacts faster to members coming and going; longer rebalances less
// often while a fleet is rolling.
func WithTimeBoundary(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("time boundary %v: %w", d, zk.ErrInvalidArgument)
		}
		o.boundary = d
		return nil
	}
}

// WithMaxReactionTime sets how long one attempt at a partition's lock
// waits before the membership is checked again (kazoo's
// max_reaction_time; default 1s).
func WithMaxReactionTime(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("max reaction time %v: %w", d, zk.ErrInvalidArgument)
		}
		o.reaction = d
		return nil
	}
}

func makeOptions(opts []Option) (options, error) {
	host, _ := os.Hostname()
	o := options{
		id:       fmt.Sprintf("%s-%d-%s", host, os.Getpid(), zk.NewUUID()[:8]),
		fn:       RoundRobin,
		boundary: 30 * time.Second,
		reaction: time.Second,
	}
	for _, opt := range opts {
		if opt == nil {
			return o, fmt.Errorf("nil option: %w", zk.ErrInvalidArgument)
		}
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}
