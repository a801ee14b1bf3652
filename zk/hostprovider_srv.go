package zk

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SRVPrefix starts a connect string that names a DNS SRV record instead of
// hosts, as in the Java client (3.10): "dns-srv://_zookeeper._tcp.example.com/chroot".
// Dial and Connect then take their servers from a SRVHostProvider.
const SRVPrefix = "dns-srv://"

// DefaultSRVRefresh is how often a SRVHostProvider looks the record up
// again (the Java client's default, 60s).
const DefaultSRVRefresh = 60 * time.Second

// SRVResolver looks up the SRV records of a full name
// ("_zookeeper._tcp.example.com").
type SRVResolver func(ctx context.Context, name string) ([]*net.SRV, error)

// SRVHostProviderOptions configures NewSRVHostProvider. The zero value is
// the default.
type SRVHostProviderOptions struct {
	// LookupSRV looks the record up (default net.DefaultResolver.LookupSRV).
	LookupSRV SRVResolver
	// Refresh is how often the record is looked up again, checked on Next
	// (default DefaultSRVRefresh; negative: never).
	Refresh time.Duration
	// Static configures the StaticHostProvider behind it (the targets'
	// names are resolved on every attempt).
	Static StaticHostProviderOptions
}

// SRVHostProvider is a HostProvider whose server list is a DNS SRV record's
// targets ("target:port" each). It looks the record up when made and again
// every Refresh; a changed list goes through UpdateServerList, so the
// clients spread over the new servers as after a reconfiguration (the
// move happens at the next reconnect).
type SRVHostProvider struct {
	*StaticHostProvider
	name    string
	lookup  SRVResolver
	refresh time.Duration

	mu        sync.Mutex
	lastCheck time.Time
	connected string
}

// NewSRVHostProvider looks up name's SRV records and returns a provider
// over their targets. It fails when the lookup fails or finds no records.
func NewSRVHostProvider(ctx context.Context, name string, o SRVHostProviderOptions) (*SRVHostProvider, error) {
	p := &SRVHostProvider{name: name, lookup: o.LookupSRV, refresh: o.Refresh}
	if p.lookup == nil {
		p.lookup = func(ctx context.Context, name string) ([]*net.SRV, error) {
			_, addrs, err := net.DefaultResolver.LookupSRV(ctx, "", "", name)
			return addrs, err
		}
	}
	if p.refresh == 0 {
		p.refresh = DefaultSRVRefresh
	}
	servers, err := p.servers(ctx)
	if err != nil {
		return nil, err
	}
	if p.StaticHostProvider, err = NewStaticHostProvider(servers, o.Static); err != nil {
		return nil, err
	}
	p.lastCheck = time.Now()
	return p, nil
}

// ErrNoSRVRecords is returned when a SRV lookup finds no records.
var ErrNoSRVRecords = errors.New("zk: no SRV records")

func (p *SRVHostProvider) servers(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	recs, err := p.lookup(ctx, p.name)
	if err != nil {
		return nil, fmt.Errorf("zk: SRV lookup %s: %w", p.name, err)
	}
	var out []string
	for _, r := range recs {
		if r == nil || r.Target == "" || r.Port == 0 {
			continue
		}
		out = append(out, net.JoinHostPort(strings.TrimSuffix(r.Target, "."), strconv.Itoa(int(r.Port))))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("zk: SRV lookup %s: %w", p.name, ErrNoSRVRecords)
	}
	return out, nil
}

// Next looks the record up again when Refresh has passed, then returns the
// next server; see HostProvider. A failed refresh keeps the list.
func (p *SRVHostProvider) Next(ctx context.Context, spinDelay time.Duration) (Host, error) {
	p.mu.Lock()
	due := p.refresh > 0 && time.Since(p.lastCheck) >= p.refresh
	if due {
		p.lastCheck = time.Now()
	}
	cur := p.connected
	p.mu.Unlock()
	if due {
		if servers, err := p.servers(ctx); err == nil {
			have := slices.Sorted(slices.Values(p.Servers()))
			if !slices.Equal(have, slices.Sorted(slices.Values(servers))) {
				_, _ = p.UpdateServerList(servers, cur)
			}
		}
	}
	return p.StaticHostProvider.Next(ctx, spinDelay)
}

// OnConnected records the server connected to; see HostProvider.
func (p *SRVHostProvider) OnConnected(server string) {
	p.mu.Lock()
	p.connected = server
	p.mu.Unlock()
	p.StaticHostProvider.OnConnected(server)
}

// srvConnectString handles a SRVPrefix connect string: it makes the
// provider (unless cfg has one) and returns an equivalent host list
// connect string (the record's targets and the chroot).
func srvConnectString(ctx context.Context, connectString string, cfg *connConfig) (string, error) {
	rest, ok := strings.CutPrefix(connectString, SRVPrefix)
	if !ok {
		return connectString, nil
	}
	name, chroot := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		name, chroot = rest[:i], rest[i:]
	}
	if name == "" {
		return "", fmt.Errorf("zk: connect string %q: %w: no SRV name", connectString, ErrInvalidConnectString)
	}
	if cfg.hostProvider == nil {
		p, err := NewSRVHostProvider(ctx, name, SRVHostProviderOptions{Static: StaticHostProviderOptions{Seed: cfg.shuffleSeed}})
		if err != nil {
			return "", err
		}
		cfg.hostProvider = p
	}
	return strings.Join(cfg.hostProvider.Servers(), ",") + chroot, nil
}
