package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/zkcurator/zkcurator/bench/internal/harness"
)

// results is everything one run measured.
type results struct {
	cfg     config
	start   time.Time
	load    [2]string
	skipped []string

	watchMem   map[harness.ServerKind][]watchMemRow
	watchCurve map[harness.ServerKind][]watchPoint
	sessions   map[harness.ServerKind][]sessionRow
	locks      map[harness.ServerKind][]lockRow
	cache      map[harness.ServerKind][]cacheRow
	serverMem  []harness.ServerMemory

	metrics []metric
}

type watchMemRow struct {
	client string
	kind   harness.WatchKind
	mem    harness.WatchMemory
}

type watchPoint struct {
	n       int
	mem     harness.WatchMemory
	restore harness.Restore
}

type sessionRow struct {
	client harness.SessionClient
	s      harness.Sessions
}

type lockRow struct {
	client harness.LockClient
	n      int
	runs   []harness.Contention
	notif  float64 // watch notifications per grant (counted run)
}

type cacheRow struct {
	n      int
	primed harness.Primed
	steady harness.CacheSteady
}

// run measures every part asked for, writes the plots and curves.json to
// cfg.out and the markdown to out; progress goes to logw.
func run(ctx context.Context, cfg config, out, logw io.Writer) error {
	logf := func(format string, args ...any) { fmt.Fprintf(logw, format+"\n", args...) }
	res := &results{cfg: cfg, start: time.Now(), load: [2]string{harness.LoadAvg(), ""},
		watchMem: map[harness.ServerKind][]watchMemRow{}, watchCurve: map[harness.ServerKind][]watchPoint{},
		sessions: map[harness.ServerKind][]sessionRow{}, locks: map[harness.ServerKind][]lockRow{},
		cache: map[harness.ServerKind][]cacheRow{}}
	prevPath := filepath.Join(cfg.out, "curves.json")
	prev, err := readSnapshot(prevPath)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if cfg.parts["servermem"] {
		for _, n := range cfg.serverSizes {
			m, err := harness.MeasureServerMemory(ctx, harness.Tree{Nodes: n})
			if err != nil {
				return fmt.Errorf("servermem %d: %w", n, err)
			}
			logf("servermem %d nodes: %.0f B/znode beyond data", n, m.PerNode())
			res.serverMem = append(res.serverMem, m)
			res.add(fmt.Sprintf("servermem/%d/bytes-per-znode", n), m.PerNode(), "B", false)
		}
	}
	for _, k := range cfg.servers {
		needServer := cfg.parts["watches"] || cfg.parts["locks"] || cfg.parts["cache"] ||
			(cfg.parts["sessions"] && k.OutOfProcess())
		if !needServer {
			continue
		}
		logf("starting %s server", k)
		srv, err := harness.StartServer(ctx, k)
		if errors.Is(err, harness.ErrUnavailable) {
			logf("skipping %s: %v", k, err)
			res.skipped = append(res.skipped, fmt.Sprintf("%s: %v", k, err))
			continue
		}
		if err != nil {
			return err
		}
		err = measureServer(ctx, cfg, res, srv, logf)
		if err = errors.Join(err, srv.Close()); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	res.load[1] = harness.LoadAvg()
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	plots, err := writePlots(res, cfg.out)
	if err != nil {
		return err
	}
	md := res.markdown(plots, compare(prev, res.metrics))
	if err := writeSnapshot(prevPath, res, prev); err != nil {
		return err
	}
	_, err = io.WriteString(out, md)
	return err
}

// measureServer runs the parts that need a server against srv.
func measureServer(ctx context.Context, cfg config, res *results, srv *harness.Server, logf func(string, ...any)) error {
	k := srv.Kind
	if cfg.parts["sessions"] && k.OutOfProcess() {
		for _, n := range cfg.sessionSizes {
			for i := range harness.SessionClients {
				c := harness.SessionClients[(i+n)%len(harness.SessionClients)]
				s, err := harness.MeasureSessions(ctx, srv.Addr, c, n, cfg.sessionTO, cfg.window)
				if err != nil {
					return err
				}
				logf("sessions %s %s n=%d: %.0f B/session, %.2f goroutines/session, %v CPU/s", k, c, n,
					s.HeapPerSession(), s.GoroutinesPerSession(), s.CPUPerSecond())
				res.sessions[k] = append(res.sessions[k], sessionRow{c, s})
				if n >= 100 { // below, unrelated heap changes dominate the per-session figure
					name := fmt.Sprintf("sessions/%s/%s/%d/", k, c, n)
					res.add(name+"bytes-per-session", s.HeapPerSession(), "B", false)
					res.add(name+"goroutines-per-session", s.GoroutinesPerSession(), "", false)
				}
			}
		}
	}
	if cfg.parts["watches"] {
		if err := measureWatches(ctx, cfg, res, srv, logf); err != nil {
			return err
		}
	}
	if cfg.parts["locks"] {
		if err := measureLocks(ctx, cfg, res, srv, logf); err != nil {
			return err
		}
	}
	if cfg.parts["cache"] {
		for _, n := range cfg.cacheSizes {
			t := harness.Tree{Nodes: n}
			logf("building a %d-node tree on %s", n, k)
			if err := harness.BuildTree(ctx, srv.Addr, t); err != nil {
				return err
			}
			p, err := harness.Prime(ctx, harness.PrimeCache, srv.Addr, t)
			if err != nil {
				return err
			}
			st, err := harness.MeasureCacheSteady(ctx, srv.Addr, t, cfg.cacheUpdates)
			if err != nil {
				return err
			}
			logf("cache %s n=%d: primed in %v, %.0f B/node beyond data, %.0f events/s", k, n, p.Elapsed, p.OverheadPerNode(), st.EventsPerSec())
			res.cache[k] = append(res.cache[k], cacheRow{n, p, st})
			name := fmt.Sprintf("cache/%s/%d/", k, n)
			res.add(name+"prime-seconds", p.Elapsed.Seconds(), "s", false)
			res.add(name+"bytes-per-node", p.OverheadPerNode(), "B", false)
			res.add(name+"events-per-second", st.EventsPerSec(), "/s", true)
		}
	}
	return nil
}

func measureWatches(ctx context.Context, cfg config, res *results, srv *harness.Server, logf func(string, ...any)) error {
	k := srv.Kind
	largest := slices.Max(cfg.watchSizes)
	logf("creating %d watch nodes on %s", largest, k)
	if err := harness.BuildWatchNodes(ctx, srv.Addr, largest); err != nil {
		return err
	}
	for _, kind := range cfg.watchKinds {
		m, err := harness.MeasureWatchMemory(ctx, srv.Addr, kind, largest)
		if err != nil {
			return err
		}
		logf("watch memory %s zkcurator %s n=%d: %.0f B/watch, %d goroutines", k, kind, largest, m.PerWatch(), m.Goroutines)
		res.watchMem[k] = append(res.watchMem[k], watchMemRow{"zkcurator", kind, m})
		res.add(fmt.Sprintf("watches/%s/zkcurator/%s/%d/bytes-per-watch", k, kind, largest), m.PerWatch(), "B", false)
		if kind == harness.WatchData || kind == harness.WatchChild {
			g, err := harness.MeasureWatchMemoryGozk(ctx, srv.Addr, kind, largest)
			if err != nil {
				return err
			}
			logf("watch memory %s gozk %s n=%d: %.0f B/watch", k, kind, largest, g.PerWatch())
			res.watchMem[k] = append(res.watchMem[k], watchMemRow{"gozk", kind, g})
		}
	}
	for _, n := range cfg.watchSizes {
		m, err := harness.MeasureWatchMemory(ctx, srv.Addr, harness.WatchMix, n)
		if err != nil {
			return err
		}
		r, err := harness.MeasureRestore(ctx, srv.Addr, harness.WatchMix, n, cfg.restoreCuts)
		if err != nil {
			return err
		}
		logf("watches %s mix n=%d: %.0f B/watch; restore %v (bound %v; per-cut ratios %.2f), %d packets, %d bytes", k, n, m.PerWatch(),
			medianDur(r.Elapsed), medianDur(r.Bound), r.Ratios(), r.Packets, r.Bytes)
		res.watchCurve[k] = append(res.watchCurve[k], watchPoint{n, m, r})
		name := fmt.Sprintf("watches/%s/mix/%d/", k, n)
		if n >= 10000 { // below, unrelated heap changes dominate the per-watch figure
			res.add(name+"bytes-per-watch", m.PerWatch(), "B", false)
		}
		res.add(name+"restore-ms", ms(medianDur(r.Elapsed)), "ms", false)
	}
	return nil
}

func measureLocks(ctx context.Context, cfg config, res *results, srv *harness.Server, logf func(string, ...any)) error {
	k := srv.Kind
	clients := []harness.LockClient{harness.LockZkcurator, harness.LockGozk}
	var cu *harness.CuratorRunner
	if cfg.curator {
		var err error
		cu, err = harness.StartCuratorLockCurve(ctx)
		switch {
		case errors.Is(err, harness.ErrUnavailable):
			logf("no Curator: %v", err)
			res.skipped = append(res.skipped, fmt.Sprintf("curator: %v", err))
		case err != nil:
			return err
		default:
			defer cu.Close()
			clients = append(clients, harness.LockCurator)
		}
	}
	rows := map[harness.LockClient]map[int]*lockRow{}
	for _, c := range clients {
		rows[c] = map[int]*lockRow{}
		for _, n := range cfg.contenders {
			rows[c][n] = &lockRow{client: c, n: n}
		}
	}
	measure := func(c harness.LockClient, n, want int, addr string, counter *harness.OpCounter) (harness.Contention, error) {
		path := harness.LockPath(fmt.Sprintf("curve-%d", n), c)
		if err := harness.PrepareLock(ctx, srv.Addr, path); err != nil {
			return harness.Contention{}, err
		}
		if c == harness.LockCurator {
			return cu.Run(ctx, addr, n, want, path)
		}
		return harness.MeasureContention(ctx, addr, c, n, want, path, counter)
	}
	// Warm-up (the JVM's JIT especially), then interleaved rounds.
	for _, c := range clients {
		if _, err := measure(c, 8, cfg.handoffs, srv.Addr, nil); err != nil {
			return fmt.Errorf("lock warm-up %s: %w", c, err)
		}
	}
	for round := range cfg.rounds {
		for _, n := range cfg.contenders {
			for i := range clients {
				c := clients[(i+round)%len(clients)]
				r, err := measure(c, n, cfg.handoffs, srv.Addr, nil)
				if err != nil {
					return fmt.Errorf("locks %s n=%d: %w", c, n, err)
				}
				if cfg.verbose {
					logf("round %d locks %s %s n=%d: %.0f grants/s p50 %v p99 %v", round+1, k, c, n, r.CyclesPerSec(), r.Quantile(0.5), r.Quantile(0.99))
				}
				rows[c][n].runs = append(rows[c][n].runs, r)
			}
		}
	}
	// Notifications per grant, counted on the wire through a proxy (the same
	// for every client; not timed).
	for _, c := range clients {
		for _, n := range cfg.contenders {
			counter := harness.NewOpCounter()
			px, err := harness.StartCountingProxy(srv.Addr, counter)
			if err != nil {
				return err
			}
			r, err := measure(c, n, min(cfg.handoffs, 200), px.Addr(), nil)
			if err = errors.Join(err, px.Close()); err != nil {
				return fmt.Errorf("locks %s n=%d (counted): %w", c, n, err)
			}
			rows[c][n].notif = float64(counter.Notifications()) / float64(max(r.Grants, 1))
		}
	}
	for _, c := range clients {
		for _, n := range cfg.contenders {
			row := rows[c][n]
			res.locks[k] = append(res.locks[k], *row)
			name := fmt.Sprintf("locks/%s/%s/%d/", k, c, n)
			cps, p50, p99 := row.medians()
			logf("locks %s %s n=%d: %.0f grants/s, p50 %.3f ms, p99 %.3f ms, %.2f notifications/grant", k, c, n, cps, p50, p99, row.notif)
			res.add(name+"grants-per-second", cps, "/s", true)
			res.add(name+"p50-ms", p50, "ms", false) // p99 swings by 2–3× from run to run on a loaded machine
			res.add(name+"notifications-per-grant", row.notif, "", false)
		}
	}
	return nil
}

// medians returns the median over rounds of grants/s, p50 and p99 (ms).
func (r lockRow) medians() (cps, p50, p99 float64) {
	var a, b, c []float64
	for _, run := range r.runs {
		a = append(a, run.CyclesPerSec())
		b = append(b, ms(run.Quantile(0.5)))
		c = append(c, ms(run.Quantile(0.99)))
	}
	return median(a), median(b), median(c)
}

func (res *results) add(name string, v float64, unit string, higherBetter bool) {
	res.metrics = append(res.metrics, metric{Name: name, Value: v, Unit: unit, HigherIsBetter: higherBetter})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func medianDur(v []time.Duration) time.Duration {
	f := make([]float64, len(v))
	for i, d := range v {
		f[i] = float64(d)
	}
	return time.Duration(median(f))
}
