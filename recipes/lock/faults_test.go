package lock

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// guard is the protected resource of the exclusion tests: an in-process
// "inside" flag plus a fencing check, as a storage service would do with
// the lock's fencing token.
type guard struct {
	mu        sync.Mutex
	inside    *holder
	lastToken int64
	expired   map[int64]bool // sessions the test expired (recorded before)
	violation []string       // real overlaps: the lock is broken
	fenced    int            // stale holders refused by the token check
	touches   int
}

type holder struct {
	worker  int
	token   int64
	session int64
}

func newGuard() *guard { return &guard{expired: map[int64]bool{}} }

func (g *guard) markExpired(session int64) {
	g.mu.Lock()
	g.expired[session] = true
	g.mu.Unlock()
}

// enter admits h, or refuses it (false) when a newer holder was seen.
// Two holders inside at once is a violation unless the older one's
// session was expired by the test and it has not noticed yet: fencing
// exists for that case, and the older one is refused from then on.
func (g *guard) enter(h *holder) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if h.token <= g.lastToken {
		if g.expired[h.session] {
			g.fenced++
			return false
		}
		g.violation = append(g.violation, fmt.Sprintf("worker %d entered with token %d after token %d", h.worker, h.token, g.lastToken))
		return false
	}
	if o := g.inside; o != nil {
		if g.expired[o.session] {
			g.fenced++
		} else {
			g.violation = append(g.violation, fmt.Sprintf("worker %d (token %d) entered while worker %d (token %d) was inside", h.worker, h.token, o.worker, o.token))
		}
	}
	g.inside, g.lastToken = h, h.token
	return true
}

// touch uses the resource; false when h is no longer the admitted holder.
func (g *guard) touch(h *holder) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inside != h {
		return false
	}
	g.touches++
	return true
}

func (g *guard) exit(h *holder) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inside == h {
		g.inside = nil
	}
}

type exclusionRun struct {
	clients []*zk.Client
	path    string
	rounds  int // acquisitions per client
	// fault is called by the holder of the faultEvery-th acquisitions (in
	// total), inside its critical section, with its own client. It reports
	// whether the fault must end that holder's hold; the holder then waits
	// for its held context to end, touching the resource until it does.
	fault      func(n int, self *zk.Client) (endsHold bool)
	faultEvery int
}

// runExclusion runs one worker per client, each acquiring a Mutex on path
// rounds times and touching the guard while its held context is live.
func runExclusion(t *testing.T, ctx context.Context, r exclusionRun, g *guard) {
	t.Helper()
	var total, faults, acquireErrs, interrupted atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, len(r.clients))
	for w, c := range r.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := newMutexT(t, c, r.path, WithData(fmt.Appendf(nil, "worker-%d", w)))
			for done := 0; done < r.rounds; {
				if ctx.Err() != nil {
					errs <- fmt.Errorf("worker %d: %d of %d acquisitions: %w", w, done, r.rounds, ctx.Err())
					return
				}
				held, err := m.Acquire(ctx)
				if err != nil {
					if errors.Is(err, ErrLost) {
						_ = m.Release(ctx)
					}
					acquireErrs.Add(1)
					continue
				}
				n := total.Add(1)
				h := &holder{worker: w, token: m.FencingToken(), session: c.SessionID()}
				if held.Err() == nil && g.enter(h) {
					for range 3 {
						if held.Err() != nil || !g.touch(h) {
							break // not safe any more: stop touching
						}
						runtime.Gosched()
					}
					if r.fault != nil && n%int64(max(r.faultEvery, 1)) == 0 {
						k := faults.Add(1) - 1
						if r.fault(int(k), c) {
							// Keep working until told to stop: the held context
							// must end, and then we stop touching at once.
							deadline := time.After(30 * time.Second)
						wait:
							for held.Err() == nil {
								if !g.touch(h) {
									break // fenced: a newer holder was admitted
								}
								select {
								case <-held.Done():
									break wait
								case <-deadline:
									errs <- fmt.Errorf("worker %d: held context still live 30s after fault %d", w, k)
									g.exit(h)
									return
								default:
									runtime.Gosched()
								}
							}
						}
					}
					g.exit(h)
				}
				if held.Err() != nil {
					interrupted.Add(1)
				}
				if err := m.Release(context.WithoutCancel(ctx)); err != nil {
					errs <- fmt.Errorf("worker %d: release: %w", w, err)
					return
				}
				done++
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	t.Logf("%d acquisitions, %d faults injected, %d holds ended by a fault, %d acquire errors retried, %d touches, %d stale holders fenced",
		total.Load(), faults.Load(), interrupted.Load(), acquireErrs.Load(), g.touches, g.fenced)
	require.Empty(t, g.violation, "mutual exclusion violated")
	require.EqualValues(t, len(r.clients)*r.rounds, total.Load())
}

func TestMutexMutualExclusionUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("long: 10 clients x 200 acquisitions with injected faults")
	}
	srv := zktest.Embedded(t)
	ctx, cancel := context.WithTimeout(context.Background(), 55*time.Second)
	defer cancel()
	const nClients, rounds = 10, 200
	clients := make([]*zk.Client, nClients)
	for i := range clients {
		clients[i] = zktest.Connect(t, srv.ConnectString())
	}
	path := zktest.UniquePath(t)
	g := newGuard()
	rng := rand.New(rand.NewPCG(1, 2))
	runExclusion(t, ctx, exclusionRun{
		clients: clients, path: path, rounds: rounds, faultEvery: 60,
		fault: func(n int, self *zk.Client) bool {
			switch n % 3 {
			case 0: // every connection drops; sessions survive
				srv.DropConnections()
				return true
			case 1: // the holder's session expires: its node goes, others may take over
				id := self.SessionID()
				g.markExpired(id)
				srv.ExpireSession(id)
				return true
			default: // a random client's session expires (usually a waiter's)
				c := clients[rng.IntN(len(clients))]
				if id := c.SessionID(); id != 0 {
					g.markExpired(id)
					srv.ExpireSession(id)
				}
				return c == self
			}
		},
	}, g)
	// Every node was released; none is left behind, before or after Close.
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, clients[0], path)) == 0 }, "no lock nodes left")
	for _, c := range clients {
		require.NoError(t, c.Close())
	}
	check := zktest.Connect(t, srv.ConnectString())
	require.Empty(t, zktest.Children(t, check, path))
}

func TestMutexMutualExclusionRealEnsemble(t *testing.T) {
	e := zktest.RealEnsemble(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 55*time.Second)
	defer cancel()
	const nClients, rounds = 10, 200
	clients := make([]*zk.Client, nClients)
	for i := range clients {
		clients[i] = zktest.Connect(t, e.ConnectString(), zk.WithSessionTimeout(10*time.Second))
	}
	path := zktest.UniquePath(t)
	g := newGuard()
	var killed atomic.Bool
	runExclusion(t, ctx, exclusionRun{
		clients: clients, path: path, rounds: rounds, faultEvery: nClients*rounds/2 + 1, // once, mid-run
		fault: func(int, *zk.Client) bool {
			if killed.Swap(true) {
				return false
			}
			lctx, lcancel := context.WithTimeout(ctx, 10*time.Second)
			defer lcancel()
			i, err := e.Leader(lctx)
			leader := err == nil
			if !leader {
				t.Logf("no leader found (%v): killing member 0", err)
				i = 0
			}
			t.Logf("killing ensemble member %d (leader: %v) mid-run, while worker holds the lock", i, leader)
			if err := e.Kill(i); err != nil {
				t.Errorf("kill member %d: %v", i, err)
			}
			// Without its leader every member drops its clients: the
			// holder's connection goes too, so its hold must end.
			return leader
		},
	}, g)
	require.True(t, killed.Load(), "a member was killed")
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, clients[0], path)) == 0 }, "no lock nodes left")
	for _, c := range clients {
		require.NoError(t, c.Close())
	}
	check := zktest.Connect(t, e.ConnectString())
	require.Empty(t, zktest.Children(t, check, path))
}
