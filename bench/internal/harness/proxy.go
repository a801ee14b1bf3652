package harness

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Proxy is a TCP proxy to one server whose connections can be cut, as a
// network failure would, to force a client to reconnect.
type Proxy struct {
	ln      net.Listener
	target  string
	counter *OpCounter // counts what the server sends (notifications), if set

	mu         sync.Mutex
	lastAccept time.Time
	conns      map[net.Conn]struct{}
	closed     bool
	wg         sync.WaitGroup
}

// StartProxy listens on a loopback port and forwards every connection to
// target.
func StartProxy(target string) (*Proxy, error) { return StartCountingProxy(target, nil) }

// StartCountingProxy is StartProxy that also counts, in counter, the watch
// notifications the server sends through it (OpCounter.Notifications), for
// clients whose connections cannot be wrapped (Curator).
func StartCountingProxy(target string, counter *OpCounter) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, counter: counter, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the address clients dial.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		at := time.Now()
		p.mu.Lock()
		p.lastAccept = at
		p.mu.Unlock()
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		if !p.track(c, up) {
			return
		}
		var from net.Conn = up
		if p.counter != nil {
			from = &countingConn{Conn: up, c: p.counter}
		}
		p.wg.Add(2)
		go p.pipe(c, from)
		go p.pipe(up, c)
	}
}

// track records a connection pair; false (both closed) once p is closed.
func (p *Proxy) track(a, b net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		a.Close()
		b.Close()
		return false
	}
	p.conns[a], p.conns[b] = struct{}{}, struct{}{}
	return true
}

func (p *Proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	io.Copy(dst, src) //nolint:errcheck // a cut ends the copy
	dst.Close()
	src.Close()
}

// LastAccept returns when the latest client connection was accepted.
func (p *Proxy) LastAccept() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastAccept
}

// Cut closes every connection now; new ones are accepted.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// Close cuts every connection and stops listening.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.Cut()
	p.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}
