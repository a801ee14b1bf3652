package election

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// exclusion checks that at most one participant acts as leader at every
// instant. A participant acts from the moment Await hands it leadership
// until its leadership context is cancelled; when it starts, the previous
// leader's context must already be cancelled, else a violation is
// recorded.
type exclusion struct {
	current    atomic.Pointer[term]
	mu         sync.Mutex
	violations []string
	terms      atomic.Int64
	termCh     chan string // the id of each new term's leader
}

// term is one participant's leadership.
type term struct {
	id   string
	lead context.Context
}

func newExclusion() *exclusion { return &exclusion{termCh: make(chan string, 1024)} }

// act is one participant's acting loop: lead whenever the latch says so.
func (x *exclusion) act(l *Latch, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		lead, err := l.Await(context.Background())
		if err != nil {
			return // closed
		}
		me := &term{id: l.ID(), lead: lead}
		for {
			old := x.current.Load()
			if old != nil && old.lead.Err() == nil {
				x.mu.Lock()
				x.violations = append(x.violations, fmt.Sprintf("%s started leading while %s was leading", me.id, old.id))
				x.mu.Unlock()
			}
			if x.current.CompareAndSwap(old, me) {
				break
			}
		}
		x.terms.Add(1)
		x.termCh <- me.id
		<-lead.Done()
		x.current.CompareAndSwap(me, nil)
	}
}

func (x *exclusion) check(t *testing.T) {
	x.mu.Lock()
	defer x.mu.Unlock()
	require.Empty(t, x.violations)
}

// nextTerm waits for a new term, then returns the term leading now, which
// is not prev (a term that just ended).
func (x *exclusion) nextTerm(t *testing.T, prev *term) *term {
	t.Helper()
	cur, err := x.waitTerm(prev)
	require.NoError(t, err)
	return cur
}

// waitTerm is nextTerm returning an error after 30s.
func (x *exclusion) waitTerm(prev *term) (*term, error) {
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	select {
	case <-x.termCh:
	case <-deadline.C:
		return nil, fmt.Errorf("no new leader within 30s")
	}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-x.termCh: // more terms: keep the latest
		case <-tick.C:
			if cur := x.current.Load(); cur != nil && cur.lead.Err() == nil && cur != prev {
				return cur, nil
			}
		case <-deadline.C:
			return nil, fmt.Errorf("no new leadership term within 30s")
		}
	}
}

// TestLatchAtMostOneLeaderUnderFaults runs 5 participants through 200
// leadership changes caused by graceful closes, dropped connections and
// session expiries, and checks that no two ever lead at the same instant.
//
// A leader's session is expired the way a real ensemble expires one: the
// server only expires a session it has not heard from for the session
// timeout, and the client, which stops hearing the server at the same
// time, declares itself Suspended after 2/3 of it. So the test cuts the
// leader off first (its reconnects refused), waits until it has noticed
// (Suspended ends its leadership), then expires the session.
func TestLatchAtMostOneLeaderUnderFaults(t *testing.T) {
	const (
		participants = 5
		changes      = 200
	)
	srv := zktest.Embedded(t)
	path := zktest.UniquePath(t)
	x := newExclusion()
	var wg sync.WaitGroup

	clients := make([]*zk.Client, participants)
	latches := make([]*Latch, participants)
	start := func(i int) {
		l := newLatchT(t, clients[i], path, fmt.Sprintf("p%d", i))
		require.NoError(t, l.Start(zktest.Context(t)))
		latches[i] = l
		wg.Add(1)
		go x.act(l, &wg)
	}
	var lost atomic.Int64
	for i := range clients {
		clients[i] = zktest.Connect(t, srv.ConnectString())
		clients[i].Listen(func(s zk.ConnectionState) {
			if s == zk.Lost {
				lost.Add(1)
			}
		})
		start(i)
	}
	defer func() {
		for _, l := range latches {
			_ = l.Close()
		}
		wg.Wait()
	}()
	index := func(id string) int {
		var i int
		_, err := fmt.Sscanf(id, "p%d", &i)
		require.NoError(t, err)
		return i
	}

	leader := x.nextTerm(t, nil)
	counts := map[string]int{}
	var slowest [4]time.Duration
	var history []string
	began := time.Now()
	for n := 0; n < changes; n++ {
		t0 := time.Now()
		i := index(leader.id)
		history = append(history, fmt.Sprintf("change %d fault %d: leader %s node %s", n, n%4, leader.id, latches[i].OurPath()))
		switch n % 4 {
		case 0: // the leader leaves gracefully and joins again
			require.NoError(t, latches[i].Close())
			start(i)
		case 1: // the leader's session expires
			c := clients[i]
			srv.RejectConnections(time.Minute)
			srv.DropSession(c.SessionID())
			zktest.Eventually(t, func() bool { return !latches[i].IsLeader() }, "the cut-off leader to notice")
			srv.ExpireSession(c.SessionID())
			srv.RejectConnections(0)
		case 2: // every connection drops; sessions survive
			srv.DropConnections()
		case 3: // a follower's session expires abruptly, then the leader leaves
			j := (i + 1 + n%(participants-1)) % participants
			srv.ExpireSession(clients[j].SessionID())
			require.NoError(t, latches[i].Close())
			start(i)
		}
		var err error
		leader, err = x.waitTerm(leader)
		if err != nil {
			for _, h := range history[max(0, len(history)-6):] {
				t.Log(h)
			}
			dumpElection(t, x, srv.ConnectString(), path, latches, clients, n)
			t.Fatal(err)
		}
		counts[leader.id]++
		slowest[n%4] = max(slowest[n%4], time.Since(t0))
	}
	t.Logf("sessions lost: %d (expired on purpose: %d)", lost.Load(), changes/2)
	t.Logf("slowest change per fault (close, expire, drop, expire follower+close): %v", slowest)
	t.Logf("%d leadership changes in %v; terms per participant %v", changes, time.Since(began), counts)
	x.check(t)
	require.GreaterOrEqual(t, x.terms.Load(), int64(changes))
	require.Greater(t, len(counts), 1)
}

// dumpElection logs the state of every latch and of the election's nodes.
func dumpElection(t *testing.T, x *exclusion, addr, path string, latches []*Latch, clients []*zk.Client, n int) {
	t.Logf("stuck at change %d (fault %d)", n, n%4)
	t.Logf("violations: %v", x.violations)
	c, err := zk.Connect(context.Background(), addr)
	if err != nil {
		t.Log(err)
		return
	}
	defer c.Close()
	kids, _, _ := c.Children(context.Background(), path)
	for _, k := range kids {
		data, st, err := c.Get(context.Background(), path+"/"+k)
		if err == nil {
			t.Logf("node %s data %s owner %x czxid %d", k, data, st.EphemeralOwner, st.Czxid)
		}
	}
	for i, l := range latches {
		t.Logf("latch %s leader %v node %s; client state %v session %x", l.ID(), l.IsLeader(), l.OurPath(), clients[i].State(), clients[i].SessionID())
	}
}
