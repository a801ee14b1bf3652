package zk

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"time"
)

// Host is one connection target handed out by a HostProvider.
type Host struct {
	// Server is the server as listed ("zk1.example.com:2181"): what
	// OnConnected and UpdateServerList are told, and the TLS server name.
	Server string
	// Addrs are the addresses to dial, in order ("10.0.0.7:2181"): the
	// server's name freshly resolved (shuffled), or just Server when it is
	// an IP address or the provider does not resolve. The Conn dials them
	// in turn until one answers.
	Addrs []string
}

// HostProvider owns the server list of a Conn, in the manner of the Java
// client's HostProvider. A Conn calls Next before every connection attempt
// (the first, and every reconnect), OnConnected when the attempt
// succeeded, and nothing else; UpdateServerList is called by the Client's
// ensemble tracker (or by the application) when the ensemble changes.
//
// Implementations must be safe for concurrent use. A Client shares its
// provider with each of its sessions in turn.
type HostProvider interface {
	// Next returns the server to try next. Once every server has been tried
	// without a connection since the last OnConnected, it first waits
	// spinDelay (the Java client's HostProvider.next(spinDelay); a Conn
	// passes DefaultSpinDelay, and 0 for the first attempt of a new
	// session), returning ctx's error if ctx ends first.
	Next(ctx context.Context, spinDelay time.Duration) (Host, error)
	// OnConnected reports that a connection to server (a Host.Server) was
	// established.
	OnConnected(server string)
	// UpdateServerList replaces the server list. current is the server the
	// caller is connected to ("" when none). It reports whether the caller
	// should move to another server to keep the load even (then the next
	// Next calls return the servers to move to); see StaticHostProvider.
	UpdateServerList(servers []string, current string) (move bool, err error)
	// Servers returns the current server list.
	Servers() []string
}

// Resolver resolves a host name to its addresses (IP literals, without
// port), as net.Resolver.LookupHost does.
type Resolver func(ctx context.Context, host string) ([]string, error)

// DefaultSpinDelay is the spin delay a Conn passes to HostProvider.Next:
// the wait once every server has been tried without success (the Java
// client's 1s).
const DefaultSpinDelay = time.Second

// StaticHostProviderOptions configures NewStaticHostProvider. The zero
// value is the default.
type StaticHostProviderOptions struct {
	// Resolver resolves a server's name on every Next (default
	// net.DefaultResolver.LookupHost): a name whose records change (a
	// Kubernetes headless service) is followed. A failed lookup hands out
	// the name itself, for the dialer to resolve.
	Resolver Resolver
	// Seed seeds the shuffles (of the list, the resolved addresses and the
	// rebalancing draws); nil seeds at random.
	Seed *int64
}

// StaticHostProvider is the default HostProvider: a shuffled list tried
// round robin, every name re-resolved on each attempt, a spin delay after a
// full cycle without a connection, and UpdateServerList's probabilistic
// rebalancing (ZOOKEEPER-1355).
type StaticHostProvider struct {
	resolve Resolver

	mu      sync.Mutex
	rng     *rand.Rand
	servers []string
	cur     int // index of the server last handed out, -1 before the first
	last    int // index of the server last connected to, -1 before the first
	tries   int // servers handed out since the last connection (or the start)

	// Rebalancing after UpdateServerList (the Java client's reconfigMode).
	reconfig           bool
	oldSrv, newSrv     []string // servers of the new list that were / were not in the old
	curOld, curNew     int
	pOld, pNew         float64
	lastReconfigTarget string
}

// ErrNoServers is returned when a server list is empty.
var ErrNoServers = errors.New("zk: the server list is empty")

// NewStaticHostProvider returns a StaticHostProvider over servers
// ("host:port" each; a missing port is DefaultPort). It fails with
// ErrInvalidConnectString for a malformed entry and ErrNoServers for an
// empty list.
func NewStaticHostProvider(servers []string, o StaticHostProviderOptions) (*StaticHostProvider, error) {
	list, err := normalizeServers(servers)
	if err != nil {
		return nil, err
	}
	p := &StaticHostProvider{resolve: o.Resolver, cur: -1, last: -1}
	if p.resolve == nil {
		p.resolve = net.DefaultResolver.LookupHost
	}
	if o.Seed != nil {
		p.rng = rand.New(rand.NewPCG(uint64(*o.Seed), 0))
	} else {
		p.rng = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	p.servers = p.shuffled(list)
	return p, nil
}

// normalizeServers checks every entry and adds missing ports.
func normalizeServers(servers []string) ([]string, error) {
	if len(servers) == 0 {
		return nil, ErrNoServers
	}
	out := make([]string, 0, len(servers))
	for _, s := range servers {
		hs, _, err := parseConnectString(s)
		if err != nil || len(hs) != 1 {
			return nil, fmt.Errorf("zk: server %q: %w", s, ErrInvalidConnectString)
		}
		if !slices.Contains(out, hs[0]) {
			out = append(out, hs[0])
		}
	}
	return out, nil
}

func (p *StaticHostProvider) shuffled(list []string) []string {
	l := slices.Clone(list)
	p.rng.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
	return l
}

// Servers returns the current list, in the provider's order.
func (p *StaticHostProvider) Servers() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.servers)
}

// Next returns the next server with its name resolved; see HostProvider.
func (p *StaticHostProvider) Next(ctx context.Context, spinDelay time.Duration) (Host, error) {
	server, sleep := p.pick()
	if sleep && spinDelay > 0 {
		t := time.NewTimer(spinDelay)
		select {
		case <-ctx.Done():
			t.Stop()
			return Host{}, ctx.Err()
		case <-t.C:
		}
	}
	return Host{Server: server, Addrs: p.addrs(ctx, server)}, nil
}

// pick chooses the next server and whether to wait the spin delay first.
func (p *StaticHostProvider) pick() (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sleep := false
	if p.reconfig {
		if s, ok := p.nextReconfigLocked(); ok {
			p.cur = slices.Index(p.servers, s)
			p.lastReconfigTarget = s
			return s, false
		}
		// Tried every server of the new list: back to round robin.
		p.reconfig = false
		sleep, p.tries = true, 0
	}
	p.cur++
	if p.cur >= len(p.servers) {
		p.cur = 0
	}
	// Every server tried since the last connection: wait before the next
	// round. (The Java client counts the server that just dropped as tried,
	// so a one-server client waits before every reconnect; here the first
	// round after a connection starts at once.)
	p.tries++
	if p.tries > len(p.servers) {
		sleep = true
		p.tries = 1
	}
	return p.servers[p.cur], sleep
}

// addrs resolves server's host; IP literals and failed lookups are
// returned as given.
func (p *StaticHostProvider) addrs(ctx context.Context, server string) []string {
	host, port, err := net.SplitHostPort(server)
	if err != nil || net.ParseIP(host) != nil {
		return []string{server}
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ips, err := p.resolve(rctx, host)
	if err != nil || len(ips) == 0 {
		return []string{server}
	}
	out := make([]string, len(ips))
	for i, ip := range ips {
		out[i] = net.JoinHostPort(ip, port)
	}
	p.mu.Lock()
	p.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	p.mu.Unlock()
	return out
}

// OnConnected records the server connected to and ends rebalancing.
func (p *StaticHostProvider) OnConnected(server string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i := slices.Index(p.servers, server); i >= 0 {
		p.cur = i
	}
	p.last = p.cur
	p.tries = 0
	p.reconfig = false
}
