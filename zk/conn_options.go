package zk

import "github.com/zkcurator/zkcurator/jute"

// validateCore fills in the defaults of the session-core options (request
// size, close and connection timeouts) that were not given. Their values
// were already checked when the options were applied (applyOptions), so a
// bad value fails Dial and Connect there, naming the option.
func (c *connConfig) validateCore() error {
	if !c.maxRequestSet {
		c.maxRequest = jute.DefaultMaxBuffer
	}
	if !c.closeTimeoutSet {
		c.closeTimeout = DefaultCloseTimeout
	}
	if c.client.connectionTimeout == 0 {
		c.client.connectionTimeout = DefaultConnectionTimeout
	}
	return nil
}
