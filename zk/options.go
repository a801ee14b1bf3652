package zk

import (
	"errors"
	"fmt"
)

// Options are shared by the two layers: Dial (a Conn) reads the session
// options, Connect (a Client) reads those too — it passes them to the Conns
// it makes — plus its own. Each option's doc names the layers that read it.
// An option is checked when Dial or Connect applies it: a bad value, or a
// Client-only option given to Dial, fails that call with an error matching
// ErrInvalidOption that names the option; nothing is silently replaced by a
// default.
//
// Declaring an option: an option read by both layers just sets its field
// and reports a bad value with connConfig.invalid; a Client-only one is
// wrapped in clientOption so that Dial rejects it.

// optionCheck is what applying the options found: bad values, and the
// Client-only options given.
type optionCheck struct {
	errs       []error
	clientOnly []string
}

// invalid records that option name got a bad value.
func (c *connConfig) invalid(name, format string, args ...any) {
	c.check.errs = append(c.check.errs,
		fmt.Errorf("%w %s: %s", ErrInvalidOption, name, fmt.Sprintf(format, args...)))
}

// clientOption declares a Client-only option: Connect applies set, Dial
// rejects the option.
func clientOption(name string, set func(*connConfig)) Option {
	return func(c *connConfig) {
		c.check.clientOnly = append(c.check.clientOnly, name)
		set(c)
	}
}

// applyOptions applies opts to cfg and returns the errors found, as one
// error (nil if none). forDial rejects Client-only options.
func applyOptions(cfg *connConfig, opts []Option, forDial bool) error {
	for i, o := range opts {
		if o == nil {
			cfg.check.errs = append(cfg.check.errs, fmt.Errorf("%w: option %d is nil", ErrInvalidOption, i))
			continue
		}
		o(cfg)
	}
	errs := cfg.check.errs
	if forDial {
		for _, name := range cfg.check.clientOnly {
			errs = append(errs, fmt.Errorf("%w %s: a Client option (Connect); Dial does not read it", ErrInvalidOption, name))
		}
	}
	cfg.check = optionCheck{}
	return errors.Join(errs...)
}
