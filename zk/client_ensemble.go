package zk

import (
	"context"
	"slices"
	"time"
)

// WithEnsembleTracker makes the Client watch the ensemble's dynamic
// configuration (ConfigNode) and hand every new member list to its host
// provider (UpdateServerList), so that clients follow a Reconfig and
// rebalance over the new members, as Curator's EnsembleTracker does. A
// configuration without client addresses is ignored. Off by default (it
// costs a read and a watch per session). Client only.
func WithEnsembleTracker(on bool) Option {
	return clientOption("WithEnsembleTracker", func(c *connConfig) {
		c.client.ensembleTracker = on
	})
}

// GetConfig reads the ensemble's dynamic configuration (ConfigNode, outside
// the chroot and namespace), retried per the retry policy.
func (c *Client) GetConfig(ctx context.Context) (cfg *EnsembleConfig, st *Stat, err error) {
	err = c.do(ctx, "getconfig", ConfigNode, func(ctx context.Context, conn *Conn) (err error) {
		cfg, st, err = conn.GetConfig(ctx)
		return err
	})
	return cfg, st, err
}

// GetConfigW is GetConfig with a one-shot watch on the configuration.
func (c *Client) GetConfigW(ctx context.Context) (cfg *EnsembleConfig, st *Stat, ch <-chan Event, err error) {
	err = c.do(ctx, "getconfig", ConfigNode, func(ctx context.Context, conn *Conn) (err error) {
		cfg, st, ch, err = conn.GetConfigW(ctx)
		return err
	})
	return cfg, st, ch, err
}

// Reconfig changes the ensemble's membership; see Conn.Reconfig. It is
// retried per the retry policy on connection loss: give fromConfig (not
// -1) so that a change applied by an attempt whose reply was lost makes
// the retry fail with ErrBadVersion instead of applying twice.
func (c *Client) Reconfig(ctx context.Context, joining, leaving, newMembers []string, fromConfig int64) (cfg *EnsembleConfig, st *Stat, err error) {
	err = c.do(ctx, "reconfig", "", func(ctx context.Context, conn *Conn) (err error) {
		cfg, st, err = conn.Reconfig(ctx, joining, leaving, newMembers, fromConfig)
		return err
	})
	return cfg, st, err
}

// UpdateServerList gives the Client's host provider a new server list;
// see Conn.UpdateServerList. The list outlives the current session.
func (c *Client) UpdateServerList(servers []string) error {
	if conn := c.Conn(); conn != nil {
		return conn.UpdateServerList(servers)
	}
	if c.isClosed() {
		return wrapErr("update server list", "", ErrClosed)
	}
	_, err := c.cfg.hostProvider.UpdateServerList(servers, "")
	return err
}

// trackEnsemble is the ensemble tracker: it reads ConfigNode with a watch,
// applies each new member list, and reads again when the watch fires (or
// the session that held it ends).
func (c *Client) trackEnsemble() {
	defer c.wg.Done()
	ctx, cancel := c.untilClosed()
	defer cancel()
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		cfg, _, ch, err := c.GetConfigW(ctx)
		if err != nil {
			c.log.Debug("zk: ensemble tracker: reading the config failed", "err", err)
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			wait = min(2*wait, 5*time.Second)
			continue
		}
		wait = 100 * time.Millisecond
		c.applyEnsemble(cfg)
		select {
		case <-ctx.Done():
			return
		case <-ch:
		}
	}
}

// applyEnsemble hands cfg's client addresses to the host provider when
// they differ from its list.
func (c *Client) applyEnsemble(cfg *EnsembleConfig) {
	servers := cfg.ClientServers()
	if len(servers) == 0 {
		return
	}
	have := slices.Sorted(slices.Values(c.cfg.hostProvider.Servers()))
	if slices.Equal(have, slices.Sorted(slices.Values(servers))) {
		return
	}
	c.log.Info("zk: ensemble changed", "servers", servers, "version", cfg.Version)
	if err := c.UpdateServerList(servers); err != nil {
		c.log.Warn("zk: ensemble tracker: updating the server list failed", "err", err)
	}
}
