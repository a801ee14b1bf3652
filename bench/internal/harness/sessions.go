package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	gozk "github.com/go-zookeeper/zk"
	"github.com/zkcurator/zkcurator/zk"
)

// Sessions is what n idle sessions cost one process.
type Sessions struct {
	N          int
	HeapBytes  int64         // live heap growth after GC
	StackBytes int64         // goroutine stack growth
	Goroutines int           // goroutine growth
	Window     time.Duration // idle time over which CPU was measured
	CPU        time.Duration // process CPU (user+sys) over Window: pings
}

// HeapPerSession is the heap and stack growth per session.
func (s Sessions) HeapPerSession() float64 {
	return float64(s.HeapBytes+s.StackBytes) / float64(max(s.N, 1))
}

// GoroutinesPerSession is the goroutine growth per session.
func (s Sessions) GoroutinesPerSession() float64 {
	return float64(s.Goroutines) / float64(max(s.N, 1))
}

// CPUPerSecond is the process's CPU time per second of idling, all
// sessions together (a fraction of one core).
func (s Sessions) CPUPerSecond() time.Duration {
	if s.Window <= 0 {
		return 0
	}
	return time.Duration(float64(s.CPU) / s.Window.Seconds())
}

// SessionClient names an implementation of an idle session.
type SessionClient string

// The idle-session implementations compared.
const (
	SessionZkcurator SessionClient = "zkcurator" // zk.Connect: a zk.Client (Conn + retry + state bus)
	SessionConn      SessionClient = "zk.Conn"   // zk.Dial: the session core alone
	SessionGozk      SessionClient = "gozk"      // go-zookeeper's zk.Connect
)

// SessionClients lists the implementations in report order.
var SessionClients = []SessionClient{SessionZkcurator, SessionConn, SessionGozk}

// MeasureSessions opens n idle sessions of c to addr with session timeout
// timeout (which sets the ping interval: a third of it), measures the
// memory and goroutines they hold, then the process CPU over window while
// they idle, and closes them.
func MeasureSessions(ctx context.Context, addr string, c SessionClient, n int, timeout, window time.Duration) (s Sessions, err error) {
	s = Sessions{N: n, Window: window}
	closers := make([]io.Closer, 0, n)
	defer func() {
		for _, cl := range closers {
			err = errors.Join(err, cl.Close())
		}
	}()
	before := takeMemSnapshot()
	for range n {
		var (
			cl  io.Closer
			err error
		)
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second) // a refused session fails fast
		defer cancel()
		switch c {
		case SessionZkcurator:
			cl, err = zk.Connect(ctx, addr, zk.WithSessionTimeout(timeout))
		case SessionConn:
			cl, err = zk.Dial(ctx, addr, zk.WithSessionTimeout(timeout))
		case SessionGozk:
			var g *gozk.Conn
			g, err = dialGozkTimeout(ctx, addr, timeout)
			if err == nil {
				cl = closerFunc(func() error { g.Close(); return nil })
			}
		default:
			err = fmt.Errorf("unknown session client %q", c)
		}
		if err != nil {
			return s, fmt.Errorf("%s: session %d: %w", c, len(closers), err)
		}
		closers = append(closers, cl)
	}
	s.HeapBytes, s.StackBytes, s.Goroutines = before.growth(takeMemSnapshot())
	c0 := ReadCounters()
	select {
	case <-time.After(window):
	case <-ctx.Done():
		return s, ctx.Err()
	}
	s.CPU = ReadCounters().Sub(c0).CPU
	return s, nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// dialGozkTimeout is DialGozk with a session timeout.
func dialGozkTimeout(ctx context.Context, addr string, timeout time.Duration) (*gozk.Conn, error) {
	conn, events, err := gozk.Connect([]string{addr}, timeout, gozk.WithLogger(nopLogger{}), gozk.WithLogInfo(false))
	if err != nil {
		return nil, err
	}
	for {
		select {
		case ev := <-events:
			if ev.State == gozk.StateHasSession {
				return conn, nil
			}
		case <-ctx.Done():
			conn.Close()
			return nil, ctx.Err()
		}
	}
}
