package zk

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/jute"
)

// Read-only probing defaults: the Java client's pingRwTimeout starts at
// 100ms and doubles up to 60s.
const (
	DefaultReadOnlyProbeFirst = 100 * time.Millisecond
	DefaultReadOnlyProbeMax   = 60 * time.Second
)

// WithReadOnlyProbeInterval sets how a Conn connected to a read-only server
// (see WithReadOnly) looks for a read-write one: it asks the next server
// of its list "isro" first after first, then after twice as long each
// time, up to max (defaults DefaultReadOnlyProbeFirst and
// DefaultReadOnlyProbeMax). Once one answers "rw", the session moves there
// and the interval starts again from first. Both must be positive and
// first <= max. Conn and Client.
func WithReadOnlyProbeInterval(first, max time.Duration) Option {
	return func(c *connConfig) {
		if first <= 0 || max <= 0 || first > max {
			c.invalid("WithReadOnlyProbeInterval", "want 0 < first <= max, got %v, %v", first, max)
		}
		c.roProbeFirst, c.roProbeMax = first, max
	}
}

// roState is a Conn's read-only bookkeeping.
type roState struct {
	// seenRW: the session has been served by a read-write server (guarded
	// by Conn.mu). Until then it is the read-only server's own, and a
	// reconnect asks for a new session (ClientCnxn.seenRwServerBefore).
	seenRW bool

	mu          sync.Mutex
	first, max  time.Duration
	interval    time.Duration // the next wait (ClientCnxn.pingRwTimeout)
	nextProbeAt int           // rotation over the server list
}

func (r *roState) init(cfg connConfig) {
	r.seenRW = cfg.sessionID != 0
	r.first, r.max = cfg.roProbeFirst, cfg.roProbeMax
	if r.first <= 0 {
		r.first = DefaultReadOnlyProbeFirst
	}
	if r.max <= 0 {
		r.max = max(DefaultReadOnlyProbeMax, r.first)
	}
	r.interval = r.first
}

// wait returns how long to wait before the next probe and doubles the
// interval for the one after.
func (r *roState) wait() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.interval
	r.interval = min(2*r.interval, r.max)
	return d
}

func (r *roState) reset() {
	r.mu.Lock()
	r.interval = r.first
	r.mu.Unlock()
}

func (r *roState) nextServer(servers []string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(servers) == 0 {
		return ""
	}
	s := servers[r.nextProbeAt%len(servers)]
	r.nextProbeAt++
	return s
}

// linkMove records that a connection was ended to move the session: to a
// server (a read-write one found), or "" for the host provider's choice.
type linkMove struct{ to string }

// moveLink ends ln to move the session to another server; see linkMove.
func (c *Conn) moveLink(ln *link, to string) {
	select {
	case <-ln.done:
		return // already gone: an ordinary reconnect follows
	default:
	}
	ln.move.CompareAndSwap(nil, &linkMove{to: to})
	ln.fail(fmt.Errorf("%w: moving the session to another server", ErrConnectionLoss))
}

// quietDisconnect reports the disconnection that a failed move left
// unreported.
func (c *Conn) quietDisconnect(err error) {
	c.mu.Lock()
	report := c.deadErr == nil && !c.closing
	if report {
		c.state = StateDisconnected
	}
	c.mu.Unlock()
	if report {
		c.log.Warn("zk: moving the session failed; disconnected", "err", err)
		c.emitState(StateDisconnected, err)
	}
}

// probeRW runs while ln is a read-only connection: it asks the servers in
// turn "isro" at growing intervals and moves the session to the first
// that answers "rw" (ClientCnxn.pingRwServer).
func (c *Conn) probeRW(ln *link) {
	for {
		t := time.NewTimer(c.ro.wait())
		select {
		case <-ln.done:
			t.Stop()
			return
		case <-t.C:
		}
		server := c.ro.nextServer(c.hp.Servers())
		if server == "" {
			continue
		}
		ans, err := c.fourLetter(ln.done, server, "isro")
		if err != nil {
			c.log.Debug("zk: read-write probe failed", "server", server, "err", err)
			continue
		}
		c.log.Debug("zk: read-write probe", "server", server, "answer", ans)
		if ans == "rw" {
			c.ro.reset()
			c.log.Info("zk: read-write server found; moving the session", "server", server)
			c.moveLink(ln, server)
			return
		}
	}
}

// fourLetter sends a four-letter word to server and returns the trimmed
// answer, within a second, or sooner when stop is closed. It uses the
// Conn's dialer and TLS settings.
func (c *Conn) fourLetter(stop <-chan struct{}, server, cmd string) (string, error) {
	ctx, cancel := context.WithTimeout(c.stopCtx, time.Second)
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	nc, err := c.cfg.dialer(ctx, "tcp", server)
	if err != nil {
		return "", err
	}
	defer nc.Close()
	stopWatch := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	defer stopWatch()
	if c.cfg.tls != nil {
		cfg := c.cfg.tls.Clone()
		if cfg.ServerName == "" {
			if h, _, err := net.SplitHostPort(server); err == nil {
				cfg.ServerName = h
			}
		}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return "", err
		}
		nc = tc
	}
	if _, err := io.WriteString(nc, cmd); err != nil {
		return "", err
	}
	b, err := io.ReadAll(io.LimitReader(nc, 4096))
	if err != nil && len(b) == 0 {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// errReadOnlyNoSession is the handshake error when a read-only server
// refuses to create a session.
var errReadOnlyNoSession = fmt.Errorf("%w: the read-only server refused to create a session (a 3.8 read-only server creates only local sessions: it needs localSessionsEnabled=true)", ErrNotReadOnly)

// readOnlyRefusal recognises the answer a read-only 3.8 server without
// local sessions gives a handshake: a bare reply header (xid 0, zxid 0,
// err NotReadOnly) in place of the ConnectResponse.
func readOnlyRefusal(frame []byte) error {
	if len(frame) != 16 {
		return nil
	}
	d := jute.NewDecoder(frame)
	var h jute.ReplyHeader
	h.Decode(d)
	if d.Err() == nil && h.Xid == 0 && h.Zxid == 0 && h.Err == jute.ErrNotReadOnly {
		return errReadOnlyNoSession
	}
	return nil
}
