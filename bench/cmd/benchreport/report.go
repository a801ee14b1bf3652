package main

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/zkcurator/zkcurator/bench/internal/harness"
)

// cellKey identifies one measured combination.
type cellKey struct {
	server harness.ServerKind
	op     harness.Op
	g      int
	client harness.Client
}

func (k cellKey) String() string {
	return fmt.Sprintf("%s/%s/%s/g=%d", k.server, k.op, k.client, k.g)
}

// results collects the measured runs of every cell.
type results struct {
	runs map[cellKey][]harness.Result
}

func newResults() *results { return &results{runs: map[cellKey][]harness.Result{}} }

func (r *results) add(k cellKey, res harness.Result) { r.runs[k] = append(r.runs[k], res) }

// stat is the median over a cell's runs of one metric, with its spread.
type stat struct {
	median, min, max float64
	ok               bool // the cell has runs
}

func (r *results) stat(k cellKey, metric func(harness.Result) float64) stat {
	runs := r.runs[k]
	if len(runs) == 0 {
		return stat{}
	}
	v := make([]float64, len(runs))
	for i, run := range runs {
		v[i] = metric(run)
	}
	slices.Sort(v)
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return stat{median: m, min: v[0], max: v[len(v)-1], ok: true}
}

func (r *results) ops(k cellKey) stat    { return r.stat(k, harness.Result.OpsPerSec) }
func (r *results) cpu(k cellKey) stat    { return r.stat(k, harness.Result.CPUPerOp) }
func (r *results) allocs(k cellKey) stat { return r.stat(k, harness.Result.AllocsPerOp) }
func (r *results) syscalls(k cellKey) stat {
	return r.stat(k, harness.Result.SyscallsPerOp)
}
func (r *results) ctxsw(k cellKey) stat { return r.stat(k, harness.Result.CtxSwitchPerOp) }

// ratio is a/b of two medians; ok is false when either is missing.
type ratio struct {
	v  float64
	ok bool
}

func ratioOf(a, b stat) ratio {
	if !a.ok || !b.ok || b.median == 0 {
		return ratio{}
	}
	return ratio{v: a.median / b.median, ok: true}
}

func (r ratio) String() string {
	if !r.ok {
		return "—"
	}
	return fmt.Sprintf("%.2f", r.v)
}

// verdict says whether r meets a target: at least (atLeast) or at most.
func (r ratio) verdict(target float64, atLeast bool) string {
	if !r.ok {
		return "not measured"
	}
	if (atLeast && r.v >= target) || (!atLeast && r.v <= target) {
		return "met"
	}
	return "**missed**"
}

// report renders results as markdown.
type report struct {
	cfg     config
	res     *results
	servers []harness.ServerKind // servers that ran
	skipped []string
	load    [2]string // load averages at start and end
}

func (p report) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("Generated %s by:\n\n    cd bench && %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), harness.CommandLine("benchreport", p.cfg.args))
	w("Machine: %s, %d CPUs, %s %s/%s. Medians of %d interleaved rounds; each measured run about %v.\n",
		harness.CPUModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, p.cfg.rounds, p.cfg.dur)
	w("Load average (1, 5, 15 min) at start %s, at end %s.\n", p.load[0], p.load[1])
	for _, s := range p.skipped {
		w("Skipped server %s\n", s)
	}
	clients := harness.Clients

	w("\n### Throughput (ops/s, median; ± is (max−min)/median)\n\n")
	w("| server | op | g |")
	for _, c := range clients {
		w(" %s |", c)
	}
	w(" zkcurator/raw | zkcurator/gozk |\n|---|---|---|")
	w("%s---|---|\n", strings.Repeat("---:|", len(clients)))
	for _, s := range p.servers {
		for _, op := range p.cfg.ops {
			for _, g := range p.cfg.gs {
				w("| %s | %s | %d |", s, op, g)
				for _, c := range clients {
					w(" %s |", fmtOps(p.res.ops(cellKey{s, op, g, c})))
				}
				z := p.res.ops(cellKey{s, op, g, harness.ClientZkcurator})
				w(" %s | %s |\n", ratioOf(z, p.res.ops(cellKey{s, op, g, harness.ClientRaw})),
					ratioOf(z, p.res.ops(cellKey{s, op, g, harness.ClientGozk})))
			}
		}
	}

	for _, s := range p.servers {
		if s.OutOfProcess() {
			p.clientCosts(w, s)
		}
	}

	real := slices.Contains(p.servers, harness.ServerReal)
	var embedded []harness.ServerKind // embedded servers that ran
	for _, s := range []harness.ServerKind{harness.ServerEmbedded, harness.ServerEmbeddedProc} {
		if real && slices.Contains(p.servers, s) {
			embedded = append(embedded, s)
		}
	}
	if len(embedded) > 0 {
		w("\n### Embedded vs real server (throughput ratio embedded/real, same client)\n\n")
		w("| server | op | g |")
		for _, c := range clients {
			w(" %s |", c)
		}
		w("\n|---|---|---|%s\n", strings.Repeat("---:|", len(clients)))
		for _, s := range embedded {
			for _, op := range p.cfg.ops {
				for _, g := range p.cfg.gs {
					w("| %s | %s | %d |", s, op, g)
					for _, c := range clients {
						w(" %s |", p.serverRatio(s, op, g, c))
					}
					w("\n")
				}
			}
		}
	}

	w("\n### Targets\n\n")
	gMax := slices.Max(p.cfg.gs)
	for _, s := range p.servers {
		for _, op := range p.cfg.ops {
			r := ratioOf(p.res.ops(cellKey{s, op, gMax, harness.ClientZkcurator}), p.res.ops(cellKey{s, op, gMax, harness.ClientRaw}))
			w("- zkcurator ≥ 0.95 × raw, %s %s g=%d: %s — %s\n", s, op, gMax, r, r.verdict(0.95, true))
		}
	}
	for _, s := range p.servers {
		if !s.OutOfProcess() {
			continue
		}
		for _, op := range p.cfg.ops {
			for _, g := range p.cfg.gs {
				r := p.cpuRatio(s, op, g)
				w("- zkcurator CPU/op ≤ 1/3 × gozk, %s %s g=%d: %s — %s\n", s, op, g, r, r.verdict(1.0/3, false))
			}
		}
	}
	if slices.Contains(p.cfg.ops, harness.OpGet) {
		for _, s := range embedded {
			for _, c := range []harness.Client{harness.ClientRaw, harness.ClientZkcurator} {
				r := p.serverRatio(s, harness.OpGet, gMax, c)
				w("- %s ≥ 3 × real, pipelined Get g=%d, %s client: %s — %s\n", s, gMax, c, r, r.verdict(3, true))
			}
		}
	}
	return b.String()
}

// clientCosts writes the table of client CPU, system calls, context
// switches and allocations per op for server s (which runs in another
// process, so the counts are the client's).
func (p report) clientCosts(w func(string, ...any), s harness.ServerKind) {
	clients := harness.Clients
	w("\n### Client costs per op, %s server\n\n", s)
	w("This process's getrusage (user+sys CPU ns, context switches), /proc/self/io (read+write system calls) and runtime.MemStats (allocations) deltas per operation; the server runs in another process.\n\n")
	w("| op | g |")
	for _, c := range clients {
		w(" %s cpu |", c)
	}
	w(" zkcurator/gozk cpu |")
	for _, c := range clients {
		w(" %s syscalls |", c)
	}
	for _, c := range clients {
		w(" %s ctxsw |", c)
	}
	for _, c := range clients {
		w(" %s allocs |", c)
	}
	w("\n|---|---|%s\n", strings.Repeat("---:|", 4*len(clients)+1))
	for _, op := range p.cfg.ops {
		for _, g := range p.cfg.gs {
			w("| %s | %d |", op, g)
			for _, c := range clients {
				w(" %s |", fmtNum(p.res.cpu(cellKey{s, op, g, c})))
			}
			w(" %s |", p.cpuRatio(s, op, g))
			for _, metric := range []func(cellKey) stat{p.res.syscalls, p.res.ctxsw, p.res.allocs} {
				for _, c := range clients {
					w(" %s |", fmtNum(metric(cellKey{s, op, g, c})))
				}
			}
			w("\n")
		}
	}
}

func (p report) cpuRatio(s harness.ServerKind, op harness.Op, g int) ratio {
	return ratioOf(p.res.cpu(cellKey{s, op, g, harness.ClientZkcurator}), p.res.cpu(cellKey{s, op, g, harness.ClientGozk}))
}

func (p report) serverRatio(s harness.ServerKind, op harness.Op, g int, c harness.Client) ratio {
	return ratioOf(p.res.ops(cellKey{s, op, g, c}), p.res.ops(cellKey{harness.ServerReal, op, g, c}))
}

func fmtOps(s stat) string {
	if !s.ok {
		return "—"
	}
	spread := 0.0
	if s.median > 0 {
		spread = (s.max - s.min) / s.median * 100
	}
	return fmt.Sprintf("%.0f ±%.0f%%", s.median, spread)
}

func fmtNum(s stat) string {
	switch {
	case !s.ok:
		return "—"
	case s.median >= 100:
		return fmt.Sprintf("%.0f", s.median)
	case s.median >= 10:
		return fmt.Sprintf("%.1f", s.median)
	}
	return fmt.Sprintf("%.2f", s.median)
}
