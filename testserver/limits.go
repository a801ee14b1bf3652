package testserver

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/zkcurator/zkcurator/jute"
)

// Defaults of the resource limits, as in ZooKeeper 3.8 where it has them.
const (
	// DefaultMaxClientConns is ZooKeeper's maxClientCnxns: connections
	// one IP address may hold at once.
	DefaultMaxClientConns = 60
	// DefaultHandshakeTimeout is ZooKeeper's
	// zookeeper.nio.sessionlessCnxnTimeout: how long a connection may stay
	// without completing its handshake (or four-letter word).
	DefaultHandshakeTimeout = 10 * time.Second
	// DefaultMaxQueuedBytes bounds the reply and event bytes queued for
	// all connections together.
	DefaultMaxQueuedBytes = 64 << 20
)

// WithMaxClientConns sets how many connections one IP address may hold
// at once (ZooKeeper's maxClientCnxns, default 60). A connection past the
// limit is closed as soon as it is accepted, unanswered, and a warning is
// logged, as ZooKeeper does. n <= 0 means no limit (maxClientCnxns=0).
func WithMaxClientConns(n int) Option {
	return func(c *config) { c.maxClientConns = max(n, 0) }
}

// WithHandshakeTimeout sets how long a new connection may take to send
// its ConnectRequest (or a four-letter word) before the server closes it;
// default 10s (DefaultHandshakeTimeout, ZooKeeper's
// zookeeper.nio.sessionlessCnxnTimeout). d <= 0 means no deadline.
func WithHandshakeTimeout(d time.Duration) Option {
	return func(c *config) { c.handshakeTimeout = max(d, 0) }
}

// WithMaxQueuedBytes bounds the reply and event bytes queued for all
// connections together (default 64 MiB, DefaultMaxQueuedBytes), on top of
// the per-connection bound. When a frame would pass it, the connections
// with the largest backlogs, those that do not read, are closed first.
// n <= 0 means no server-wide bound.
func WithMaxQueuedBytes(n int) Option {
	return func(c *config) { c.maxQueued = int64(max(n, 0)) }
}

// admitLocked counts a new connection against its IP's limit. It returns
// false (and logs) when the connection must be refused. Caller holds mu.
func (s *Server) admitLocked(c *conn) bool {
	if limit := s.cfg.maxClientConns; limit > 0 && s.perIP[c.ip] >= limit {
		// ZooKeeper's words; it logs the InetAddress, hence the slash.
		s.log.Warn("Too many connections from /"+c.ip+" - max is "+fmt.Sprint(limit), "remote", c.remote)
		return false
	}
	s.perIP[c.ip]++
	return true
}

// releaseLocked undoes admitLocked. Caller holds mu.
func (s *Server) releaseLocked(c *conn) {
	if n := s.perIP[c.ip]; n > 1 {
		s.perIP[c.ip] = n - 1
	} else {
		delete(s.perIP, c.ip)
	}
}

// readChunk is the first buffer for a frame: bigger frames grow the buffer
// as their bytes arrive, so a peer announcing a large frame and sending
// little costs little.
const readChunk = 4 << 10

// readFrame reads one length-prefixed frame of at most limit bytes. It
// allocates no more than about twice the bytes received (plus readChunk),
// whatever length the peer announces.
func readFrame(r io.Reader, limit int) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	return readFrameBody(r, hdr, limit)
}

// readFrameBody reads the body of a frame whose length prefix is hdr.
func readFrameBody(r io.Reader, hdr [4]byte, limit int) ([]byte, error) {
	n, err := jute.CheckFrameLength(int32(binary.BigEndian.Uint32(hdr[:])), limit)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 0, min(n, readChunk))
	for len(buf) < n {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(2*cap(buf), n))
			copy(grown, buf)
			buf = grown
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err != nil {
			if len(buf) == n {
				break
			}
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return buf, nil
}

// acceptBackoff is how long the accept loop waits after its n-th
// consecutive failure (n >= 1): 5ms doubling up to 1s, as net/http does.
func acceptBackoff(n int) time.Duration {
	d := 5 * time.Millisecond
	for i := 1; i < n && d < time.Second; i++ {
		d *= 2
	}
	return min(d, time.Second)
}

// acceptErrorLog rate-limits the accept-failure log to one line a second,
// counting the failures it did not log.
type acceptErrorLog struct {
	last       time.Time
	suppressed int
}

func (l *acceptErrorLog) log(s *Server, err error, wait time.Duration, now time.Time) {
	if !l.last.IsZero() && now.Sub(l.last) < time.Second {
		l.suppressed++
		return
	}
	s.log.Warn("accept failed; retrying", "err", err, "retryIn", wait, "suppressed", l.suppressed)
	l.last = now
	l.suppressed = 0
}

// trackOutput lists c among the connections whose backlog counts against
// the server-wide bound.
func (s *Server) trackOutput(c *conn) {
	s.outMu.Lock()
	s.outConns[c] = struct{}{}
	s.outMu.Unlock()
}

func (s *Server) untrackOutput(c *conn) {
	s.outMu.Lock()
	delete(s.outConns, c)
	s.outMu.Unlock()
}

// makeRoom closes the connections with the largest backlogs (clients that
// do not read) until n more bytes fit under the server-wide bound, or no
// connection has a backlog left.
func (s *Server) makeRoom(n int) {
	limit := s.cfg.maxQueued
	if limit <= 0 {
		return
	}
	for s.queued.Load()+int64(n) > limit {
		victim := s.largestBacklog()
		if victim == nil {
			return
		}
		s.log.Warn("closing the connection with the largest reply backlog: server-wide reply queue full",
			"remote", victim.remote, "queued", victim.qsize.Load(), "total", s.queued.Load(), "limit", limit)
		victim.abort()
	}
}

// largestBacklog returns the open connection with the most bytes queued,
// nil if none has any.
func (s *Server) largestBacklog() *conn {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	var (
		victim *conn
		most   int64
	)
	for c := range s.outConns {
		if q := c.qsize.Load(); q > most && !c.isClosed() {
			victim, most = c, q
		}
	}
	return victim
}

// logHandshakeEnd logs why a connection ended before its handshake.
func (s *Server) logHandshakeEnd(c *conn, err error) {
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		s.log.Info("closing connection: no handshake within the deadline", "remote", c.remote, "deadline", s.cfg.handshakeTimeout)
		return
	}
	s.log.Debug("connection ended before its handshake", "remote", c.remote, "err", err)
}
