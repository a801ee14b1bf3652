// Command recipereport runs the recipe benchmarks of the bench module
// (issues 5 and 7) interleaved over several rounds and prints the markdown
// report kept in bench/RESULTS.md:
//
//   - lock: uncontended Lock+Unlock cycles per second of recipes/lock.Mutex,
//     go-zookeeper's Lock and the round-trip bound (create
//     ephemeral-sequential + getChildren + delete on a zk.Conn), one session
//     each;
//   - handoff: contended hand-off latency with 8 waiters (9 sessions per
//     implementation), from the holder's Unlock call to the next holder's
//     Lock return;
//   - tree: priming time of a tree of -tree-nodes nodes with 1 KiB data,
//     read by go-zookeeper one request at a time, by pipelined reads that
//     keep nothing, and by recipes/cache.TreeCache.Start on a fresh client,
//     and the cache's live heap per node beyond its data.
//
// Servers are run one after the other; for each, every implementation is
// warmed up and measured once per round, the order rotating from round to
// round (A,B,C / B,C,A / ...). The report shows medians over the rounds.
//
// Usage (from the bench directory):
//
//	go run ./cmd/recipereport [-servers real,embedded,embedded-proc] [-parts lock,handoff,tree]
//	    [-rounds 7] [-dur 1s] [-tree-nodes 100000] [-tree-rounds 3] [-v]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/zkcurator/zkcurator/bench/internal/harness"
)

// config is the parsed command line.
type config struct {
	servers    []harness.ServerKind
	parts      map[string]bool
	rounds     int           // lock and handoff rounds
	dur        time.Duration // target wall time of one lock or handoff run
	treeNodes  int
	treeRounds int
	verbose    bool
	args       []string
}

// handoffWaiters is the number of waiters of the hand-off benchmark.
const handoffWaiters = 8

func main() { harness.Main("recipereport", 2*time.Hour, parseArgv, run) }

// parseArgv parses a whole command line (os.Args) and keeps it, for the
// report to echo.
func parseArgv(argv []string) (config, error) {
	cfg, err := parseFlags(argv[1:])
	cfg.args = argv
	return cfg, err
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("recipereport", flag.ContinueOnError)
	cfg := config{parts: map[string]bool{}}
	servers := fs.String("servers", "real,embedded,embedded-proc", "servers to run against")
	parts := fs.String("parts", "lock,handoff,tree", "benchmarks to run")
	fs.IntVar(&cfg.rounds, "rounds", 7, "measured rounds of the lock and handoff benchmarks")
	fs.DurationVar(&cfg.dur, "dur", time.Second, "target wall time of one lock or handoff run")
	fs.IntVar(&cfg.treeNodes, "tree-nodes", 100_000, "nodes below the root of the primed tree")
	fs.IntVar(&cfg.treeRounds, "tree-rounds", 3, "measured rounds of the tree benchmark")
	fs.BoolVar(&cfg.verbose, "v", false, "log every measured run to stderr")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.rounds < 1 || cfg.treeRounds < 1 || cfg.dur <= 0 || cfg.treeNodes < 1 {
		return cfg, errors.New("-rounds, -tree-rounds, -dur and -tree-nodes must be positive")
	}
	var err error
	if cfg.servers, err = harness.ParseServers(*servers); err != nil {
		return cfg, err
	}
	for _, p := range harness.SplitList(*parts) {
		if p != "lock" && p != "handoff" && p != "tree" {
			return cfg, fmt.Errorf("unknown part %q", p)
		}
		cfg.parts[p] = true
	}
	if len(cfg.servers) == 0 || len(cfg.parts) == 0 {
		return cfg, errors.New("-servers and -parts must not be empty")
	}
	return cfg, nil
}

// rotate returns xs rotated left by r (the interleaving of round r).
func rotate[T any](xs []T, r int) []T {
	out := make([]T, 0, len(xs))
	for i := range xs {
		out = append(out, xs[(i+r)%len(xs)])
	}
	return out
}

// run measures every server in turn and writes the report to out;
// progress goes to logw.
func run(ctx context.Context, cfg config, out, logw io.Writer) error {
	logf := func(format string, args ...any) { fmt.Fprintf(logw, format+"\n", args...) }
	res := newResults()
	res.load[0] = harness.LoadAvg()
	for _, k := range cfg.servers {
		logf("starting %s server", k)
		srv, err := harness.StartServer(ctx, k)
		if errors.Is(err, harness.ErrUnavailable) {
			logf("skipping %s server: %v", k, err)
			res.skipped = append(res.skipped, fmt.Sprintf("%s: %v", k, err))
			continue
		}
		if err != nil {
			return err
		}
		res.servers = append(res.servers, k)
		err = measureServer(ctx, cfg, srv, res, logf)
		if cerr := srv.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("closing %s server: %w", k, cerr)
		}
		if err != nil {
			return fmt.Errorf("%s server: %w", k, err)
		}
	}
	if len(res.servers) == 0 {
		return errors.New("no server could start")
	}
	res.load[1] = harness.LoadAvg()
	_, err := io.WriteString(out, report{cfg: cfg, res: res}.markdown())
	return err
}

func measureServer(ctx context.Context, cfg config, srv *harness.Server, res *results, logf func(string, ...any)) error {
	if cfg.parts["lock"] {
		if err := measureCycles(ctx, cfg, srv, res, logf); err != nil {
			return err
		}
	}
	if cfg.parts["handoff"] {
		if err := measureHandoffs(ctx, cfg, srv, res, logf); err != nil {
			return err
		}
	}
	if cfg.parts["tree"] {
		if err := measureTree(ctx, cfg, srv, res, logf); err != nil {
			return err
		}
	}
	return nil
}

// measureCycles runs the uncontended lock benchmark on srv.
func measureCycles(ctx context.Context, cfg config, srv *harness.Server, res *results, logf func(string, ...any)) (err error) {
	lockers := map[harness.LockClient]harness.Locker{}
	counters := map[harness.LockClient]*harness.OpCounter{}
	defer func() {
		for _, l := range lockers {
			err = errors.Join(err, l.Close())
		}
	}()
	sizes := map[harness.LockClient]int{}
	for _, c := range harness.LockClients {
		path := harness.LockPath("cycle", c)
		if err := harness.PrepareLock(ctx, srv.Addr, path); err != nil {
			return err
		}
		counters[c] = harness.NewOpCounter()
		l, err := harness.DialLocker(ctx, c, srv.Addr, path, counters[c])
		if err != nil {
			return err
		}
		lockers[c] = l
		const warm = 200
		t0 := time.Now()
		if err := harness.Cycles(ctx, l, warm); err != nil {
			return fmt.Errorf("warm-up %s: %w", c, err)
		}
		rate := warm / time.Since(t0).Seconds()
		sizes[c] = max(50, int(rate*cfg.dur.Seconds()))
		logf("lock warm-up %s/%s: %.0f cycles/s -> n=%d", srv.Kind, c, rate, sizes[c])
	}
	for round := range cfg.rounds {
		for _, c := range rotate(harness.LockClients, round) {
			n := sizes[c]
			ops0 := counters[c].Snapshot()
			t0 := time.Now()
			if err := harness.Cycles(ctx, lockers[c], n); err != nil {
				return fmt.Errorf("round %d %s: %w", round+1, c, err)
			}
			rate := float64(n) / time.Since(t0).Seconds()
			k := key{srv.Kind, string(c)}
			res.cycles[k] = append(res.cycles[k], rate)
			res.addOps(k, harness.SubCounts(counters[c].Snapshot(), ops0), n)
			if cfg.verbose {
				logf("lock round %d %s/%s: %.0f cycles/s", round+1, srv.Kind, c, rate)
			}
		}
	}
	logf("lock on %s done", srv.Kind)
	return nil
}

// measureHandoffs runs the contended lock benchmark on srv.
func measureHandoffs(ctx context.Context, cfg config, srv *harness.Server, res *results, logf func(string, ...any)) (err error) {
	sets := map[harness.LockClient]*harness.Contenders{}
	counters := map[harness.LockClient]*harness.OpCounter{}
	defer func() {
		for _, cs := range sets {
			err = errors.Join(err, cs.Close())
		}
	}()
	sizes := map[harness.LockClient]int{}
	for _, c := range harness.HandoffClients {
		path := harness.LockPath("handoff", c)
		if err := harness.PrepareLock(ctx, srv.Addr, path); err != nil {
			return err
		}
		counters[c] = harness.NewOpCounter()
		cs, err := harness.DialContenders(ctx, c, srv.Addr, path, handoffWaiters+1, counters[c])
		if err != nil {
			return err
		}
		sets[c] = cs
		const warm = 100
		t0 := time.Now()
		if _, err := cs.Handoffs(ctx, warm); err != nil {
			return fmt.Errorf("warm-up %s: %w", c, err)
		}
		rate := warm / time.Since(t0).Seconds()
		sizes[c] = max(50, int(rate*cfg.dur.Seconds()))
		logf("handoff warm-up %s/%s: %.0f hand-offs/s -> n=%d", srv.Kind, c, rate, sizes[c])
	}
	for round := range cfg.rounds {
		for _, c := range rotate(harness.HandoffClients, round) {
			ops0 := counters[c].Snapshot()
			lat, err := sets[c].Handoffs(ctx, sizes[c])
			if err != nil {
				return fmt.Errorf("round %d %s: %w", round+1, c, err)
			}
			slices.Sort(lat)
			k := key{srv.Kind, "handoff " + string(c)}
			res.addOps(k, harness.SubCounts(counters[c].Snapshot(), ops0), len(lat))
			k = key{srv.Kind, string(c)}
			p50, p90 := harness.Percentile(lat, 50), harness.Percentile(lat, 90)
			res.p50[k] = append(res.p50[k], float64(p50))
			res.p90[k] = append(res.p90[k], float64(p90))
			if cfg.verbose {
				logf("handoff round %d %s/%s: %d hand-offs, p50 %v p90 %v", round+1, srv.Kind, c, len(lat), p50, p90)
			}
		}
	}
	logf("handoff on %s done", srv.Kind)
	return nil
}

// measureTree builds the tree on srv and runs the priming benchmark.
func measureTree(ctx context.Context, cfg config, srv *harness.Server, res *results, logf func(string, ...any)) error {
	tr := harness.Tree{Nodes: cfg.treeNodes}
	logf("building a tree of %d nodes on %s", tr.Nodes, srv.Kind)
	t0 := time.Now()
	if err := harness.BuildTree(ctx, srv.Addr, tr); err != nil {
		return err
	}
	res.build[srv.Kind] = time.Since(t0)
	logf("built in %v", res.build[srv.Kind].Round(time.Millisecond))
	// One warm-up of the pipelined reads (a JVM server compiles its read
	// path; every method benefits alike).
	if _, err := harness.Prime(ctx, harness.PrimePipelined, srv.Addr, tr); err != nil {
		return fmt.Errorf("warm-up: %w", err)
	}
	for round := range cfg.treeRounds {
		for _, m := range rotate(harness.PrimeMethods, round) {
			p, err := harness.Prime(ctx, m, srv.Addr, tr)
			if err != nil {
				return fmt.Errorf("round %d: %w", round+1, err)
			}
			k := key{srv.Kind, string(m)}
			res.prime[k] = append(res.prime[k], p)
			logf("tree round %d %s/%s: %v (%d reads)%s", round+1, srv.Kind, m, p.Elapsed.Round(time.Millisecond), p.Reads, heapNote(p, m))
		}
	}
	return nil
}

func heapNote(p harness.Primed, m harness.PrimeMethod) string {
	if m != harness.PrimeCache {
		return ""
	}
	return fmt.Sprintf(", heap %d B, %.0f B/node beyond data", p.HeapBytes, p.OverheadPerNode())
}
