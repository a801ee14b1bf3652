package zk

import (
	"fmt"

	"github.com/zkcurator/zkcurator/jute"
)

// validateCore checks the session-core options (request size, close and
// connection timeouts) and fills in their defaults. Both Dial and Connect
// call it, so a bad value fails there, naming the option.
func (c *connConfig) validateCore() error {
	if !c.maxRequestSet {
		c.maxRequest = jute.DefaultMaxBuffer
	} else if c.maxRequest <= 0 {
		return fmt.Errorf("zk: %w: WithMaxRequestSize(%d): must be > 0", ErrInvalidOption, c.maxRequest)
	}
	if !c.closeTimeoutSet {
		c.closeTimeout = DefaultCloseTimeout
	} else if c.closeTimeout <= 0 {
		return fmt.Errorf("zk: %w: WithCloseTimeout(%v): must be > 0", ErrInvalidOption, c.closeTimeout)
	}
	switch cc := &c.client; {
	case cc.connectionTimeout < 0:
		return fmt.Errorf("zk: %w: WithConnectionTimeout(%v): must be > 0", ErrInvalidOption, cc.connectionTimeout)
	case cc.connectionTimeout == 0:
		cc.connectionTimeout = DefaultConnectionTimeout
	}
	return nil
}
