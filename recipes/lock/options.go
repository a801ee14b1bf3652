package lock

import "github.com/zkcurator/zkcurator/recipes/internal/seqnode"

// Option configures a lock.
type Option func(*config)

type config struct {
	data   []byte       // node data; nil: the client's default data
	revoke func(*Mutex) // revocation listener, may be nil
	err    error        // the first invalid option value
}

// newConfig applies opts; a nil option, or an option given an invalid
// value, is an error wrapping seqnode.ErrInvalidArgument.
func newConfig(opts []Option) (config, error) {
	var c config
	for i, o := range opts {
		if o == nil {
			return config{}, seqnode.Invalid("option %d is nil", i)
		}
		o(&c)
		if c.err != nil {
			return config{}, c.err
		}
	}
	return c, nil
}

// WithData sets the data stored in the lock's (or lease's) node — what
// Participants returns for this participant. By default it is the client's
// default data (zk.WithDefaultData), as in Curator.
func WithData(data []byte) Option {
	return func(c *config) { c.data = append([]byte{}, data...) }
}

// WithRevocationListener makes a Mutex revocable (Curator's
// makeRevocable): f is called when another process asks the holder to
// release, with Revoke. f runs on an internal goroutine while the lock is
// held; it may call Release, or signal the goroutine that holds the lock.
// A request made while waiting is seen once the lock is acquired.
// A nil f is an invalid option.
func WithRevocationListener(f func(m *Mutex)) Option {
	return func(c *config) {
		if f == nil {
			c.err = seqnode.Invalid("WithRevocationListener: nil listener")
		}
		c.revoke = f
	}
}
