package atomic_test

import (
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/recipes/atomic"
	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/zk"
)

// tally counts what the workers of a fault test were told.
type tally struct {
	mu                 sync.Mutex
	succeeded, unknown int
}

// incrementAll runs len(clients) workers doing each increments (and more
// until until is closed, when it is not nil), counting
// successes and unknown outcomes (ErrUnknownOutcome: the session changed
// while a write's reply was lost, so the write may or may not have been
// applied); any other error fails the test.
func incrementAll(t *testing.T, clients []*zk.Client, p string, each int, until <-chan struct{}) *tally {
	t.Helper()
	ctx := zktest.Context(t)
	var tl tally
	var wg sync.WaitGroup
	for w, c := range clients {
		l, err := atomic.NewLong(c, p, retry.Forever(time.Millisecond))
		require.NoError(t, err)
		wg.Go(func() {
			for i := 0; ; i++ {
				if i >= each && (until == nil || isClosed(until)) {
					return
				}
				r, err := l.Increment(ctx)
				tl.mu.Lock()
				switch {
				case errors.Is(err, atomic.ErrUnknownOutcome):
					tl.unknown++
				case err != nil:
					t.Errorf("worker %d: %v", w, err)
				case !r.Succeeded:
					t.Errorf("worker %d: gave up under retry.Forever", w)
				default:
					tl.succeeded++
				}
				tl.mu.Unlock()
				if err != nil && !errors.Is(err, atomic.ErrUnknownOutcome) {
					return
				}
			}
		})
	}
	wg.Wait()
	return &tl
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// checkTotal: every reported increment is counted exactly once; one whose
// outcome was reported unknown may or may not be.
func checkTotal(t *testing.T, c *zk.Client, p string, tl *tally, want int) {
	t.Helper()
	require.Equal(t, want, tl.succeeded+tl.unknown)
	got := int(get(t, c, p))
	require.GreaterOrEqual(t, got, tl.succeeded, "an increment reported done was lost")
	require.LessOrEqual(t, got, want, "an increment was counted twice")
	if tl.unknown == 0 {
		require.Equal(t, want, got)
	}
	t.Logf("%d increments: %d succeeded, %d unknown outcome; counter %d", want, tl.succeeded, tl.unknown, got)
}

// N clients × M increments while sessions expire, connections drop and
// writes are applied with their replies lost: exactly N·M (any increment
// whose outcome the session change made unknowable is reported as such,
// and bounds the count).
func TestLongExactUnderExpiries(t *testing.T) {
	srv := zktest.Embedded(t)
	p := zktest.UniquePath(t) + "/expiries"
	const workers, each = 4, 40
	var clients []*zk.Client
	for range workers {
		clients = append(clients, zktest.Connect(t, srv.ConnectString(), zk.WithRetryPolicy(retry.Forever(20*time.Millisecond))))
	}
	stop := make(chan struct{})
	var faults sync.WaitGroup
	expired := 0
	faults.Go(func() {
		rng := rand.New(rand.NewPCG(3, 4))
		tick := time.NewTicker(15 * time.Millisecond)
		defer tick.Stop()
		for i := 1; i <= 40; i++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			switch i % 4 {
			case 0:
				if srv.ExpireSession(clients[rng.IntN(workers)].SessionID()) {
					expired++
				}
			case 1:
				srv.DropConnections()
			default:
				srv.DropAfterApply(jute.OpMulti)
			}
		}
	})
	tl := incrementAll(t, clients, p, each, nil)
	close(stop)
	faults.Wait()
	t.Logf("%d sessions expired", expired)
	checkTotal(t, zktest.Connect(t, srv.ConnectString()), p, tl, workers*each)
}

// The same on a real ZooKeeper (ZKCURATOR_REAL_ZK=1), with the faults a
// network can cause: each worker talks through its own proxy, which is cut
// off briefly (connection loss) or for longer than the session timeout
// (the server expires the session).
func TestLongExactUnderFaultsReal(t *testing.T) {
	addr := zktest.RealConnectString(t)
	p := zktest.UniquePath(t) + "/real-faults"
	const workers, each = 3, 60
	var clients []*zk.Client
	var proxies []*zktest.Proxy
	for range workers {
		px := zktest.NewProxy(t, addr)
		proxies = append(proxies, px)
		clients = append(clients, zktest.Connect(t, px.Addr(), zk.WithRetryPolicy(retry.Forever(20*time.Millisecond))))
	}
	firstSession := clients[1].SessionID()
	faultsDone := make(chan struct{})
	go func() { // the workers keep incrementing until the faults are over
		defer close(faultsDone)
		cut := func(px *zktest.Proxy, d time.Duration) {
			px.Blackhole(true)
			defer px.Blackhole(false)
			<-time.After(d) // the length of the network fault
		}
		// A short cut (connection loss, same session), then one past the
		// session timeout (expiry), each on another worker.
		cut(proxies[0], zktest.SessionTimeout/2)
		cut(proxies[1], zktest.SessionTimeout*2)
		cut(proxies[2], zktest.SessionTimeout/2)
	}()
	tl := incrementAll(t, clients, p, each, faultsDone)
	<-faultsDone
	require.NotEqual(t, firstSession, clients[1].SessionID(), "worker 1's session expired")
	checkTotal(t, zktest.Connect(t, addr), p, tl, tl.succeeded+tl.unknown)
}
