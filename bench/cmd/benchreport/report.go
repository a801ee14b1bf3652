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

// stat summarises one metric over a cell's runs.
func (r *results) stat(k cellKey, metric func(harness.Result) float64) harness.Stat {
	runs := r.runs[k]
	v := make([]float64, len(runs))
	for i, run := range runs {
		v[i] = metric(run)
	}
	return harness.StatOf(v)
}

func (r *results) ops(k cellKey) harness.Stat    { return r.stat(k, harness.Result.OpsPerSec) }
func (r *results) cpu(k cellKey) harness.Stat    { return r.stat(k, harness.Result.CPUPerOp) }
func (r *results) allocs(k cellKey) harness.Stat { return r.stat(k, harness.Result.AllocsPerOp) }
func (r *results) syscalls(k cellKey) harness.Stat {
	return r.stat(k, harness.Result.SyscallsPerOp)
}
func (r *results) ctxsw(k cellKey) harness.Stat { return r.stat(k, harness.Result.CtxSwitchPerOp) }

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
	clients := p.clients()

	w("\n### Throughput (ops/s, median; ± is (max−min)/median)\n\n")
	w("| server | op | g |")
	for _, c := range clients {
		w(" %s |", c)
	}
	for _, c := range p.compared() {
		w(" %s/raw | %s/gozk |", c, c)
	}
	bound := p.bound()
	for _, c := range bound {
		w(" %s/%s |", c, harness.ClientRawDecode)
	}
	w("\n|---|---|---|%s\n", strings.Repeat("---:|", len(clients)+2*len(p.compared())+len(bound)))
	for _, s := range p.servers {
		for _, op := range p.cfg.ops {
			for _, g := range p.cfg.gs {
				w("| %s | %s | %d |", s, op, g)
				for _, c := range clients {
					w(" %s |", fmtOps(p.res.ops(cellKey{s, op, g, c})))
				}
				for _, c := range p.compared() {
					z := p.res.ops(cellKey{s, op, g, c})
					w(" %s | %s |", harness.RatioOf(z, p.res.ops(cellKey{s, op, g, harness.ClientRaw})),
						harness.RatioOf(z, p.res.ops(cellKey{s, op, g, harness.ClientGozk})))
				}
				for _, c := range bound {
					w(" %s |", harness.RatioOf(p.res.ops(cellKey{s, op, g, c}), p.res.ops(cellKey{s, op, g, harness.ClientRawDecode})))
				}
				w("\n")
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
			for _, c := range p.ours() {
				r := harness.RatioOf(p.res.ops(cellKey{s, op, gMax, c}), p.res.ops(cellKey{s, op, gMax, harness.ClientRaw}))
				w("- %s ≥ 0.95 × raw, %s %s g=%d: %s — %s\n", c, s, op, gMax, r, r.Verdict(0.95, true))
			}
			if len(bound) > 0 {
				r := harness.RatioOf(p.res.ops(cellKey{s, op, gMax, harness.ClientRawDecode}), p.res.ops(cellKey{s, op, gMax, harness.ClientRaw}))
				w("- bound: %s (the raw loop that also decodes each reply and copies its data for the caller) ≥ 0.95 × raw, %s %s g=%d: %s — %s\n",
					harness.ClientRawDecode, s, op, gMax, r, r.Verdict(0.95, true))
			}
			for _, c := range bound {
				r := harness.RatioOf(p.res.ops(cellKey{s, op, gMax, c}), p.res.ops(cellKey{s, op, gMax, harness.ClientRawDecode}))
				w("- %s / %s (distance from the bound), %s %s g=%d: %s\n", c, harness.ClientRawDecode, s, op, gMax, r)
			}
		}
	}
	for _, s := range p.servers {
		if !s.OutOfProcess() {
			continue
		}
		for _, op := range p.cfg.ops {
			for _, g := range p.cfg.gs {
				for _, c := range p.ours() {
					r := p.cpuRatio(s, op, g, c)
					w("- %s CPU/op ≤ 1/3 × gozk, %s %s g=%d: %s — %s\n", c, s, op, g, r, r.Verdict(1.0/3, false))
					if g == gMax {
						w("- %s CPU/op ≤ 0.25 × gozk (issue 15), %s %s g=%d: %s — %s\n", c, s, op, g, r, r.Verdict(0.25, false))
					}
				}
			}
		}
	}
	if slices.Contains(p.cfg.ops, harness.OpGet) {
		for _, s := range embedded {
			for _, c := range []harness.Client{harness.ClientRaw, harness.ClientZkcurator} {
				r := p.serverRatio(s, harness.OpGet, gMax, c)
				w("- %s ≥ 3 × real, pipelined Get g=%d, %s client: %s — %s\n", s, gMax, c, r, r.Verdict(3, true))
			}
		}
	}
	return b.String()
}

// clientCosts writes the table of client CPU, system calls, context
// switches and allocations per op for server s (which runs in another
// process, so the counts are the client's).
func (p report) clientCosts(w func(string, ...any), s harness.ServerKind) {
	clients := p.clients()
	w("\n### Client costs per op, %s server\n\n", s)
	w("This process's getrusage (user+sys CPU ns, context switches), /proc/self/io (read+write system calls) and runtime.MemStats (allocations) deltas per operation; the server runs in another process.\n\n")
	w("| op | g |")
	for _, c := range clients {
		w(" %s cpu |", c)
	}
	for _, c := range p.compared() {
		w(" %s/gozk cpu |", c)
	}
	for _, c := range clients {
		w(" %s syscalls |", c)
	}
	for _, c := range clients {
		w(" %s ctxsw |", c)
	}
	for _, c := range clients {
		w(" %s allocs |", c)
	}
	w("\n|---|---|%s\n", strings.Repeat("---:|", 4*len(clients)+len(p.compared())))
	for _, op := range p.cfg.ops {
		for _, g := range p.cfg.gs {
			w("| %s | %d |", op, g)
			for _, c := range clients {
				w(" %s |", fmtNum(p.res.cpu(cellKey{s, op, g, c})))
			}
			for _, c := range p.compared() {
				w(" %s |", p.cpuRatio(s, op, g, c))
			}
			for _, metric := range []func(cellKey) harness.Stat{p.res.syscalls, p.res.ctxsw, p.res.allocs} {
				for _, c := range clients {
					w(" %s |", fmtNum(metric(cellKey{s, op, g, c})))
				}
			}
			w("\n")
		}
	}
}

// clients returns the clients the report shows: those that ran, in
// harness.Clients order (all of them when the config names none).
func (p report) clients() []harness.Client {
	if len(p.cfg.clients) == 0 {
		return harness.Clients
	}
	var cs []harness.Client
	for _, c := range harness.Clients {
		if slices.Contains(p.cfg.clients, c) {
			cs = append(cs, c)
		}
	}
	return cs
}

// ours returns the zkcurator variants among the clients shown: the
// ones compared with raw and gozk.
func (p report) ours() []harness.Client {
	var cs []harness.Client
	for _, c := range p.clients() {
		if c == harness.ClientZkcurator || c == harness.ClientZkcuratorAsync {
			cs = append(cs, c)
		}
	}
	return cs
}

// compared returns the clients whose throughput and CPU are shown as
// ratios to raw and gozk: the zkcurator variants and those of
// raw-decode (the bound they are measured against) and raw-decode-reuse.
func (p report) compared() []harness.Client {
	cs := p.ours()
	for _, c := range []harness.Client{harness.ClientRawDecode, harness.ClientRawDecodeReuse} {
		if slices.Contains(p.clients(), c) {
			cs = append(cs, c)
		}
	}
	return cs
}

// bound returns the zkcurator variants to show as ratios to raw-decode:
// none unless raw-decode ran.
func (p report) bound() []harness.Client {
	if !slices.Contains(p.clients(), harness.ClientRawDecode) {
		return nil
	}
	return p.ours()
}

func (p report) cpuRatio(s harness.ServerKind, op harness.Op, g int, c harness.Client) harness.Ratio {
	return harness.RatioOf(p.res.cpu(cellKey{s, op, g, c}), p.res.cpu(cellKey{s, op, g, harness.ClientGozk}))
}

func (p report) serverRatio(s harness.ServerKind, op harness.Op, g int, c harness.Client) harness.Ratio {
	return harness.RatioOf(p.res.ops(cellKey{s, op, g, c}), p.res.ops(cellKey{harness.ServerReal, op, g, c}))
}

func fmtOps(s harness.Stat) string { return s.Spread("%.0f") }

func fmtNum(s harness.Stat) string {
	switch {
	case !s.OK:
		return "—"
	case s.Median >= 100:
		return fmt.Sprintf("%.0f", s.Median)
	case s.Median >= 10:
		return fmt.Sprintf("%.1f", s.Median)
	}
	return fmt.Sprintf("%.2f", s.Median)
}
