package zk

import "time"

// The Client must declare a session Lost before the server can expire it
// (SessionErrorPolicy holders rely on it). The server expires a session
// once it has heard nothing from it for the session timeout (rounded up
// to its next tick), and it hears a request when the request arrives. So
// the send time of the latest request whose reply came back is a time at
// or before the server's last touch of the session, and the session lives
// at least until that time plus the timeout: the Conn keeps that time.

// monoNow returns the time since the Conn was made, on the monotonic
// clock, in ns (never 0 for a real reading).
func (c *Conn) monoNow() int64 { return int64(time.Since(c.epoch)) + 1 }

// heard records that the server answered a request sent at sent (a
// monoNow value; 0 = unknown, ignored).
func (c *Conn) heard(sent int64) {
	for {
		cur := c.heardAt.Load()
		if sent <= cur || c.heardAt.CompareAndSwap(cur, sent) {
			return
		}
	}
}

// sessionAliveUntil returns the earliest time the server may expire the
// session, as far as this Conn knows: the send time of the latest request
// answered (the handshake included) plus the negotiated session timeout.
// ok is false before the first connection.
func (c *Conn) sessionAliveUntil() (t time.Time, ok bool) {
	at := c.heardAt.Load()
	to := c.SessionTimeout()
	if at == 0 || to <= 0 {
		return time.Time{}, false
	}
	return c.epoch.Add(time.Duration(at - 1)).Add(to), true
}
