package robustness

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
	"github.com/zkcurator/zkcurator/internal/robustness/nemesis"
	"github.com/zkcurator/zkcurator/internal/robustness/workload"
	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/testserver/realzk"
	"github.com/zkcurator/zkcurator/zk"
)

// group is a set of clients running one workload.
type group struct {
	n        int
	workload workload.Workload // in-process clients
	worker   string            // child-process clients: a key of workerWorkloads
	noRetry  bool              // one attempt per call (registers, creates)
	pace     time.Duration     // think time between operations
	label    string            // client name prefix
}

// scenario is one subtest of TestRobustness.
type scenario struct {
	name    string
	groups  []group
	faults  []string                          // the random nemesis draws from these
	script  func(ctx context.Context, r *run) // instead of the random nemesis
	session time.Duration                     // 0: -robust.session
	short   time.Duration                     // fault phase in the short run
	policy  zk.ErrorPolicy                    // nil: the standard policy
	cache   bool                              // also run and check a TreeCache
	real    bool                              // on a real 3-member ensemble
}

// run is one execution of a scenario.
type run struct {
	t        *testing.T
	sc       scenario
	baseSeed int64 // -robust.seed, or the one drawn
	seed     int64 // baseSeed mixed with the scenario's name
	rnd      *rand.Rand
	rec      *history.Recorder
	res      *workload.Resource
	root     string
	T        time.Duration

	direct   string // the servers' own connect string
	addrs    []string
	server   *testserver.Server
	ensemble *realzk.Ensemble
	admin    *zk.Client // direct, for setup and checks

	targets []*nemesis.Target
	envs    []*workload.Env
	wls     []workload.Workload // the workload of each env
	procs   []*proc
	watcher *workload.Watcher
	nem     *nemesis.Nemesis

	start, healed, end int64
	recovery           map[string]int64 // client -> ns from heal to first success
	notes              []string

	vmu        sync.Mutex
	violations map[string][]string // checker -> violations
}

// startServer starts the embedded server or the real ensemble.
func (r *run) startServer() {
	if r.sc.real {
		r.ensemble = zktest.RealEnsemble(r.t, 3)
		for i := range r.ensemble.Size() {
			r.addrs = append(r.addrs, r.ensemble.Addr(i))
		}
	} else {
		r.server = zktest.Embedded(r.t, testserver.WithTickTime(50*time.Millisecond))
		r.addrs = []string{r.server.Addr()}
	}
	r.direct = strings.Join(r.addrs, ",")
	// The checkers list parents that a long run fills with tens of
	// thousands of sequential nodes: a children reply longer than the
	// client's default 1 MiB frame limit would drop the connection, so the
	// admin client accepts larger frames (the server sends them).
	r.admin = zktest.Connect(r.t, r.direct, zk.WithSessionTimeout(r.T), zk.WithMaxBuffer(64<<20))
}

// setup creates the workloads' nodes.
func (r *run) setup(ctx context.Context) {
	r.t.Helper()
	_, _, err := r.admin.CreateWith(ctx, r.root, nil, zk.CreateOptions{CreateParents: true})
	require.NoError(r.t, err)
	require.NoError(r.t, workload.SetupRegisters(ctx, r.admin, r.root))
	require.NoError(r.t, workload.SetupSeq(ctx, r.admin, r.root))
	require.NoError(r.t, workload.SetupTree(ctx, r.admin, r.root))
}

// connect makes an in-process client behind its own proxies.
func (r *run) connect(ctx context.Context, name string, g group) (*zk.Client, *nemesis.Target) {
	r.t.Helper()
	tg := &nemesis.Target{Name: name}
	var addrs []string
	for _, a := range r.addrs {
		p, err := nemesis.NewProxy(a)
		require.NoError(r.t, err)
		r.t.Cleanup(func() { _ = p.Close() })
		tg.Proxies = append(tg.Proxies, p)
		addrs = append(addrs, p.Addr())
	}
	opts := []zk.Option{zk.WithSessionTimeout(r.T)}
	if g.noRetry {
		opts = append(opts, zk.WithRetryPolicy(retry.NTimes(0, 0)))
	}
	if r.sc.policy != nil {
		opts = append(opts, zk.WithErrorPolicy(r.sc.policy))
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := zk.Connect(cctx, strings.Join(addrs, ","), opts...)
	require.NoError(r.t, err)
	r.t.Cleanup(func() { _ = c.Close() })
	tg.Session = func() (int64, []byte) {
		conn := c.Conn()
		if conn == nil {
			return 0, nil
		}
		return conn.SessionID(), conn.Password()
	}
	return c, tg
}

// startClients connects every client and starts the child processes.
func (r *run) startClients(ctx context.Context) {
	r.t.Helper()
	for gi, g := range r.sc.groups {
		label := g.label
		if label == "" {
			label = fmt.Sprintf("g%d", gi)
		}
		for i := range g.n {
			name := fmt.Sprintf("%s-%d", label, i)
			if g.worker != "" {
				r.startProc(ctx, name, g)
				continue
			}
			c, tg := r.connect(ctx, name, g)
			r.targets = append(r.targets, tg)
			r.wls = append(r.wls, g.workload)
			r.envs = append(r.envs, &workload.Env{
				Client: c, Name: name, Sink: history.Prefixed{Sink: r.rec, Client: name},
				Rand: rand.New(rand.NewPCG(r.rnd.Uint64(), uint64(len(r.envs)))), Root: r.root,
				Resource: r.res, Pace: g.pace, OpTimeout: 2 * r.T,
			})
		}
	}
	if r.sc.cache {
		c, tg := r.connect(ctx, "cache", group{})
		r.targets = append(r.targets, tg)
		w, err := workload.NewWatcher(ctx, c, r.root)
		require.NoError(r.t, err)
		r.t.Cleanup(func() { _ = w.Close() })
		r.watcher = w
	}
}

// startProc starts a child-process client behind its own proxies.
func (r *run) startProc(ctx context.Context, name string, g group) {
	r.t.Helper()
	// The process's proxies are a nemesis target too (drops, blackholes,
	// latency); its session is not known here, so no expiry.
	tg := &nemesis.Target{Name: name, Session: func() (int64, []byte) { return 0, nil }}
	var addrs []string
	for _, a := range r.addrs {
		p, err := nemesis.NewProxy(a)
		require.NoError(r.t, err)
		r.t.Cleanup(func() { _ = p.Close() })
		tg.Proxies = append(tg.Proxies, p)
		addrs = append(addrs, p.Addr())
	}
	r.targets = append(r.targets, tg)
	p := &proc{t: r.t, rec: r.rec, base: workerConfig{
		Name: name, Connect: strings.Join(addrs, ","), Root: r.root, Workload: g.worker,
		Seed: r.rnd.Uint64(), Session: r.T, Pace: g.pace, NoRetry: g.noRetry,
	}}
	p.mu.Lock()
	err := p.startLocked()
	p.mu.Unlock()
	require.NoError(r.t, err)
	r.procs = append(r.procs, p)
}

// exercise runs the workloads, with the nemesis (or the script) for
// faultTime, then heals, probes every client's recovery and lets the
// workloads run a quiet period before stopping them.
func (r *run) exercise(faultTime time.Duration) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var errs []error
	for i, env := range r.envs {
		wl := r.wls[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := wl(ctx, env); err != nil {
				errMu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", env.Name, err))
				errMu.Unlock()
			}
		}()
	}
	r.start = history.Now()
	fctx, fcancel := context.WithTimeout(ctx, faultTime)
	if r.sc.script != nil {
		r.script(fctx)
	} else {
		r.nem = nemesis.New(nemesis.Config{
			Seed: r.seed, Faults: r.sc.faults, Interval: r.T / 4, SessionTimeout: r.T,
			Server: r.server, Ensemble: r.ensemble, Direct: r.direct,
			Clients: r.targets, Procs: r.procList(), Sink: r.rec, Logf: r.t.Logf,
		})
		r.nem.Run(fctx)
	}
	fcancel()
	r.healed = history.Now()
	r.probeRecovery(ctx)
	quiet := time.NewTimer(r.T)
	<-quiet.C
	stop()
	wg.Wait()
	for _, p := range r.procs {
		p.stop(3 * r.T)
	}
	r.end = history.Now()
	require.Empty(r.t, errs, "workload errors")
}

func (r *run) procList() []nemesis.Process {
	out := make([]nemesis.Process, len(r.procs))
	for i, p := range r.procs {
		out[i] = p
	}
	return out
}

// script runs the scenario's own fault script, then heals every proxy.
func (r *run) script(ctx context.Context) {
	r.sc.script(ctx, r)
	for _, tg := range r.targets {
		for _, p := range tg.Proxies {
			p.Heal()
		}
	}
}

// recoveryBound is how long after the last fault every client must have
// completed an operation: a session timeout to notice a dead connection,
// another to reconnect, and slack for a loaded machine.
func (r *run) recoveryBound() time.Duration { return 2*r.T + 10*time.Second }

// probeRecovery checks that every in-process client completes a read
// within recoveryBound after the faults stopped, and records how long each
// took.
func (r *run) probeRecovery(ctx context.Context) {
	var mu sync.Mutex // guards r.recovery
	var wg sync.WaitGroup
	for _, env := range r.envs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pctx, cancel := context.WithTimeout(ctx, r.recoveryBound())
			defer cancel()
			for pctx.Err() == nil {
				octx, ocancel := context.WithTimeout(pctx, time.Second)
				_, _, err := env.Client.Exists(octx, r.root)
				ocancel()
				if err == nil {
					mu.Lock()
					r.recovery[env.Name] = history.Now() - r.healed
					mu.Unlock()
					return
				}
				if errors.Is(err, zk.ErrClosed) {
					break
				}
			}
			r.violate("recovery", fmt.Sprintf("%s completed no operation within %v after the last fault", env.Name, r.recoveryBound()))
		}()
	}
	wg.Wait()
}

func (r *run) violate(checker string, msgs ...string) {
	r.vmu.Lock()
	defer r.vmu.Unlock()
	r.violations[checker] = append(r.violations[checker], msgs...)
}
