// Command curvereport measures how zkcurator's costs grow with the work
// (issue 15), side by side with its peers in the same run, and prints the
// markdown section kept in bench/RESULTS.md. It writes one SVG plot per
// curve and curves.json (the figures of this run) to -out, and flags the
// figures that got worse than in the curves.json found there before.
//
// Parts (-parts):
//
//   - watches: one session with -watch-sizes registered watches (a mix of
//     data, child, persistent and recursive): live heap + stack per watch,
//     per kind at the largest size, channel and callback forms
//     (-watch-kinds; go-zookeeper's one-shot watches too);
//     and after a cut connection, the time until a request queued behind
//     the restore is answered, against a raw connection sending the same
//     SetWatches packets;
//   - sessions: -session-sizes idle sessions in one process (zk.Client,
//     zk.Conn, go-zookeeper) against a server in another process: heap,
//     stacks and goroutines per session, CPU per second spent pinging;
//   - locks: -contenders sessions contending for one lock (recipes/lock
//     Mutex, go-zookeeper's Lock, Curator's InterProcessMutex in a JVM):
//     grants/s and hand-off latency p50/p99, and watch notifications per
//     release (counted on the wire: exactly one waiter should wake);
//   - cache: TreeCache priming time and heap per node, and steady-state
//     change events per second, at -cache-sizes nodes;
//   - servermem: the embedded server's heap per znode at -server-sizes.
//
// Usage (from the bench directory):
//
//	go run ./cmd/curvereport [-parts watches,sessions,locks,cache,servermem] [-out .] [-v]
//	    [-servers embedded-proc] [-watch-sizes 1000,10000,100000] [-watch-kinds data,data-func,...]
//	    [-restore-cuts 5] [-session-sizes 10,100,1000]
//	    [-contenders 1,8,64] [-handoffs 500] [-rounds 3] [-curator=true]
//	    [-cache-sizes 10000,100000] [-server-sizes 100000]
//
// Full-size runs: -cache-sizes 10000,100000,1000000 -server-sizes 100000,1000000.
package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/zkcurator/zkcurator/bench/internal/harness"
)

// config is the parsed command line.
type config struct {
	parts        map[string]bool
	servers      []harness.ServerKind
	out          string
	format       string // plot file format: svg or png
	watchSizes   []int
	restoreCuts  int
	sessionSizes []int
	sessionTO    time.Duration
	window       time.Duration
	contenders   []int
	handoffs     int
	watchKinds   []harness.WatchKind
	rounds       int
	curator      bool
	cacheSizes   []int
	cacheUpdates int
	serverSizes  []int
	verbose      bool
	args         []string
}

var allParts = []string{"watches", "sessions", "locks", "cache", "servermem"}

func main() { harness.Main("curvereport", time.Hour, parseArgv, run) }

// parseArgv parses a whole command line (os.Args) and keeps it, for the
// report to echo.
func parseArgv(argv []string) (config, error) {
	cfg, err := parseFlags(argv[1:])
	cfg.args = argv
	return cfg, err
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("curvereport", flag.ContinueOnError)
	cfg := config{parts: map[string]bool{}}
	parts := fs.String("parts", "watches,sessions,locks,cache,servermem", "curves to measure")
	servers := fs.String("servers", "embedded-proc", "servers for the watches, locks and cache parts (sessions: out-of-process ones only)")
	fs.StringVar(&cfg.out, "out", ".", "directory for the plots and curves.json")
	fs.StringVar(&cfg.format, "format", "svg", "plot format: svg or png")
	watchKinds := fs.String("watch-kinds", "", "watch kinds whose memory is measured (default all: data,data-func,child,child-func,persistent,persistent-func,recursive,recursive-func,mix,mix-func)")
	watchSizes := fs.String("watch-sizes", "1000,10000,100000", "registered watches per session")
	fs.IntVar(&cfg.restoreCuts, "restore-cuts", 5, "connection cuts per watch size (median reported)")
	sessionSizes := fs.String("session-sizes", "10,100,1000", "idle sessions per process")
	fs.DurationVar(&cfg.sessionTO, "session-timeout", 3*time.Second, "session timeout of the idle sessions (ping every third of it)")
	fs.DurationVar(&cfg.window, "window", 3*time.Second, "idle time over which ping CPU is measured")
	contenders := fs.String("contenders", "1,8,64", "sessions contending for one lock")
	fs.IntVar(&cfg.handoffs, "handoffs", 500, "hand-offs recorded per contention run")
	fs.IntVar(&cfg.rounds, "rounds", 3, "interleaved rounds of the contention runs")
	fs.BoolVar(&cfg.curator, "curator", true, "include Curator's InterProcessMutex (needs java, javac and Debian's Curator jars)")
	cacheSizes := fs.String("cache-sizes", "10000,100000", "tree-cache sizes (nodes below the root); 1000000 for the full run")
	fs.IntVar(&cfg.cacheUpdates, "cache-updates", 20000, "changes in the steady-state cache run")
	serverSizes := fs.String("server-sizes", "100000", "znodes for the server-memory part; 1000000 for the full run")
	fs.BoolVar(&cfg.verbose, "v", false, "log every measurement to stderr")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	for _, p := range harness.SplitList(*parts) {
		if !contains(allParts, p) {
			return cfg, fmt.Errorf("unknown part %q", p)
		}
		cfg.parts[p] = true
	}
	cfg.watchKinds = harness.WatchKinds
	if *watchKinds != "" {
		cfg.watchKinds = nil
		for _, k := range harness.SplitList(*watchKinds) {
			if !contains(harness.WatchKinds, harness.WatchKind(k)) {
				return cfg, fmt.Errorf("unknown watch kind %q", k)
			}
			cfg.watchKinds = append(cfg.watchKinds, harness.WatchKind(k))
		}
	}
	var err error
	if cfg.servers, err = harness.ParseServers(*servers); err != nil {
		return cfg, err
	}
	for _, l := range []struct {
		s   string
		dst *[]int
	}{{*watchSizes, &cfg.watchSizes}, {*sessionSizes, &cfg.sessionSizes}, {*contenders, &cfg.contenders},
		{*cacheSizes, &cfg.cacheSizes}, {*serverSizes, &cfg.serverSizes}} {
		if *l.dst, err = parseInts(l.s); err != nil {
			return cfg, err
		}
	}
	if cfg.rounds < 1 || cfg.handoffs < 1 || cfg.restoreCuts < 1 || cfg.cacheUpdates < 1 || cfg.window <= 0 || cfg.sessionTO <= 0 {
		return cfg, errors.New("-rounds, -handoffs, -restore-cuts, -cache-updates, -window and -session-timeout must be positive")
	}
	if cfg.format != "svg" && cfg.format != "png" {
		return cfg, fmt.Errorf("-format %q: want svg or png", cfg.format)
	}
	if len(cfg.parts) == 0 || len(cfg.servers) == 0 {
		return cfg, errors.New("-parts and -servers must not be empty")
	}
	return cfg, nil
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range harness.SplitList(s) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad size %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func contains[T comparable](xs []T, x T) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
