package zktest

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// Proxy is a TCP proxy on loopback in front of one server, for network
// faults a real ZooKeeper cannot inject itself. While blackholed it keeps
// every connection open but drops all bytes both ways, as a partitioned
// network does. It is closed when the test ends.
type Proxy struct {
	ln     net.Listener
	target string
	hole   atomic.Bool
	count  atomic.Int64 // connections accepted

	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

// NewProxy starts a Proxy forwarding to target (host:port).
func NewProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("zktest: proxy: %v", err)
	}
	p := &Proxy{ln: ln, target: target, conns: []net.Conn{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// Addr returns the proxy's address, to use in a connect string.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Accepted returns how many client connections the proxy has accepted:
// a client's connection attempts, for tests that bound them.
func (p *Proxy) Accepted() int { return int(p.count.Load()) }

// Cut closes every connection open through the proxy (both sides), as a
// network failure would; new connections are accepted as before.
func (p *Proxy) Cut() {
	p.mu.Lock()
	conns := p.conns
	if conns != nil {
		p.conns = []net.Conn{}
	}
	p.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// Blackhole starts (on) or ends dropping every byte both ways.
func (p *Proxy) Blackhole(on bool) { p.hole.Store(on) }

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		return false // closed
	}
	p.conns = append(p.conns, c)
	return true
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.count.Add(1)
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			in.Close()
			continue
		}
		if !p.track(in) || !p.track(out) {
			in.Close()
			out.Close()
			return
		}
		p.wg.Add(2)
		go p.pipe(in, out)
		go p.pipe(out, in)
	}
}

// pipe copies from src to dst, dropping what it reads while blackholed;
// when src ends it closes both.
func (p *Proxy) pipe(src, dst net.Conn) {
	defer p.wg.Done()
	defer src.Close()
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.hole.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *Proxy) close() {
	p.ln.Close()
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	p.wg.Wait()
}
