package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/zkcurator/zkcurator/bench/internal/harness"
)

// key identifies one measured combination: a server and an implementation
// (lock client or priming method).
type key struct {
	server harness.ServerKind
	impl   string
}

// results collects every measured run.
type results struct {
	servers []harness.ServerKind // servers that ran
	skipped []string
	load    [2]string // load averages at start and end

	cycles map[key][]float64 // cycles/s per round
	p50    map[key][]float64 // hand-off latency percentiles (ns) per round
	p90    map[key][]float64
	build  map[harness.ServerKind]time.Duration
	prime  map[key][]harness.Primed
	// ops counts the requests sent per key over all rounds, with the
	// number of cycles (or hand-offs) they served.
	ops   map[key]map[int32]int64
	opsOf map[key]int
}

func (r *results) addOps(k key, counts map[int32]int64, n int) {
	if r.ops[k] == nil {
		r.ops[k] = map[int32]int64{}
	}
	for op, v := range counts {
		r.ops[k][op] += v
	}
	r.opsOf[k] += n
}

// requests describes the requests per cycle of k.
func (r *results) requests(k key) string {
	if r.opsOf[k] == 0 {
		return "—"
	}
	var total int64
	for _, v := range r.ops[k] {
		total += v
	}
	return fmt.Sprintf("%.2f (%s)", float64(total)/float64(r.opsOf[k]), harness.Describe(r.ops[k], r.opsOf[k]))
}

func newResults() *results {
	return &results{
		cycles: map[key][]float64{}, p50: map[key][]float64{}, p90: map[key][]float64{},
		build: map[harness.ServerKind]time.Duration{}, prime: map[key][]harness.Primed{},
		ops: map[key]map[int32]int64{}, opsOf: map[key]int{},
	}
}

func (r *results) primeStat(k key, metric func(harness.Primed) float64) harness.Stat {
	var v []float64
	for _, p := range r.prime[k] {
		v = append(v, metric(p))
	}
	return harness.StatOf(v)
}

func primeSeconds(p harness.Primed) float64 { return p.Elapsed.Seconds() }

func ms(ns float64) float64 { return ns / 1e6 }

// report renders results as markdown.
type report struct {
	cfg config
	res *results
}

func (p report) markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("Generated %s by:\n\n    cd bench && %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), harness.CommandLine("recipereport", p.cfg.args))
	w("Machine: %s, %d CPUs, %s %s/%s. Lock and hand-off: medians of %d interleaved rounds of about %v each; tree: medians of %d interleaved rounds.\n",
		harness.CPUModel(), runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH, p.cfg.rounds, p.cfg.dur, p.cfg.treeRounds)
	w("Load average (1, 5, 15 min) at start %s, at end %s.\n", p.res.load[0], p.res.load[1])
	for _, s := range p.res.skipped {
		w("Skipped server %s\n", s)
	}
	var targets []string
	t := func(format string, args ...any) { targets = append(targets, fmt.Sprintf(format, args...)) }
	if p.cfg.parts["lock"] {
		p.lockTable(w, t)
	}
	if p.cfg.parts["handoff"] {
		p.handoffTable(w)
	}
	if p.cfg.parts["tree"] {
		p.treeTables(w, t)
	}
	if len(targets) > 0 {
		w("\n#### Targets\n\n")
		for _, s := range targets {
			w("- %s\n", s)
		}
	}
	return b.String()
}

func (p report) lockTable(w, t func(string, ...any)) {
	w("\n#### Uncontended lock: Lock+Unlock cycles/s, one session (median; ± is (max−min)/median)\n\n")
	w("| server | zkcurator Mutex | gozk Lock | bound (create+getChildren+delete) | zkcurator/gozk | zkcurator/bound | gozk/bound |\n")
	w("|---|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range p.res.servers {
		z := harness.StatOf(p.res.cycles[key{s, string(harness.LockZkcurator)}])
		g := harness.StatOf(p.res.cycles[key{s, string(harness.LockGozk)}])
		bd := harness.StatOf(p.res.cycles[key{s, string(harness.LockBound)}])
		w("| %s | %s | %s | %s | %s | %s | %s |\n", s, z.Spread("%.0f"), g.Spread("%.0f"), bd.Spread("%.0f"),
			harness.RatioOf(z, g), harness.RatioOf(z, bd), harness.RatioOf(g, bd))
		r := harness.RatioOf(z, g)
		t("lock cycles ≥ gozk, %s: %s — %s", s, r, harness.Verdict(r.V, r.OK, 1, true))
		r = harness.RatioOf(z, bd)
		t("lock cycles ≥ 0.9 × bound, %s: %s — %s", s, r, harness.Verdict(r.V, r.OK, 0.9, true))
	}
	p.requestTable(w, "Requests per cycle (counted on the wire, pings excluded)", "")
}

// requestTable lists the requests per cycle (prefix "") or per hand-off
// (prefix "handoff ") of each implementation on the first server measured
// (the clients send the same requests to every server).
func (p report) requestTable(w func(string, ...any), title, prefix string) {
	if len(p.res.servers) == 0 {
		return
	}
	s := p.res.servers[0]
	w("\n%s, %s server:\n\n", title, s)
	impls := harness.LockClients
	if prefix != "" {
		impls = harness.HandoffClients
	}
	for _, c := range impls {
		w("- %s: %s\n", c, p.res.requests(key{s, prefix + string(c)}))
	}
}

func (p report) handoffTable(w func(string, ...any)) {
	w("\n#### Contended hand-off latency, %d waiters (ms; median over rounds of each round's percentile)\n\n", handoffWaiters)
	w("| server | zkcurator p50 | gozk p50 | zkcurator p90 | gozk p90 | zkcurator/gozk p50 | zkcurator/gozk p90 |\n")
	w("|---|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range p.res.servers {
		zk50 := harness.StatOf(p.res.p50[key{s, string(harness.LockZkcurator)}])
		gz50 := harness.StatOf(p.res.p50[key{s, string(harness.LockGozk)}])
		zk90 := harness.StatOf(p.res.p90[key{s, string(harness.LockZkcurator)}])
		gz90 := harness.StatOf(p.res.p90[key{s, string(harness.LockGozk)}])
		w("| %s | %s | %s | %s | %s | %s | %s |\n", s, fmtMs(zk50), fmtMs(gz50), fmtMs(zk90), fmtMs(gz90),
			harness.RatioOf(zk50, gz50), harness.RatioOf(zk90, gz90))
	}
	p.requestTable(w, "Requests per hand-off, all 9 sessions together (counted on the wire, pings excluded)", "handoff ")
}

func fmtMs(s harness.Stat) string {
	if !s.OK {
		return "—"
	}
	return harness.Stat{Median: ms(s.Median), Min: ms(s.Min), Max: ms(s.Max), OK: true}.Spread("%.3f")
}

func (p report) treeTables(w, t func(string, ...any)) {
	tr := harness.Tree{Nodes: p.cfg.treeNodes}
	w("\n#### Tree priming: %d nodes + root, %d B data each, %d parents (seconds, median; ± is (max−min)/median)\n\n",
		tr.Nodes, harness.NodeSize, tr.Fanout())
	w("| server | build | gozk-serial | pipelined | pipelined-lean | cache | gozk-serial/cache | cache/pipelined | cache/pipelined-lean |\n")
	w("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range p.res.servers {
		st := map[harness.PrimeMethod]harness.Stat{}
		for _, m := range harness.PrimeMethods {
			st[m] = p.res.primeStat(key{s, string(m)}, primeSeconds)
		}
		w("| %s | %.2f |", s, p.res.build[s].Seconds())
		for _, m := range harness.PrimeMethods {
			w(" %s |", st[m].Spread("%.3f"))
		}
		c := st[harness.PrimeCache]
		w(" %s | %s | %s |\n", harness.RatioOf(st[harness.PrimeGozkSerial], c), harness.RatioOf(c, st[harness.PrimePipelined]), harness.RatioOf(c, st[harness.PrimePipelinedLean]))
		r := harness.RatioOf(st[harness.PrimeGozkSerial], c)
		t("priming ≥ 5 × faster than gozk one at a time, %s: %s — %s", s, r, harness.Verdict(r.V, r.OK, 5, true))
		r = harness.RatioOf(c, st[harness.PrimePipelined])
		t("priming ≤ 2 × pipelined reads (getData+getChildren per node), %s: %s — %s", s, r, harness.Verdict(r.V, r.OK, 2, false))
		r = harness.RatioOf(c, st[harness.PrimePipelinedLean])
		t("priming ≤ 2 × pipelined reads (the cache's reads), %s: %s — %s", s, r, harness.Verdict(r.V, r.OK, 2, false))
	}
	w("\nRequests per priming: ")
	for i, m := range harness.PrimeMethods[:3] {
		if i > 0 {
			w(", ")
		}
		n := 0
		for _, s := range p.res.servers {
			if runs := p.res.prime[key{s, string(m)}]; len(runs) > 0 {
				n = runs[0].Reads
			}
		}
		w("%s %d", m, n)
	}
	w(" (the cache issues the reads of pipelined-lean, plus addWatch).\n")

	w("\n#### Tree cache memory: live heap growth with the primed cache (after GC), per node\n\n")
	w("| server | heap MiB | data MiB | bytes/node beyond data |\n|---|---:|---:|---:|\n")
	for _, s := range p.res.servers {
		k := key{s, string(harness.PrimeCache)}
		heap := p.res.primeStat(k, func(x harness.Primed) float64 { return float64(x.HeapBytes) })
		over := p.res.primeStat(k, harness.Primed.OverheadPerNode)
		if !heap.OK {
			continue
		}
		w("| %s | %.1f | %.1f | %s |\n", s, heap.Median/(1<<20), float64(tr.DataBytes())/(1<<20), over.Spread("%.0f"))
		t("cache overhead < 300 B/node beyond data, %s: %.0f — %s", s, over.Median, harness.Verdict(over.Median, over.OK, 300, false))
	}
}
