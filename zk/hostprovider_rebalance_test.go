package zk_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// simClient is one simulated client: its provider and the server it is
// connected to.
type simClient struct {
	p   *zk.StaticHostProvider
	cur string
}

func servers(n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("10.0.0.%d:2181", i+1)
	}
	return s
}

func simulate(t *testing.T, clients int, initial []string) []*simClient {
	t.Helper()
	ctx := zktest.Context(t)
	out := make([]*simClient, clients)
	for i := range out {
		p, err := zk.NewStaticHostProvider(initial, zk.StaticHostProviderOptions{Seed: seed(int64(i))})
		require.NoError(t, err)
		h, err := p.Next(ctx, 0)
		require.NoError(t, err)
		p.OnConnected(h.Server)
		out[i] = &simClient{p: p, cur: h.Server}
	}
	return out
}

// update gives every client the new list; the ones told to move connect
// to what Next returns. It returns how many moved.
func update(t *testing.T, cs []*simClient, list []string) int {
	t.Helper()
	ctx := zktest.Context(t)
	moved := 0
	for _, c := range cs {
		move, err := c.p.UpdateServerList(list, c.cur)
		require.NoError(t, err)
		if !move {
			continue
		}
		h, err := c.p.Next(ctx, 0)
		require.NoError(t, err)
		c.p.OnConnected(h.Server)
		if h.Server != c.cur {
			moved++
		}
		c.cur = h.Server
	}
	return moved
}

func load(cs []*simClient) map[string]int {
	m := map[string]int{}
	for _, c := range cs {
		m[c.cur]++
	}
	return m
}

func requireEven(t *testing.T, cs []*simClient, list []string, tolerance float64) {
	t.Helper()
	l := load(cs)
	share := float64(len(cs)) / float64(len(list))
	for _, s := range list {
		require.InDelta(t, share, float64(l[s]), share*tolerance, "load of %s: %v", s, l)
	}
	require.Len(t, l, len(list), "clients only on listed servers: %v", l)
}

// ZOOKEEPER-1355: 1,000 clients over 3 servers; the list grows to 5: about
// 1 - 3/5 = 40 % move, all to the new servers, and the load is even; it
// shrinks back to 3: exactly the clients of the removed servers move.
func TestUpdateServerListRebalances(t *testing.T) {
	const n = 1000
	three, five := servers(3), servers(5)
	cs := simulate(t, n, three)
	requireEven(t, cs, three, 0.15)

	before := map[*simClient]string{}
	for _, c := range cs {
		before[c] = c.cur
	}
	moved := update(t, cs, five)
	require.InDelta(t, 0.4*n, float64(moved), 0.06*n, "fraction moved when growing 3 -> 5")
	for _, c := range cs {
		if c.cur != before[c] {
			require.Contains(t, five[3:], c.cur, "a client that moves goes to a new server")
		}
	}
	requireEven(t, cs, five, 0.2)

	// Shrink: remove 10.0.0.4 and 10.0.0.5.
	onRemoved := 0
	for _, c := range cs {
		before[c] = c.cur
		if c.cur == five[3] || c.cur == five[4] {
			onRemoved++
		}
	}
	moved = update(t, cs, three)
	require.Equal(t, onRemoved, moved, "exactly the clients of removed servers move")
	for _, c := range cs {
		if before[c] == five[3] || before[c] == five[4] {
			require.Contains(t, three, c.cur)
		} else {
			require.Equal(t, before[c], c.cur, "a client on a kept server stays")
		}
	}
	requireEven(t, cs, three, 0.2)
}

// Replacing one server: its clients spread over the remaining and the new
// one so the load stays even.
func TestUpdateServerListReplaceOne(t *testing.T) {
	const n = 900
	cs := simulate(t, n, servers(3))
	next := append(servers(2), "10.0.0.9:2181")
	update(t, cs, next)
	requireEven(t, cs, next, 0.25)
}
