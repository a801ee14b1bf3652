package queue

import (
	"fmt"

	"github.com/zkcurator/zkcurator/zk"
)

// Option configures a Queue.
type Option func(*options) error

type options struct {
	lockPath string
}

// WithLockPath makes consumers lock each item node with an ephemeral node
// <lockPath>/<item-node> while processing it and remove the item only once
// processing succeeded: at-least-once delivery (Curator's
// QueueBuilder.lockPath). Producers and consumers of one queue should agree
// on it. An invalid path fails New with zk.ErrInvalidPath.
func WithLockPath(path string) Option {
	return func(o *options) error {
		if err := zk.ValidatePath(path, false); err != nil {
			return fmt.Errorf("lock path %q: %w", path, err)
		}
		o.lockPath = path
		return nil
	}
}
