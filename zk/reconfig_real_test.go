package zk_test

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver/realzk"
	"github.com/zkcurator/zkcurator/zk"
)

// reconfigSeedBase seeds the 30 clients' host providers, so that their
// shuffles are the same in every run. It does not make the outcome
// deterministic: which server a client first reaches and when it sees the
// new configuration depend on timing, so the loads are checked with
// bounds that hold with probability 1 - 1e-5 (see requireRebalanced).
const reconfigSeedBase = 30

// trackedClient is one of the reconfiguration test's clients.
type trackedClient struct {
	c     *zk.Client
	p     *zk.StaticHostProvider
	sid   int64
	watch <-chan zk.Event
}

// startTrackedClients connects n namespaced Clients with the ensemble
// tracker (the config node is read and watched outside the namespace);
// each makes an ephemeral node and sets a data watch on /w.
func startTrackedClients(t *testing.T, e *realzk.Ensemble, ns string, n int) []*trackedClient {
	t.Helper()
	ctx := zktest.Context(t)
	cs := make([]*trackedClient, n)
	for i := range cs {
		p, err := zk.NewStaticHostProvider([]string{e.Addr(0), e.Addr(1), e.Addr(2)},
			zk.StaticHostProviderOptions{Seed: seed(reconfigSeedBase + int64(i))})
		require.NoError(t, err)
		c := zktest.Connect(t, e.ConnectString(), zk.WithHostProvider(p), zk.WithEnsembleTracker(true),
			zk.WithSessionTimeout(20*time.Second), zk.WithNamespace(ns))
		_, err = c.Create(ctx, fmt.Sprintf("/e-%02d", i), nil, zk.ModeEphemeral, nil)
		require.NoError(t, err)
		_, _, w, err := c.GetW(ctx, "/w")
		require.NoError(t, err)
		cs[i] = &trackedClient{c: c, p: p, sid: c.SessionID(), watch: w}
	}
	return cs
}

// requireRebalanced waits until every client's provider has list and its
// connection is on a server of it, then checks the spread of the load.
//
// The Java client's rebalancing (ZOOKEEPER-1355) is probabilistic: each
// client ends on a uniformly chosen member, so a member's load is
// binomial. With 30 clients "no member above its share + 30 %" fails in
// most runs whatever the algorithm (over 5 members one client is 17 % of a
// share; the CI run on record failed with a load of 8 against 7.8), so the
// bound here is the load that a uniform spread exceeds on some member with
// probability below 1e-5. TestUpdateServerListRebalances checks the
// fractions tightly with 1,000 clients.
func requireRebalanced(t *testing.T, cs []*trackedClient, list []string) map[string]int {
	t.Helper()
	want := slices.Sorted(slices.Values(list))
	require.Eventually(t, func() bool {
		for _, c := range cs {
			conn := c.c.Conn()
			if !slices.Equal(slices.Sorted(slices.Values(c.p.Servers())), want) ||
				conn == nil || conn.State() != zk.StateSyncConnected || !slices.Contains(list, conn.Server()) {
				return false
			}
		}
		return true
	}, time.Minute, 100*time.Millisecond, "clients follow the config to %v", list)
	load := map[string]int{}
	for _, c := range cs {
		load[c.c.Conn().Server()]++
	}
	limit := binomialBound(len(cs), len(list), 1e-5)
	t.Logf("load over %d servers: %v (limit %d)", len(list), load, limit)
	for s, l := range load {
		require.LessOrEqual(t, l, limit, "load of %s", s)
	}
	return load
}

// binomialBound is the smallest m such that, with n clients each on one
// of k members chosen uniformly, the chance that some member has more
// than m clients is below eps (union bound over the members).
func binomialBound(n, k int, eps float64) int {
	p := 1 / float64(k)
	pmf := make([]float64, n+1) // P(load = i), by the recurrence on i
	pmf[0] = math.Pow(1-p, float64(n))
	for i := 1; i <= n; i++ {
		pmf[i] = pmf[i-1] * float64(n-i+1) / float64(i) * p / (1 - p)
	}
	tail := 0.0 // P(load > m)
	for m := n; m > 0; m-- {
		if tail+pmf[m] >= eps/float64(k) {
			return m
		}
		tail += pmf[m]
	}
	return 0
}

// A real ensemble of 3 grows to 5 by Reconfig, then loses one member; 30
// Clients with the ensemble tracker follow the configuration and
// rebalance, no member ends with more than its share + 30 %, and their
// sessions, watches and ephemeral nodes survive. Needs ZKCURATOR_REAL_ZK=1.
func TestRealReconfigRebalance(t *testing.T) {
	e := zktest.RealEnsembleWith(t, realzk.Options{Members: 3,
		Config:           map[string]string{"reconfigEnabled": "true"},
		SystemProperties: map[string]string{"zookeeper.skipACL": "yes"}})
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t)
	admin := zktest.Connect(t, e.ConnectString())
	for _, p := range []string{path, path + "/w"} {
		_, err := admin.Create(ctx, p, nil, zk.ModePersistent, nil)
		require.NoError(t, err)
	}
	const n = 30
	cs := startTrackedClients(t, e, strings.TrimPrefix(path, "/"), n)

	cfg, _, err := admin.GetConfig(ctx)
	require.NoError(t, err)
	require.Len(t, cfg.ClientServers(), 3, "config: %s", cfg.Raw)

	// Grow to 5.
	i3, err := e.AddMember(ctx)
	require.NoError(t, err)
	i4, err := e.AddMember(ctx)
	require.NoError(t, err)
	cfg, _, err = admin.Reconfig(ctx, []string{e.Spec(i3), e.Spec(i4)}, nil, nil, cfg.Version)
	require.NoError(t, err)
	require.Len(t, cfg.ClientServers(), 5, "config: %s", cfg.Raw)
	load := requireRebalanced(t, cs, cfg.ClientServers())
	// 2 of 5 members are new: each client moves with probability 0.4,
	// so fewer than 2 of 30 moving has a probability below 1e-5.
	require.GreaterOrEqual(t, load[e.Addr(i3)]+load[e.Addr(i4)], 2, "clients moved to the new members")

	// Remove a member that does not lead.
	leader, err := e.Leader(ctx)
	require.NoError(t, err)
	gone := 0
	if leader == 0 {
		gone = 1
	}
	cfg, _, err = admin.Reconfig(ctx, nil, []string{strconv.Itoa(gone + 1)}, nil, cfg.Version)
	require.NoError(t, err)
	require.Len(t, cfg.ClientServers(), 4, "config: %s", cfg.Raw)
	require.NotContains(t, cfg.ClientServers(), e.Addr(gone))
	requireRebalanced(t, cs, cfg.ClientServers())

	// Sessions, ephemerals and watches survived.
	kids, _, err := admin.Children(ctx, path)
	require.NoError(t, err)
	require.Len(t, kids, n+1)
	for i, c := range cs {
		require.Equal(t, c.sid, c.c.SessionID(), "client %d kept its session", i)
		_, st, err := c.c.Get(ctx, fmt.Sprintf("/e-%02d", i))
		require.NoError(t, err)
		require.Equal(t, c.sid, st.EphemeralOwner)
	}
	_, err = admin.Set(ctx, path+"/w", []byte("x"), -1)
	require.NoError(t, err)
	for i, c := range cs {
		require.Equal(t, zk.EventNodeDataChanged, zktest.Recv(t, c.watch).Type, "client %d's watch", i)
	}
}
