package robustness

import (
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
	"github.com/zkcurator/zkcurator/internal/robustness/nemesis"
	"github.com/zkcurator/zkcurator/internal/robustness/workload"
	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

var (
	flagDuration = flag.Duration("robust.duration", 0, "fault phase of each scenario (0: each scenario's short default, a few seconds)")
	flagSeed     = flag.Int64("robust.seed", 0, "seed of the nemesis schedule and the workloads' choices (0: a random one, printed)")
	flagEnsemble = flag.String("robust.ensemble", "embedded", `"real": also run the mixed scenario on a real 3-member ensemble (needs ZKCURATOR_REAL_ZK=1)`)
	flagSession  = flag.Duration("robust.session", 2*time.Second, "clients' session timeout")
	flagOut      = flag.String("robust.out", "", "directory for porcupine's visualization of a non-linearizable history (default: the temp dir)")
)

func TestMain(m *testing.M) {
	if cfg := os.Getenv(workerEnv); cfg != "" {
		os.Exit(workerMain(cfg))
	}
	// The scenarios mostly wait on the network: run them all at once
	// unless -test.parallel says otherwise (its default, GOMAXPROCS,
	// would run them two by two on a small machine).
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		_ = flag.Set("test.parallel", "16")
	}
	zktest.Main(m)
}

// Paces of the workloads: short think times keep many operations
// overlapping.
const (
	fastPace = 20 * time.Millisecond
	lockPace = 60 * time.Millisecond
)

// scenarios are the subtests of TestRobustness.
func scenarios() []scenario {
	clientAndServer := append(slices.Clone(nemesis.ClientFaults), nemesis.EmbeddedFaults...)
	return []scenario{{
		name: "registers",
		groups: []group{
			{n: 4, workload: workload.Registers(false), noRetry: true, pace: fastPace, label: "reg"},
			{n: 2, workload: workload.SeqCreates, noRetry: true, pace: fastPace, label: "seq"},
		},
		faults: clientAndServer, short: 8 * time.Second,
	}, {
		name: "locks",
		groups: []group{
			{n: 3, workload: workload.Mutex, pace: lockPace, label: "mutex"},
			{n: 3, workload: workload.RWMutex, pace: lockPace, label: "rw"},
			{n: 3, workload: workload.Semaphore, pace: lockPace, label: "sem"},
		},
		faults: clientAndServer, short: 8 * time.Second,
	}, {
		name: "election",
		groups: []group{
			{n: 3, workload: workload.Latch, pace: lockPace, label: "latch"},
			{n: 3, workload: workload.Selector, pace: lockPace, label: "sel"},
		},
		faults: clientAndServer, short: 8 * time.Second,
	}, {
		name:   "cache",
		groups: []group{{n: 2, workload: workload.TreeWriter, pace: fastPace, label: "writer"}},
		cache:  true, faults: clientAndServer, short: 8 * time.Second,
	}, {
		name: "processes",
		groups: []group{
			{n: 2, worker: "registers", noRetry: true, pace: fastPace, label: "preg"},
			{n: 2, worker: "mutex", pace: lockPace, label: "pmutex"},
			{n: 2, workload: workload.Mutex, pace: lockPace, label: "mutex"},
		},
		faults: append(slices.Clone(nemesis.ProcessFaults), nemesis.Drop, nemesis.Blackhole), short: 8 * time.Second,
	}, {
		// B1: a DoubleBarrier reused on one path, no faults at all.
		name:   "barrier-reuse",
		groups: []group{{n: 3, workload: workload.DoubleBarrier(3), label: "member"}},
		short:  12 * time.Second, // a round stuck in the first 9s is caught
	}, {
		// B2: under the session error policy a partitioned holder must let
		// go before its session can have expired on the server.
		name:    "session-policy-partition",
		groups:  []group{{n: 2, workload: workload.HoldUntilLost, label: "holder"}},
		policy:  zk.SessionErrorPolicy,
		session: 3 * time.Second,
		script:  partitionHolder,
		short:   10 * time.Second,
	}, {
		// The session policy under random partitions: holds survive short
		// ones and must end before the server can expire a session in long
		// ones (B2 in a random schedule).
		name: "locks-session-policy",
		groups: []group{
			{n: 2, workload: workload.HoldUntilLost, label: "holder"},
			{n: 2, workload: workload.Mutex, pace: lockPace, label: "mutex"},
		},
		policy: zk.SessionErrorPolicy,
		faults: []string{nemesis.Blackhole, nemesis.Blackhole, nemesis.Drop, nemesis.Latency, nemesis.ServerDrop, nemesis.ServerStall, nemesis.ServerRestart},
		short:  8 * time.Second,
	}, {
		// B3: a CreateOp with a nil ACL in a Multi means the default ACL.
		name:   "multi-nil-acl",
		groups: []group{{n: 2, workload: workload.Registers(true), noRetry: true, pace: fastPace, label: "reg"}},
		short:  2 * time.Second,
	}, {
		name: "ensemble",
		groups: []group{
			{n: 3, workload: workload.Registers(false), noRetry: true, pace: fastPace, label: "reg"},
			{n: 1, workload: workload.SeqCreates, noRetry: true, pace: fastPace, label: "seq"},
			{n: 3, workload: workload.Mutex, pace: lockPace, label: "mutex"},
			{n: 3, workload: workload.Latch, pace: lockPace, label: "latch"},
			{n: 1, workload: workload.TreeWriter, pace: fastPace, label: "writer"},
		},
		cache:  true,
		faults: append(slices.Clone(nemesis.EnsembleFaults), nemesis.ClientFaults...),
		short:  20 * time.Second, real: true,
	}}
}

// partitionHolder waits for the first holder, blackholes its connection
// for twice the session timeout (its session expires on the server, the
// other client takes the lock), then heals it.
func partitionHolder(ctx context.Context, r *run) {
	var holder string
	for holder == "" && ctx.Err() == nil {
		for _, e := range r.rec.Events() {
			if e.Kind == history.Acquire {
				holder = e.Client
				break
			}
		}
		if holder == "" {
			time.Sleep(20 * time.Millisecond) // polling the history for the first hold
		}
	}
	for _, tg := range r.targets {
		if tg.Name != holder {
			continue
		}
		r.rec.Emit(history.Event{Kind: history.Fault, Op: nemesis.Blackhole, Client: holder, Val: (2 * r.T).String()})
		for _, p := range tg.Proxies {
			p.Blackhole()
		}
		t := time.NewTimer(2 * r.T)
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
		for _, p := range tg.Proxies {
			p.Heal()
		}
	}
	<-ctx.Done()
}

// TestRobustness runs every scenario: short and seeded by default (the
// seed is printed; -robust.seed reruns it), as long as -robust.duration
// says otherwise. Each scenario reports operations, faults, violations by
// checker, time without a leader and recovery time after the last fault.
func TestRobustness(t *testing.T) {
	seed := *flagSeed
	if seed == 0 {
		seed = rand.Int64N(1 << 40)
	}
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			if sc.real && *flagEnsemble != "real" {
				t.Skip("runs on a real ensemble: -robust.ensemble=real (with ZKCURATOR_REAL_ZK=1)")
			}
			if slices.ContainsFunc(sc.groups, func(g group) bool { return g.worker != "" }) {
				if runtime.GOOS != "linux" {
					t.Skip("client processes share CLOCK_MONOTONIC on Linux only")
				}
			}
			if !sc.real {
				t.Parallel()
			}
			runScenario(t, sc, seed)
		})
	}
}

// runScenario runs sc with seed and fails t with every violation found.
func runScenario(t *testing.T, sc scenario, seed int64) {
	faultTime := sc.short
	if *flagDuration > 0 {
		faultTime = *flagDuration
	}
	T := sc.session
	if T == 0 {
		T = *flagSession
	}
	r := &run{
		t: t, sc: sc, baseSeed: seed, seed: seed ^ int64(fnv32(sc.name)),
		rec: &history.Recorder{}, root: "/robust-" + sc.name, T: T,
		recovery: map[string]int64{}, violations: map[string][]string{},
	}
	// Logged first, so that a run that crashes can be rerun too.
	t.Logf("robustness %s: seed %d; rerun: go test ./internal/robustness -run 'TestRobustness/%s$' -v -robust.seed=%d -robust.duration=%v",
		sc.name, seed, sc.name, seed, faultTime)
	r.rnd = rand.New(rand.NewPCG(uint64(r.seed), 7))
	r.res = workload.NewResource(r.rec)
	setupCtx := zktest.Context(t)
	r.startServer()
	r.setup(setupCtx)
	r.startClients(setupCtx)
	r.exercise(faultTime)
	// The checks get their own bound: the setup context (a minute from
	// the start) is gone after a long run.
	ctx, cancel := context.WithTimeout(context.Background(), 3*r.recoveryBound()+time.Minute)
	defer cancel()
	r.checkCache(ctx)
	seq, err := r.seqServer(ctx)
	if err != nil {
		r.violate("seq-creates", fmt.Sprintf("reading the nodes: %v", err))
	}
	r.closeClients()
	r.checkLeaks(ctx)
	r.checkHistory(r.rec.Events(), seq, max(time.Minute, faultTime/2))
	r.report(faultTime)
}

// report logs the run's figures and fails the test with its violations.
func (r *run) report(faultTime time.Duration) {
	events := r.rec.Events()
	checkers := []string{"linearizability", "mutual-exclusion", "fencing", "seq-creates", "cache", "barrier", "errors", "recovery", "leaks"}
	for k := range r.violations {
		if !slices.Contains(checkers, k) {
			checkers = append(checkers, k)
		}
	}
	r.t.Log(r.figures(events, faultTime, checkers))
	failed := false
	for _, k := range checkers {
		v := r.violations[k]
		if len(v) == 0 {
			continue
		}
		failed = true
		if len(v) > 10 {
			v = append(v[:10:10], fmt.Sprintf("(%d more)", len(v)-10))
		}
		r.t.Errorf("%s: %d violation(s):\n  %s", k, len(r.violations[k]), strings.Join(v, "\n  "))
	}
	if failed {
		r.t.Log(r.timeline(events))
		ens := ""
		if r.sc.real {
			ens = " -robust.ensemble=real"
		}
		r.t.Errorf("rerun: go test ./internal/robustness -run 'TestRobustness/%s$' -v -robust.seed=%d -robust.duration=%v -robust.session=%v%s",
			r.sc.name, r.baseSeed, faultTime, *flagSession, ens)
	}
}

// figures formats the run's report: operations and their results by
// kind, holds, faults by kind, time without a leader, recovery time and
// violations by checker.
func (r *run) figures(events []history.Event, faultTime time.Duration, checkers []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "robustness %s: seed %d (scenario seed %d), faults for %v, session timeout %v, server %s\n",
		r.sc.name, r.baseSeed, r.seed, faultTime, r.T, map[bool]string{true: "real 3-member ensemble", false: "embedded"}[r.sc.real])
	ops, results, holds, faults := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	calls := map[[2]string]string{}
	for _, e := range events {
		switch e.Kind {
		case history.Call:
			ops[e.Op]++
			calls[[2]string{e.Client, fmt.Sprint(e.ID)}] = e.Op
		case history.Return:
			results[calls[[2]string{e.Client, fmt.Sprint(e.ID)}]+" "+e.Result]++
		case history.Acquire:
			holds[e.Mode]++
		case history.Fault:
			faults[e.Op]++
		case history.Progress:
			if e.Op != "" && e.Op != "probe" {
				ops[e.Op]++ // barrier rounds, tree writes
			}
		}
	}
	fmt.Fprintf(&b, "  operations: %s\n", counts(ops))
	fmt.Fprintf(&b, "  results:    %s\n", counts(results))
	fmt.Fprintf(&b, "  holds:      %s (fenced writes %d)\n", counts(holds), countKind(events, history.Write))
	fmt.Fprintf(&b, "  faults:     %s\n", counts(faults))
	for k, gap := range r.holdsForReport(events) {
		fmt.Fprintf(&b, "  time without a leader on %s: %v of %v\n", k, time.Duration(gap).Round(time.Millisecond), time.Duration(r.end-r.start).Round(time.Millisecond))
	}
	var worst int64
	var worstName string
	for n, d := range r.recovery {
		if d > worst {
			worst, worstName = d, n
		}
	}
	fmt.Fprintf(&b, "  recovery after the last fault: %v (slowest client %s)\n", time.Duration(worst).Round(time.Millisecond), worstName)
	for _, n := range r.notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	var vs []string
	for _, k := range checkers {
		vs = append(vs, fmt.Sprintf("%s=%d", k, len(r.violations[k])))
	}
	fmt.Fprintf(&b, "  violations: %s", strings.Join(vs, " "))
	return b.String()
}

func (r *run) holdsForReport(events []history.Event) map[string]int64 {
	return leaderless(events, r.start, r.end)
}

func countKind(events []history.Event, k history.Kind) int {
	n := 0
	for _, e := range events {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// counts formats a histogram, keys sorted.
func counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

// fnv32 hashes a scenario name into its seed, so scenarios run with one
// -robust.seed draw different schedules.
func fnv32(s string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return h.Sum32()
}

// timeline lists the faults and revocations of a run, in ms from its
// start, for a failure report.
func (r *run) timeline(events []history.Event) string {
	var b strings.Builder
	b.WriteString("fault timeline (ms from the start):")
	n := 0
	for _, e := range events {
		if e.Kind != history.Fault && e.Kind != history.Revoke {
			continue
		}
		if n++; n > 100 {
			b.WriteString("\n  ...")
			break
		}
		fmt.Fprintf(&b, "\n  %8.1f %-8s %-16s %s %s", float64(e.T-r.start)/1e6, e.Kind, e.Op, e.Client, e.Val)
	}
	return b.String()
}
