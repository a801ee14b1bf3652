package zk_test

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

type fakeSRV struct {
	mu    sync.Mutex
	recs  []*net.SRV
	calls int
}

func (f *fakeSRV) lookup(_ context.Context, name string) ([]*net.SRV, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if name != "_zookeeper._tcp.zk.test" {
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return f.recs, nil
}

func (f *fakeSRV) set(recs ...*net.SRV) {
	f.mu.Lock()
	f.recs = recs
	f.mu.Unlock()
}

// The SRV record's targets are the servers; the record is looked up again
// after Refresh and a changed list replaces the old one.
func TestSRVHostProviderRefreshes(t *testing.T) {
	f := &fakeSRV{}
	f.set(&net.SRV{Target: "zk1.test.", Port: 2181}, &net.SRV{Target: "zk2.test.", Port: 2182})
	ctx := zktest.Context(t)
	_, err := zk.NewSRVHostProvider(ctx, "_other._tcp.zk.test", zk.SRVHostProviderOptions{LookupSRV: f.lookup})
	require.Error(t, err)

	p, err := zk.NewSRVHostProvider(ctx, "_zookeeper._tcp.zk.test", zk.SRVHostProviderOptions{LookupSRV: f.lookup, Refresh: 1,
		Static: zk.StaticHostProviderOptions{Resolver: func(context.Context, string) ([]string, error) { return []string{"10.1.1.1"}, nil }}})
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"zk1.test:2181", "zk2.test:2182"}, p.Servers())

	f.set(&net.SRV{Target: "zk3.test.", Port: 2183})
	h, err := p.Next(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, []string{"zk3.test:2183"}, p.Servers())
	require.Equal(t, "zk3.test:2183", h.Server)
	require.Equal(t, []string{"10.1.1.1:2183"}, h.Addrs, "the target's name is resolved too")

	f.set() // an empty answer keeps the list
	_, err = p.Next(ctx, 0)
	require.NoError(t, err)
	require.Equal(t, []string{"zk3.test:2183"}, p.Servers())
}

// A "dns-srv://name/chroot" connect string takes its servers from the SRV
// provider and keeps the chroot.
func TestDialSRVConnectString(t *testing.T) {
	srv := zktest.Embedded(t)
	_, port, err := net.SplitHostPort(srv.Addr())
	require.NoError(t, err)
	pn, err := strconv.Atoi(port)
	require.NoError(t, err)
	f := &fakeSRV{}
	f.set(&net.SRV{Target: "127.0.0.1.", Port: uint16(pn)})
	ctx := zktest.Context(t)
	p, err := zk.NewSRVHostProvider(ctx, "_zookeeper._tcp.zk.test", zk.SRVHostProviderOptions{LookupSRV: f.lookup})
	require.NoError(t, err)

	mkNode(t, srv.Addr(), "/srv-root")
	conn, err := zk.Dial(ctx, zk.SRVPrefix+"_zookeeper._tcp.zk.test/srv-root", zk.WithHostProvider(p))
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Create(ctx, "/child", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	c := zktest.Connect(t, srv.Addr())
	ok, _, err := c.Exists(ctx, "/srv-root/child")
	require.NoError(t, err)
	require.True(t, ok, "the chroot applies")

	_, err = zk.Dial(ctx, zk.SRVPrefix+"/x")
	require.ErrorIs(t, err, zk.ErrInvalidConnectString)
}
