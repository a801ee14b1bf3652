package zktest

import (
	"encoding/binary"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// KDCProxy stands between Kerberos clients and a KDC (TCP only): it
// counts the AS and TGS requests that pass and can play a KDC that is
// down. KRB5Conf is a krb5.conf naming the proxy as the realm's KDC.
type KDCProxy struct {
	// KRB5Conf is the KDC's krb5.conf with the proxy as the KDC.
	KRB5Conf string

	ln       net.Listener
	target   string
	as, tgs  atomic.Int32
	down     atomic.Bool
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	serving  sync.WaitGroup
	shutdown bool
}

// Proxy starts a KDCProxy in front of k, stopped when the test ends.
func (k *KDC) Proxy() *KDCProxy {
	k.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		k.t.Fatalf("zktest: KDC proxy: %v", err)
	}
	conf, err := os.ReadFile(k.KRB5Conf)
	if err != nil {
		k.t.Fatalf("zktest: KDC proxy: %v", err)
	}
	p := &KDCProxy{ln: ln, target: k.Addr, conns: map[net.Conn]struct{}{}}
	f, err := os.CreateTemp(k.Dir, "krb5-proxy-*.conf")
	if err != nil {
		k.t.Fatalf("zktest: KDC proxy: %v", err)
	}
	p.KRB5Conf = f.Name()
	_ = f.Close()
	text := strings.ReplaceAll(string(conf), "kdc = "+k.Addr, "kdc = "+ln.Addr().String())
	if err := os.WriteFile(p.KRB5Conf, []byte(text), 0o644); err != nil {
		k.t.Fatalf("zktest: KDC proxy: %v", err)
	}
	p.serving.Go(p.accept)
	k.t.Cleanup(p.close)
	return p
}

// AS is the number of AS requests (logins) forwarded so far.
func (p *KDCProxy) AS() int { return int(p.as.Load()) }

// TGS is the number of TGS requests (service tickets, renewals) forwarded
// so far.
func (p *KDCProxy) TGS() int { return int(p.tgs.Load()) }

// Down makes the KDC unreachable (connections are closed unanswered)
// while on is true.
func (p *KDCProxy) Down(on bool) { p.down.Store(on) }

func (p *KDCProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.shutdown {
			p.mu.Unlock()
			_ = c.Close()
			return
		}
		p.conns[c] = struct{}{}
		p.serving.Add(1)
		p.mu.Unlock()
		go func() {
			defer p.serving.Done()
			p.serve(c)
		}()
	}
}

// serve forwards the request frames of one connection (4-byte length,
// then the message, whose ASN.1 application tag says AS-REQ or TGS-REQ)
// and the KDC's replies.
func (p *KDCProxy) serve(c net.Conn) {
	defer p.drop(c)
	if p.down.Load() {
		return
	}
	var hdr [4]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 || n > 1<<20 {
		return
	}
	msg := make([]byte, n)
	if _, err := io.ReadFull(c, msg); err != nil {
		return
	}
	switch msg[0] {
	case 0x6a: // [APPLICATION 10] AS-REQ
		p.as.Add(1)
	case 0x6c: // [APPLICATION 12] TGS-REQ
		p.tgs.Add(1)
	}
	kdc, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer kdc.Close()
	if !p.track(kdc) {
		return
	}
	defer p.drop(kdc)
	if _, err := kdc.Write(append(hdr[:], msg...)); err != nil {
		return
	}
	// The reply, until either side hangs up (the client closes after one
	// reply; the KDC may keep the connection open).
	p.serving.Go(func() {
		_, _ = io.Copy(io.Discard, c)
		_ = kdc.Close()
	})
	_, _ = io.Copy(c, kdc)
}

func (p *KDCProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shutdown {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *KDCProxy) drop(c net.Conn) {
	_ = c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

func (p *KDCProxy) close() {
	_ = p.ln.Close()
	p.mu.Lock()
	p.shutdown = true
	for c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.serving.Wait()
	_ = os.Remove(p.KRB5Conf)
}
