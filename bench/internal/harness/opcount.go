package harness

import (
	"context"
	"encoding/binary"
	"maps"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkcurator/zkcurator/jute"
)

// OpCounter counts the requests sessions send, by opcode, by reading the
// frames they write: it wraps the connections (WithDialer options of both
// client libraries). The first frame of each connection (the session
// handshake) and pings are not counted. Safe for concurrent use.
type OpCounter struct {
	mu     sync.Mutex
	counts map[int32]int64

	notifications atomic.Int64 // watch notifications (xid -1) read
}

// Notifications returns the number of watch notifications the sessions
// have received so far.
func (c *OpCounter) Notifications() int64 { return c.notifications.Load() }

// NewOpCounter returns an empty counter.
func NewOpCounter() *OpCounter { return &OpCounter{counts: map[int32]int64{}} }

// Snapshot returns the counts so far.
func (c *OpCounter) Snapshot() map[int32]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.counts)
}

// Total returns the number of requests counted so far.
func (c *OpCounter) Total() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for _, v := range c.counts {
		n += v
	}
	return n
}

// Describe renders counts (a Snapshot difference) divided by n as
// "create2 1.00, getChildren2 1.00, …" in opcode order.
func Describe(counts map[int32]int64, n int) string {
	s := ""
	for _, op := range slices.Sorted(maps.Keys(counts)) {
		if counts[op] == 0 {
			continue
		}
		if s != "" {
			s += ", "
		}
		s += opName(op) + " " + strconv.FormatFloat(float64(counts[op])/float64(max(n, 1)), 'f', 2, 64)
	}
	return s
}

// SubCounts returns a - b.
func SubCounts(a, b map[int32]int64) map[int32]int64 {
	out := maps.Clone(a)
	if out == nil {
		out = map[int32]int64{}
	}
	for k, v := range b {
		out[k] -= v
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func opName(op int32) string {
	switch op {
	case jute.OpCreate:
		return "create"
	case jute.OpDelete:
		return "delete"
	case jute.OpExists:
		return "exists"
	case jute.OpGetData:
		return "getData"
	case jute.OpSetData:
		return "setData"
	case jute.OpGetChildren:
		return "getChildren"
	case jute.OpGetChildren2:
		return "getChildren2"
	case jute.OpCreate2:
		return "create2"
	case jute.OpAddWatch:
		return "addWatch"
	case jute.OpMulti:
		return "multi"
	case jute.OpSetWatches:
		return "setWatches"
	case jute.OpSetWatches2:
		return "setWatches2"
	case jute.OpCreateContainer:
		return "createContainer"
	case jute.OpRemoveWatches:
		return "removeWatches"
	}
	return "op" + itoa(int64(op))
}

// ZkDialer returns a dialer for zk.WithDialer that counts into c.
func (c *OpCounter) ZkDialer() func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		nc, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: nc, c: c}, nil
	}
}

// GozkDialer returns a dialer for go-zookeeper's WithDialer that counts
// into c.
func (c *OpCounter) GozkDialer() func(network, addr string, timeout time.Duration) (net.Conn, error) {
	return func(network, addr string, timeout time.Duration) (net.Conn, error) {
		nc, err := net.DialTimeout(network, addr, timeout)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: nc, c: c}, nil
	}
}

// countingConn parses the frames written through it. Both libraries write
// from one goroutine per connection; mu guards the parser in any case.
type countingConn struct {
	net.Conn
	c *OpCounter

	mu        sync.Mutex
	handshake bool   // the first frame has been seen
	hdr       []byte // bytes of the current frame's length+xid+type seen so far
	skip      int    // bytes of the current frame's body still to skip

	// The read side's parser: replies and notifications (length, xid).
	rmu        sync.Mutex
	rhandshake bool
	rhdr       []byte
	rskip      int
}

func (cc *countingConn) Read(p []byte) (int, error) {
	n, err := cc.Conn.Read(p)
	cc.rmu.Lock()
	cc.scanRead(p[:n])
	cc.rmu.Unlock()
	return n, err
}

// scanRead advances the read-side parser over p, counting notifications.
func (cc *countingConn) scanRead(p []byte) {
	for len(p) > 0 {
		if cc.rskip > 0 {
			n := min(cc.rskip, len(p))
			cc.rskip -= n
			p = p[n:]
			continue
		}
		need := 8 // length, xid
		if !cc.rhandshake {
			need = 4
		}
		n := min(need-len(cc.rhdr), len(p))
		cc.rhdr = append(cc.rhdr, p[:n]...)
		p = p[n:]
		if len(cc.rhdr) < need {
			return
		}
		length := int(int32(binary.BigEndian.Uint32(cc.rhdr)))
		cc.rskip = max(length-(need-4), 0)
		if cc.rhandshake && int32(binary.BigEndian.Uint32(cc.rhdr[4:])) == jute.XidNotification {
			cc.c.notifications.Add(1)
		}
		cc.rhandshake = true
		cc.rhdr = cc.rhdr[:0]
	}
}

func (cc *countingConn) Write(p []byte) (int, error) {
	cc.mu.Lock()
	cc.scan(p)
	cc.mu.Unlock()
	return cc.Conn.Write(p)
}

// scan advances the frame parser over p.
func (cc *countingConn) scan(p []byte) {
	for len(p) > 0 {
		if cc.skip > 0 {
			n := min(cc.skip, len(p))
			cc.skip -= n
			p = p[n:]
			continue
		}
		need := 12 // length, xid, type
		if !cc.handshake {
			need = 4
		}
		n := min(need-len(cc.hdr), len(p))
		cc.hdr = append(cc.hdr, p[:n]...)
		p = p[n:]
		if len(cc.hdr) < need {
			return
		}
		length := int(int32(binary.BigEndian.Uint32(cc.hdr)))
		cc.skip = max(length-(need-4), 0)
		if cc.handshake {
			xid := int32(binary.BigEndian.Uint32(cc.hdr[4:]))
			op := int32(binary.BigEndian.Uint32(cc.hdr[8:]))
			if xid != jute.XidPing {
				cc.c.mu.Lock()
				cc.c.counts[op]++
				cc.c.mu.Unlock()
			}
		}
		cc.handshake = true
		cc.hdr = cc.hdr[:0]
	}
}
