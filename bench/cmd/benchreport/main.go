// Command benchreport runs the client comparisons of the bench module
// interleaved over several rounds and prints a markdown report (the one kept
// in bench/RESULTS.md).
//
// Every server (real Apache ZooKeeper via testserver/realzk, the embedded Go
// server in this process, the embedded Go server in a child process) is
// started once; every client (zkcurator's blocking calls, zkcurator's
// asynchronous API, go-zookeeper, the raw pipelining loop, and raw-decode:
// the raw loop plus decoding each reply and copying its data for a caller,
// the bound of any client that returns results; and, only when named in
// -clients, raw-decode-reuse: raw-decode copying into reused buffers) opens
// one session per server, kept for the whole run.
// Each (server, op, goroutines) cell is first run once to warm up and to
// size the measured runs to about -dur of wall time; then every round
// measures each client once per cell, rotating the client order from round
// to round (A,B,C / B,C,A / ...) so a noisy machine affects all alike. The
// report shows medians over the rounds.
//
// Usage (from the bench directory):
//
//	go run ./cmd/benchreport [-rounds 7] [-dur 250ms] [-servers real,embedded,embedded-proc] [-v] [-ops Get,Set] [-g 1,64]
//	    [-clients zkcurator,zkcurator-async,gozk,raw,raw-decode[,raw-decode-reuse]] [-cpuprofile cpu.out]
//
// -cpuprofile profiles the measured rounds only (not start-up or warm-up);
// with -servers embedded-proc the profile is the clients' alone.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zkcurator/zkcurator/bench/internal/harness"
)

// config is the parsed command line.
type config struct {
	rounds  int
	dur     time.Duration
	servers []harness.ServerKind
	ops     []harness.Op
	gs      []int
	verbose bool
	clients []harness.Client
	cpuProf string   // -cpuprofile: write a CPU profile of the measured rounds here
	args    []string // os.Args, echoed in the report
}

func main() { harness.Main("benchreport", 10*time.Minute, parseArgv, run) }

// parseArgv parses a whole command line (os.Args) and keeps it, for the
// report to echo.
func parseArgv(argv []string) (config, error) {
	cfg, err := parseFlags(argv[1:])
	cfg.args = argv
	return cfg, err
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("benchreport", flag.ContinueOnError)
	var cfg config
	fs.IntVar(&cfg.rounds, "rounds", 7, "measured rounds per cell")
	fs.DurationVar(&cfg.dur, "dur", 250*time.Millisecond, "target wall time of one measured run")
	servers := fs.String("servers", "real,embedded,embedded-proc", "servers to run against")
	ops := fs.String("ops", "Get,Set", "operations")
	gs := fs.String("g", "1,64", "goroutine counts")
	fs.BoolVar(&cfg.verbose, "v", false, "log every measured run to stderr")
	clients := fs.String("clients", "zkcurator,zkcurator-async,gozk,raw,raw-decode", "clients to compare")
	fs.StringVar(&cfg.cpuProf, "cpuprofile", "", "write a CPU profile of the measured rounds to this file")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	for _, s := range harness.SplitList(*clients) {
		c := harness.Client(s)
		if !slices.Contains(harness.Clients, c) {
			return cfg, fmt.Errorf("unknown client %q", s)
		}
		cfg.clients = append(cfg.clients, c)
	}
	if len(cfg.clients) == 0 {
		return cfg, errors.New("-clients must not be empty")
	}
	if cfg.rounds < 1 || cfg.dur <= 0 {
		return cfg, errors.New("-rounds and -dur must be positive")
	}
	var err error
	if cfg.servers, err = harness.ParseServers(*servers); err != nil {
		return cfg, err
	}
	for _, s := range harness.SplitList(*ops) {
		switch strings.ToLower(s) {
		case "get":
			cfg.ops = append(cfg.ops, harness.OpGet)
		case "set":
			cfg.ops = append(cfg.ops, harness.OpSet)
		default:
			return cfg, fmt.Errorf("unknown op %q", s)
		}
	}
	for _, s := range harness.SplitList(*gs) {
		g, err := strconv.Atoi(s)
		if err != nil || g < 1 {
			return cfg, fmt.Errorf("bad goroutine count %q", s)
		}
		cfg.gs = append(cfg.gs, g)
	}
	if len(cfg.servers) == 0 || len(cfg.ops) == 0 || len(cfg.gs) == 0 {
		return cfg, errors.New("-servers, -ops and -g must not be empty")
	}
	return cfg, nil
}

// bench is one server with a session per client.
type bench struct {
	srv     *harness.Server
	drivers map[harness.Client]harness.Driver
}

func (b *bench) close() error {
	var errs []error
	for _, d := range b.drivers {
		errs = append(errs, d.Close())
	}
	return errors.Join(append(errs, b.srv.Close())...)
}

// run starts the servers, measures and writes the report to out; progress
// goes to logw.
func run(ctx context.Context, cfg config, out, logw io.Writer) (err error) {
	logf := func(format string, args ...any) { fmt.Fprintf(logw, format+"\n", args...) }
	loadStart := harness.LoadAvg()
	var (
		benches []*bench
		skipped []string
	)
	defer func() {
		for _, b := range benches {
			err = errors.Join(err, b.close())
		}
	}()
	for _, k := range cfg.servers {
		logf("starting %s server", k)
		srv, err := harness.StartServer(ctx, k)
		if errors.Is(err, harness.ErrUnavailable) {
			logf("skipping %s server: %v", k, err)
			skipped = append(skipped, fmt.Sprintf("%s: %v", k, err))
			continue
		}
		if err != nil {
			return err
		}
		b := &bench{srv: srv, drivers: map[harness.Client]harness.Driver{}}
		benches = append(benches, b)
		for _, c := range cfg.clients {
			d, err := harness.Dial(ctx, c, srv.Addr)
			if err != nil {
				return fmt.Errorf("%s server: %w", k, err)
			}
			b.drivers[c] = d
		}
	}
	if len(benches) == 0 {
		return errors.New("no server could start")
	}

	// Warm up every cell once and size its measured runs.
	sizes := map[cellKey]int{}
	for _, b := range benches {
		for _, op := range cfg.ops {
			for _, g := range cfg.gs {
				for _, c := range cfg.clients {
					key := cellKey{b.srv.Kind, op, g, c}
					n0 := 200 * g
					if g == 1 {
						n0 = 300
					}
					r, err := harness.Measure(ctx, b.drivers[c], op, g, n0)
					if err != nil {
						return fmt.Errorf("warm-up %v: %w", key, err)
					}
					sizes[key] = runSize(r, cfg.dur, g)
					logf("warm-up %-40v %8.0f ops/s -> n=%d", key, r.OpsPerSec(), sizes[key])
				}
			}
		}
	}

	if cfg.cpuProf != "" {
		stop, err := startCPUProfile(cfg.cpuProf)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, stop()) }()
	}
	res := newResults()
	for round := range cfg.rounds {
		start := time.Now()
		for _, b := range benches {
			for _, op := range cfg.ops {
				for _, g := range cfg.gs {
					for i := range cfg.clients {
						c := cfg.clients[(i+round)%len(cfg.clients)]
						key := cellKey{b.srv.Kind, op, g, c}
						r, err := harness.Measure(ctx, b.drivers[c], op, g, sizes[key])
						if err != nil {
							return fmt.Errorf("round %d %v: %w", round+1, key, err)
						}
						res.add(key, r)
						if cfg.verbose {
							logf("round %d %-36v %9.0f ops/s %8.0f cpu-ns/op %5.2f reads/op %5.2f writes/op %5.2f ctxsw/op",
								round+1, key, r.OpsPerSec(), r.CPUPerOp(), perOp(r.Reads, r.N), perOp(r.Writes, r.N), r.CtxSwitchPerOp())
						}
					}
				}
			}
		}
		logf("round %d/%d done in %v", round+1, cfg.rounds, time.Since(start).Round(time.Millisecond))
	}
	rep := report{cfg: cfg, res: res, skipped: skipped, load: [2]string{loadStart, harness.LoadAvg()}}
	for _, b := range benches {
		rep.servers = append(rep.servers, b.srv.Kind)
	}
	_, err = io.WriteString(out, rep.markdown())
	return err
}

// startCPUProfile starts writing a CPU profile to path; stop ends it.
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return func() error { pprof.StopCPUProfile(); return f.Close() }, nil
}

func perOp(v int64, n int) float64 { return float64(v) / float64(max(n, 1)) }

// runSize is the operation count that takes about dur at the rate r shows,
// a multiple of g, at least 100 and g.
func runSize(r harness.Result, dur time.Duration, g int) int {
	n := int(r.OpsPerSec() * dur.Seconds())
	n = min(max(n, 100, g), 5_000_000)
	return (n + g - 1) / g * g
}
