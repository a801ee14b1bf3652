package partition

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// claims is the test's view of which member works on which item: a member
// claims its items when it gets an assignment and gives them up once the
// assignment's Held context ended.
type claims struct {
	mu     sync.Mutex
	owner  map[string]claim
	double []string
}

type claim struct {
	id   string
	void bool // the test expired the owner's session: no longer a holder
}

func (c *claims) claim(id string, items []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, it := range items {
		if o, ok := c.owner[it]; ok && o.id != id && !o.void {
			c.double = append(c.double, fmt.Sprintf("%s given to %s while %s holds it", it, id, o.id))
		}
		c.owner[it] = claim{id: id}
	}
}

func (c *claims) unclaim(id string, items []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, it := range items {
		if c.owner[it].id == id {
			delete(c.owner, it)
		}
	}
}

// voidAll marks id's claims void: its session is being expired.
func (c *claims) voidAll(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for it, o := range c.owner {
		if o.id == id {
			c.owner[it] = claim{id: id, void: true}
		}
	}
}

// covered reports whether every item is claimed by a live owner.
func (c *claims) covered(set []string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, it := range set {
		if o, ok := c.owner[it]; !ok || o.void {
			return false
		}
	}
	return true
}

// windDown is how long a member takes to stop working on its items.
const windDown = 120 * time.Millisecond // longer than the time boundary

type member struct {
	id   string
	px   *zktest.Proxy
	c    *zk.Client
	p    *Partitioner
	stop context.CancelFunc
	done chan struct{}
}

// Members join, leave and have their sessions expired while the set is
// partitioned among them: no item is ever given to a member while another
// (live) member holds it, and after each change the members cover the set
// again. On the embedded server an expiry is instant, so the test counts
// the expired member's claims void at once (its Held ends when its client
// hears of the expiry, after the others may have taken its items).
func TestPartitionerNeverDoubleAssigns(t *testing.T) {
	srv := zktest.Embedded(t)
	faultRun(t, srv.Addr(), 15, func(t *testing.T, m *member, cl *claims, _ string) {
		cl.voidAll(m.id)
		old := m.c.SessionID()
		require.True(t, srv.ExpireSession(old))
		zktest.Eventually(t, func() bool { id := m.c.SessionID(); return id != 0 && id != old }, "a new session")
	})
}

// The same on a real ZooKeeper (ZKCURATOR_REAL_ZK=1), where a session
// expires the way it does in production: the member is cut off (by its
// proxy) past its session timeout. Its claims are not voided: its Held
// ends when its connection is Suspended, before the server can expire the
// session and the others take its items.
func TestPartitionerNeverDoubleAssignsReal(t *testing.T) {
	addr := zktest.RealConnectString(t)
	direct := zktest.Connect(t, addr)
	faultRun(t, addr, 8, func(t *testing.T, m *member, _ *claims, path string) {
		old := m.c.SessionID()
		m.px.Blackhole(true)
		partyPath := path + "/party"
		zktest.Eventually(t, func() bool { // the server expired the session: its member node went
			for _, n := range zktest.Children(t, direct, partyPath) {
				ok, st, err := direct.Exists(zktest.Context(t), partyPath+"/"+n)
				if err != nil || (ok && st.EphemeralOwner == old) {
					return false
				}
			}
			return true
		}, "the session expired")
		m.px.Blackhole(false)
		zktest.Eventually(t, func() bool { id := m.c.SessionID(); return id != 0 && id != old }, "a new session")
	})
}

// faultRun runs steps random joins, leaves and expiries (expire ends a
// member's session) with members connecting to addr through proxies.
func faultRun(t *testing.T, addr string, steps int, expire func(t *testing.T, m *member, cl *claims, path string)) {
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/work"
	set := []string{"i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7"}
	cl := &claims{owner: map[string]claim{}}
	t.Cleanup(func() {
		cl.mu.Lock()
		defer cl.mu.Unlock()
		require.Empty(t, cl.double)
	})

	n := 0
	join := func() *member {
		n++
		px := zktest.NewProxy(t, addr)
		m := &member{id: fmt.Sprintf("m%d", n), px: px, c: zktest.Connect(t, px.Addr()), done: make(chan struct{})}
		p, err := New(m.c, path, set, fastOpts(m.id)...)
		require.NoError(t, err)
		m.p = p
		require.NoError(t, p.Start(ctx))
		lctx, stop := context.WithCancel(ctx)
		m.stop = stop
		go func() {
			defer close(m.done)
			for a, err := range p.Assignments(lctx) {
				if err != nil {
					return
				}
				cl.claim(m.id, a.Partitions)
				<-a.Held.Done()
				// Work takes a while to wind down: the next owner of these
				// items must wait for it (for the Release after it).
				time.Sleep(windDown)
				cl.unclaim(m.id, a.Partitions)
			}
		}()
		return m
	}
	leave := func(m *member) {
		m.stop()
		<-m.done
		require.NoError(t, m.p.Close())
	}
	var members []*member
	for range 3 {
		members = append(members, join())
	}
	t.Cleanup(func() {
		for _, m := range members {
			leave(m)
		}
	})
	zktest.Eventually(t, func() bool { return cl.covered(set) }, "the set covered")

	t.Cleanup(func() { // registered after the members' leave: runs first
		if t.Failed() {
			for _, m := range members {
				t.Logf("%s: %v session %x", m.id, m.p.State(), m.c.SessionID())
			}
			cl.mu.Lock()
			t.Logf("claims %v", cl.owner)
			cl.mu.Unlock()
		}
	})
	rng := rand.New(rand.NewPCG(1, 2))
	expiries := 0
	for step := range steps {
		switch r := rng.IntN(3); {
		case r == 0 && len(members) < 5:
			members = append(members, join())
			t.Logf("step %d: %s joined", step, members[len(members)-1].id)
		case r == 1 && len(members) > 1:
			i := rng.IntN(len(members))
			t.Logf("step %d: %s leaves", step, members[i].id)
			leave(members[i])
			members = slices.Delete(members, i, i+1)
		default:
			m := members[rng.IntN(len(members))]
			t.Logf("step %d: %s's session expires", step, m.id)
			expire(t, m, cl, path)
			expiries++
		}
		zktest.Eventually(t, func() bool { return cl.covered(set) }, fmt.Sprintf("the set covered after step %d", step))
	}
	t.Logf("%d members at the end, %d session expiries", len(members), expiries)
}
