package zk_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/zk"
)

// orderedProvider hands out its servers round robin in the given order,
// without shuffling or waiting: tests choose which server comes first.
type orderedProvider struct {
	mu      sync.Mutex
	servers []string
	next    int
}

func (p *orderedProvider) Next(ctx context.Context, _ time.Duration) (zk.Host, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.servers[p.next%len(p.servers)]
	p.next++
	return zk.Host{Server: s, Addrs: []string{s}}, ctx.Err()
}
func (p *orderedProvider) OnConnected(string) {}
func (p *orderedProvider) UpdateServerList(s []string, _ string) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.servers = slices.Clone(s)
	return false, nil
}
func (p *orderedProvider) Servers() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.servers)
}

func mkNode(t *testing.T, addr, path string) {
	t.Helper()
	c := zktest.Connect(t, addr)
	_, err := c.Create(zktest.Context(t), path, []byte("v0"), zk.ModePersistent, nil)
	require.NoError(t, err)
	require.NoError(t, c.Close())
}

// The whole read-only path on two embedded servers: the client lands on a
// read-only one (ReadOnly; reads and watches work; a write fails at once
// with ErrNotReadOnly, not retried), keeps probing with isro, and once the
// other server answers rw moves its session there (Reconnected, no
// Suspended), getting a real session since it never saw a read-write
// server; its watch follows it.
func TestReadOnlyClientMovesToReadWriteServer(t *testing.T) {
	ro, rw := zktest.Embedded(t), zktest.Embedded(t)
	mkNode(t, ro.Addr(), "/x")
	mkNode(t, rw.Addr(), "/x")
	// The read-write side moved on while the other was cut off: its zxid
	// is ahead (a server behind the client's last zxid refuses it).
	for i := range 20 {
		mkNode(t, rw.Addr(), fmt.Sprintf("/later-%d", i))
	}
	ro.SetReadOnly(true)
	rw.SetReadOnly(true) // no read-write server yet

	var attempts atomic.Int32
	policy := retry.PolicyFunc(func(n int, _ time.Duration) (time.Duration, bool) {
		attempts.Add(1)
		return time.Millisecond, n < 20
	})
	p := &orderedProvider{servers: []string{ro.Addr(), rw.Addr()}}
	c, rec := zktest.ConnectRecorded(t, ro.Addr(), zk.WithHostProvider(p), zk.WithReadOnly(true),
		zk.WithReadOnlyProbeInterval(20*time.Millisecond, 100*time.Millisecond), zk.WithRetryPolicy(policy))
	ctx := zktest.Context(t)
	rec.WaitFor(t, zk.ReadOnly)
	require.Equal(t, zk.StateConnectedReadOnly, c.Conn().State())
	roSession := c.SessionID()

	data, _, watch, err := c.GetW(ctx, "/x")
	require.NoError(t, err)
	require.Equal(t, "v0", string(data))
	_, err = c.Set(ctx, "/x", []byte("v1"), -1)
	require.ErrorIs(t, err, zk.ErrNotReadOnly)
	require.Zero(t, attempts.Load(), "NotReadOnly is not retried")
	_, err = c.Create(ctx, "/y", nil, zk.ModePersistent, nil)
	require.ErrorIs(t, err, zk.ErrNotReadOnly)

	rw.SetReadOnly(false) // quorum back on the other server
	rec.WaitFor(t, zk.ReadOnly, zk.Reconnected)
	require.Equal(t, rw.Addr(), c.Conn().Server())
	require.Equal(t, zk.StateSyncConnected, c.Conn().State())
	require.NotZero(t, c.SessionID())
	require.NotEqual(t, roSession, c.SessionID(), "a session only ever read-only is replaced by a real one")
	require.Contains(t, rw.Sessions(), c.SessionID())

	_, err = c.Set(ctx, "/x", []byte("v2"), -1)
	require.NoError(t, err)
	ev := zktest.Recv(t, watch)
	require.Equal(t, zk.EventNodeDataChanged, ev.Type, "the watch set while read-only moved with the session")
}

// A session that was read-write cannot re-attach to a read-only server (a
// real one refuses a "global session reconnection in RO mode"): the client
// is Suspended, then Lost, then gets a new read-only session (ReadOnly).
// A watch set while read-only survives the return to read-write, and a
// client that does not allow read-only mode is not served meanwhile.
func TestReadOnlyFaultGlobalSessionThenReadOnlySession(t *testing.T) {
	srv := zktest.Embedded(t)
	mkNode(t, srv.Addr(), "/x")
	c, rec := zktest.ConnectRecorded(t, srv.Addr(), zk.WithReadOnly(true),
		zk.WithReadOnlyProbeInterval(20*time.Millisecond, 100*time.Millisecond))
	ctx := zktest.Context(t)
	sid := c.SessionID()

	srv.SetReadOnly(true)
	rec.WaitFor(t, zk.Connected, zk.Suspended, zk.Lost, zk.ReadOnly)
	require.NotEqual(t, sid, c.SessionID())
	_, _, watch, err := c.GetW(ctx, "/x")
	require.NoError(t, err)
	_, err = c.Set(ctx, "/x", nil, -1)
	require.ErrorIs(t, err, zk.ErrNotReadOnly)

	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	_, err = zk.Dial(short, srv.Addr()) // does not allow read-only
	require.ErrorIs(t, err, zk.ErrNoServer)

	srv.SetReadOnly(false)
	zktest.Eventually(t, func() bool { return c.State() == zk.Reconnected }, "back to read-write")
	require.Contains(t, srv.Sessions(), c.SessionID(), "a real session")
	_, err = c.Set(ctx, "/x", []byte("v1"), -1)
	require.NoError(t, err)
	require.Equal(t, zk.EventNodeDataChanged, zktest.Recv(t, watch).Type)
}

// A guaranteed delete refused by a read-only server is kept and done once
// the session is back on a read-write server.
func TestReadOnlyGuaranteedDeleteWaitsForReadWrite(t *testing.T) {
	ro, rw := zktest.Embedded(t), zktest.Embedded(t)
	mkNode(t, ro.Addr(), "/x")
	mkNode(t, rw.Addr(), "/x")
	for i := range 20 {
		mkNode(t, rw.Addr(), fmt.Sprintf("/later-%d", i))
	}
	ro.SetReadOnly(true)
	rw.SetReadOnly(true)
	p := &orderedProvider{servers: []string{ro.Addr(), rw.Addr()}}
	c, rec := zktest.ConnectRecorded(t, ro.Addr(), zk.WithHostProvider(p), zk.WithReadOnly(true),
		zk.WithReadOnlyProbeInterval(20*time.Millisecond, 100*time.Millisecond))
	ctx := zktest.Context(t)
	rec.WaitFor(t, zk.ReadOnly)

	done, err := c.DeleteGuaranteed(ctx, "/x", -1)
	require.ErrorIs(t, err, zk.ErrNotReadOnly)
	select {
	case <-done:
		t.Fatal("the delete was given up while read-only")
	default:
	}
	rw.SetReadOnly(false)
	zktest.Recv(t, done)
	check := zktest.Connect(t, rw.Addr())
	ok, _, err := check.Exists(ctx, "/x")
	require.NoError(t, err)
	require.False(t, ok, "deleted on the read-write server")
}
