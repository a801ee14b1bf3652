package zk

import (
	"context"
	"errors"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// run owns the Client's session: it turns Conn events into connection
// states, starts the Lost timer while Suspended, and replaces a lost
// session with a new one. It is the only writer of conn, gen and state.
func (c *Client) run() {
	defer c.wg.Done()
	connected := true   // the current Conn is connected
	authFailed := false // SASL failed for good: nothing more happens
	var lost <-chan time.Time
	var lostTimer *time.Timer
	stopLost := func() {
		if lostTimer != nil {
			lostTimer.Stop()
			lostTimer, lost = nil, nil
		}
	}
	defer stopLost()
	for {
		select {
		case <-c.done:
			return
		case <-lost:
			lostTimer, lost = nil, nil
			c.log.Warn("zk: suspended longer than the session timeout: session lost")
			if !c.replaceSession() {
				return
			}
			connected = true
		case se := <-c.events:
			c.mu.Lock()
			current := se.gen == c.gen
			c.mu.Unlock()
			if !current || authFailed {
				continue
			}
			switch se.ev.State {
			case StateDisconnected:
				if !connected {
					continue
				}
				connected = false
				c.suspend()
				c.publish(Suspended)
				if conn := c.Conn(); conn != nil {
					lostTimer = time.NewTimer(lostAfter(conn, time.Now()))
					lost = lostTimer.C
				}
			case StateSyncConnected, StateConnectedReadOnly:
				if connected {
					// A move without a disconnection (conn_readonly.go):
					// read-only to read-write is Reconnected, and back.
					c.publishModeChange(se.ev.State)
					continue
				}
				connected = true
				stopLost()
				c.resume()
				if se.ev.State == StateConnectedReadOnly {
					c.publish(ReadOnly)
				} else {
					c.publish(Reconnected)
				}
			case StateExpired, StateAuthFailed:
				stopLost()
				if se.ev.State == StateAuthFailed && errors.Is(se.ev.Err, ErrSASLFailed) {
					c.authFailed(se.ev.Err)
					authFailed = true
					continue
				}
				c.log.Warn("zk: session ended", "state", se.ev.State.String())
				if connected {
					// Expiry is normally seen on a reconnect, after Suspended;
					// keep Curator's order when it is not.
					c.suspend()
					c.publish(Suspended)
				}
				if !c.replaceSession() {
					return
				}
				connected = true
			}
		}
	}
}

// lostAfter returns how long after now a Client that has just been
// Suspended declares the session Lost: when the server may first expire
// it (the send time of the latest request it answered plus the session
// timeout; see Conn.sessionAliveUntil) less lostMargin. Suspended itself
// comes only when the read timeout (2/3 of the session timeout) has passed
// without a byte, so counting the whole timeout from Suspended would leave
// a holder believing in its session for up to 2/3 of the timeout after the
// server expired it.
func lostAfter(conn *Conn, now time.Time) time.Duration {
	to := conn.SessionTimeout()
	until, ok := conn.sessionAliveUntil()
	if !ok {
		return to
	}
	return max(until.Sub(now)-lostMargin(to), 0)
}

// lostMargin is how much earlier than the server's first possible expiry
// Lost is declared: a twentieth of the session timeout, at most 500ms. It
// absorbs timer and scheduling delays in publishing Lost, and clock-rate
// differences between client and server (parts per million).
func lostMargin(timeout time.Duration) time.Duration {
	return min(timeout/20, 500*time.Millisecond)
}

// untilClosed returns a context that ends when the Client is closed or
// cancel is called, whichever comes first; the goroutine that watches
// c.done ends with it.
func (c *Client) untilClosed() (ctx context.Context, cancel context.CancelFunc) {
	ctx, cancel = context.WithCancel(context.Background())
	go func() {
		select {
		case <-c.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// publish records s and hands it to the listeners.
func (c *Client) publish(s ConnectionState) {
	c.mu.Lock()
	c.state = s
	c.mu.Unlock()
	c.log.Info("zk: connection state", "state", s.String())
	c.tel.stateChanged(s)
	c.bus.Publish(s)
}

// suspend makes operations wait (up to the connection timeout) for a
// connection instead of queueing on a disconnected Conn.
func (c *Client) suspend() {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.connReady:
		c.connReady = make(chan struct{})
	default:
	}
}

// resume lets operations through again.
func (c *Client) resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.connReady:
	default:
		close(c.connReady)
	}
}

// replaceSession publishes Lost, closes the old Conn and dials new sessions
// until one is established (then publishes Reconnected), the Client is
// closed, or SASL authentication fails for good (AuthFailed; both return
// false).
func (c *Client) replaceSession() bool {
	c.suspend()
	c.mu.Lock()
	old := c.conn
	c.conn = nil
	c.gen++
	gen := c.gen
	c.mu.Unlock()
	c.publish(Lost)
	if old != nil {
		// The old session is gone or unreachable: end its Conn without
		// sending closeSession, which could only wait (up to the close
		// timeout) for a connection that is not coming and would hold up
		// the new session. Whatever is still in flight on it fails with
		// ErrClosed.
		old.closeNoSession()
	}
	ctx, cancel := c.untilClosed()
	defer cancel()
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 50 * time.Millisecond
	b.MaxInterval = 2 * time.Second
	b.MaxElapsedTime = 0
	for {
		dctx, dcancel := context.WithTimeout(ctx, c.connTO)
		conn, err := c.dial(dctx, gen)
		dcancel()
		if err == nil {
			c.mu.Lock()
			if c.closed {
				c.mu.Unlock()
				_ = conn.Close()
				return false
			}
			c.conn = conn
			c.mu.Unlock()
			c.resume()
			if conn.State() == StateConnectedReadOnly {
				c.publish(ReadOnly) // a new session on a read-only server
			} else {
				c.publish(Reconnected)
			}
			return true
		}
		if errors.Is(err, ErrSASLFailed) || errors.Is(err, ErrAuthFailed) {
			// SASL failed, or a WithAuth credential was refused: every new
			// session would fail the same way.
			c.authFailed(err)
			return false
		}
		c.log.Warn("zk: starting a new session failed", "err", err)
		t := time.NewTimer(b.NextBackOff())
		select {
		case <-c.done:
			t.Stop()
			return false
		case <-t.C:
		}
	}
}

// authFailed ends the Client's sessions after SASL failed for good (see
// AuthFailed): a new session would fail the same way. Every call fails
// with err from now on; waiting calls are woken to see it.
func (c *Client) authFailed(err error) {
	c.log.Error("zk: authentication failed; no new session", "err", err)
	c.mu.Lock()
	c.authErr = err
	c.mu.Unlock()
	c.resume()
	c.publish(AuthFailed)
}

// publishModeChange publishes Reconnected when a connected session moved
// from a read-only server to a read-write one, and ReadOnly for the
// reverse; nothing when the mode is unchanged.
func (c *Client) publishModeChange(s State) {
	c.mu.Lock()
	cur := c.state
	c.mu.Unlock()
	switch {
	case s == StateSyncConnected && cur == ReadOnly:
		c.publish(Reconnected)
	case s == StateConnectedReadOnly && cur != ReadOnly:
		c.publish(ReadOnly)
	}
}
