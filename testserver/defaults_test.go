package testserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

// A server started without options refuses TTL nodes like a real 3.8
// without zookeeper.extendedTypesEnabled: Unimplemented, a zxid spent on
// the failed write, and the connection stays open.
func TestTTLDisabledByDefault(t *testing.T) {
	s := New(t)
	c := newSession(t, s.Addr())
	c.mustCreate("/p", nil, 0)
	_, h := c.create2(jute.OpCreateTTL, "/p/t", nil, jute.FlagPersistentWithTTL, 1000)
	require.Equal(t, jute.ErrUnimplemented, h.Err)
	_, h = c.create2(jute.OpCreateTTL, "/p/s-", nil, jute.FlagPersistentSequentialTTL, 1000)
	require.Equal(t, jute.ErrUnimplemented, h.Err)
	_, h = c.create2(jute.OpCreate2, "/p/t", nil, jute.FlagPersistentWithTTL, -1)
	require.Equal(t, jute.ErrUnimplemented, h.Err)
	// A TTL create inside a multi fails the multi.
	var mr jute.MultiResponse
	mh := c.call(jute.OpMulti, &jute.MultiRequest{Ops: []jute.MultiOp{
		{Type: jute.OpCreate, Record: &jute.CreateRequest{Path: "/p/ok", ACL: openACLUnsafe}},
		{Type: jute.OpCreateTTL, Record: &jute.CreateTTLRequest{Path: "/p/t", ACL: openACLUnsafe, Flags: jute.FlagPersistentWithTTL, TTL: 1000}},
	}}, &mr)
	require.EqualValues(t, 0, mh.Err)
	require.Len(t, mr.Results, 2)
	require.Equal(t, jute.ErrUnimplemented, mr.Results[1].Err)
	// Still connected; nothing was created; non-TTL modes of createTTL
	// stay BadArguments.
	_, err := c.exists("/p/t", false)
	require.Equal(t, jute.ErrNoNode, err)
	_, err = c.exists("/p/ok", false)
	require.Equal(t, jute.ErrNoNode, err)
	_, h = c.create2(jute.OpCreateTTL, "/p/x", nil, jute.FlagPersistent, 100)
	require.Equal(t, jute.ErrBadArguments, h.Err)

	on := New(t, WithExtendedTypes(true))
	c2 := newSession(t, on.Addr())
	_, h = c2.create2(jute.OpCreateTTL, "/t", nil, jute.FlagPersistentWithTTL, 1000)
	require.EqualValues(t, 0, h.Err)
}

func TestContainerCheckIntervalDefault(t *testing.T) {
	require.Equal(t, 60*time.Second, defaultConfig().containerCheck)
	require.Equal(t, 5*time.Second, func() time.Duration {
		c := defaultConfig()
		WithContainerCheckInterval(5 * time.Second)(&c)
		WithContainerCheckInterval(0)(&c) // ignored
		return c.containerCheck
	}())
}

// Containers are reaped on their own interval, not every tick: with a long
// interval, an emptied container outlives many ticks (a session expiring
// proves the ticks ran); with a short one it is reaped.
func TestContainerCheckIntervalIndependentOfTick(t *testing.T) {
	s := New(t, WithTickTime(10*time.Millisecond), WithContainerCheckInterval(time.Hour))
	c := newSession(t, s.Addr())
	_, h := c.create2(jute.OpCreateContainer, "/c", nil, jute.FlagContainer, -1)
	require.EqualValues(t, 0, h.Err)
	c.mustCreate("/c/k", nil, 0)
	require.EqualValues(t, 0, c.delete("/c/k", -1))
	connect(t, s.Addr(), connectOpts{timeout: 20}) // sends no pings
	waitUntil(t, func() bool { return len(s.Sessions()) == 1 }, "the short session expires")
	_, err := c.exists("/c", false)
	require.EqualValues(t, 0, err, "reaped on a tick")

	fast := New(t, WithTickTime(time.Second), WithContainerCheckInterval(20*time.Millisecond))
	f := newSession(t, fast.Addr())
	_, h = f.create2(jute.OpCreateContainer, "/c", nil, jute.FlagContainer, -1)
	require.EqualValues(t, 0, h.Err)
	f.mustCreate("/c/k", nil, 0)
	_, err = f.exists("/c", true)
	require.EqualValues(t, 0, err)
	require.EqualValues(t, 0, f.delete("/c/k", -1))
	require.Equal(t, ev(jute.EventNodeDeleted, "/c"), f.event())
}
