package nemesis

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Proxy is a TCP proxy on loopback between one client and one server. It
// passes bytes through until told otherwise: Drop closes its connections
// (a network failure the client sees at once), Blackhole keeps them open
// but silent in both directions and accepts new ones without ever
// connecting them (a partition: the client only notices by its timeouts),
// SetLatency delays every chunk of bytes.
type Proxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	conns   map[*link]struct{}
	heal    chan struct{} // closed when no blackhole is on; replaced by Blackhole
	holed   bool
	latency time.Duration
	closed  bool
	wg      sync.WaitGroup
}

// link is one proxied connection pair.
type link struct {
	client net.Conn
	done   chan struct{}

	mu     sync.Mutex
	server net.Conn
	closed bool
}

func (l *link) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	close(l.done)
	_ = l.client.Close()
	if l.server != nil {
		_ = l.server.Close()
	}
}

// setServer attaches the server side; false (and s closed) if l is closed.
func (l *link) setServer(s net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		_ = s.Close()
		return false
	}
	l.server = s
	return true
}

// NewProxy listens on a free loopback port and forwards to target.
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("nemesis: proxy for %s: %w", target, err)
	}
	heal := make(chan struct{})
	close(heal)
	p := &Proxy{ln: ln, target: target, conns: map[*link]struct{}{}, heal: heal}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the address clients connect to.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		l := &link{client: c, done: make(chan struct{})}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			_ = c.Close()
			return
		}
		p.conns[l] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.serve(l)
	}
}

// serve connects l to the target once no blackhole is on, then pumps both
// ways until either side closes.
func (p *Proxy) serve(l *link) {
	defer p.wg.Done()
	defer func() {
		l.close()
		p.mu.Lock()
		delete(p.conns, l)
		p.mu.Unlock()
	}()
	if !p.waitHealed(l) {
		return
	}
	s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		return
	}
	if !l.setServer(s) {
		return // dropped while dialing
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.pump(l, l.client, s) }()
	go func() { defer wg.Done(); p.pump(l, s, l.client) }()
	wg.Wait()
}

// waitHealed waits until no blackhole is on; false if l closed first.
func (p *Proxy) waitHealed(l *link) bool {
	for {
		p.mu.Lock()
		heal := p.heal
		p.mu.Unlock()
		select {
		case <-heal:
			p.mu.Lock()
			same := p.heal == heal
			p.mu.Unlock()
			if same {
				return true
			}
		case <-l.done:
			return false
		}
	}
}

// pump copies src to dst chunk by chunk, holding each chunk while a
// blackhole is on and delaying it by the latency.
func (p *Proxy) pump(l *link, src, dst net.Conn) {
	defer l.close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.waitHealed(l) {
				return
			}
			p.mu.Lock()
			d := p.latency
			p.mu.Unlock()
			if d > 0 {
				t := time.NewTimer(d)
				select {
				case <-t.C:
				case <-l.done:
					t.Stop()
					return
				}
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// Drop closes every current connection; new ones are served as usual.
func (p *Proxy) Drop() int {
	p.mu.Lock()
	ls := make([]*link, 0, len(p.conns))
	for l := range p.conns {
		ls = append(ls, l)
	}
	p.mu.Unlock()
	for _, l := range ls {
		l.close()
	}
	return len(ls)
}

// Blackhole makes the proxy silent until Heal: bytes in flight are held,
// new connections are accepted but never connected.
func (p *Proxy) Blackhole() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.holed {
		p.holed = true
		p.heal = make(chan struct{})
	}
}

// SetLatency delays every chunk by d from now on (0: none).
func (p *Proxy) SetLatency(d time.Duration) {
	p.mu.Lock()
	p.latency = d
	p.mu.Unlock()
}

// Heal ends a blackhole and any latency. Held bytes flow again, in order.
func (p *Proxy) Heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = 0
	if p.holed {
		p.holed = false
		close(p.heal)
	}
}

// Close stops the proxy and closes every connection; it waits for its
// goroutines. Close is idempotent.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.Drop()
	p.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}
