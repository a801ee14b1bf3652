package zk

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// WithHostProvider makes the Conn take its servers from p instead of the
// connect string's host list (the connect string's chroot still applies;
// its hosts must still parse). Every connection attempt asks p.Next. A
// Client hands p to each of its sessions in turn. Conn and Client.
func WithHostProvider(p HostProvider) Option {
	return func(c *connConfig) {
		if p == nil {
			c.invalid("WithHostProvider", "nil provider")
		}
		c.hostProvider = p
	}
}

// dialHost dials h's addresses in turn until one answers, within ctx.
func (c *Conn) dialHost(ctx context.Context, h Host) (net.Conn, error) {
	addrs := h.Addrs
	if len(addrs) == 0 {
		addrs = []string{h.Server}
	}
	var errs []error
	for _, a := range addrs {
		nc, err := c.cfg.dialer(ctx, "tcp", a)
		if err == nil {
			return nc, nil
		}
		if len(addrs) > 1 {
			err = fmt.Errorf("%s: %w", a, err)
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// UpdateServerList gives the Conn's host provider a new server list (as
// the Java client's ZooKeeper.updateServerList). When the provider decides
// that this client should move to keep the load even, the Conn drops its
// connection and connects to the server the provider picks; requests in
// flight fail with ErrConnectionLoss, the session and its watches carry
// over, and no Disconnected event is sent unless the move fails. servers
// are "host:port" entries; an empty list fails with ErrNoServers.
func (c *Conn) UpdateServerList(servers []string) error {
	if err := c.closedErr(); err != nil {
		return fmt.Errorf("zk: update server list: %w", err)
	}
	move, err := c.hp.UpdateServerList(servers, c.currentServer())
	if err != nil {
		return fmt.Errorf("zk: update server list: %w", err)
	}
	if move {
		if ln := c.cur.Load(); ln != nil {
			c.log.Info("zk: moving to rebalance the load after a server list change", "server", ln.host)
			c.moveLink(ln, "")
		}
	}
	return nil
}

// currentServer is the server connected to now, "" while disconnected.
func (c *Conn) currentServer() string {
	if ln := c.cur.Load(); ln != nil {
		return ln.host
	}
	return ""
}
