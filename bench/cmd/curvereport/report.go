package main

import (
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/zkcurator/zkcurator/bench/internal/harness"
)

// Issue 15's targets.
const (
	targetBytesPerWatch     = 150
	targetBytesPerSession   = 32 << 10
	targetGoroutinesPerSess = 4
)

func commandLine(cfg config) string { return harness.CommandLine("curvereport", cfg.args) }

// markdown renders the report; plots are the SVG files written next to it.
func (res *results) markdown(plots []string, cmp comparison) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("Generated %s by:\n\n    cd bench && %s\n\n", res.start.UTC().Format("2006-01-02 15:04 MST"), commandLine(res.cfg))
	w("Machine: %s, %d CPUs, %s. Load average (1, 5, 15 min) at start %s, at end %s",
		harness.CPUModel(), runtime.NumCPU(), runtime.Version(), res.load[0], res.load[1])
	if loaded(res.load[0]) || loaded(res.load[1]) {
		w(" — **taken under load** (other helpers' tests shared the 2 cores): times and rates are noisy, ratios between clients of the same round less so")
	}
	w(".\n")
	for _, s := range res.skipped {
		w("Skipped: %s\n", s)
	}
	slices.Sort(plots)
	for _, k := range sortedKeys(res.watchCurve) {
		res.watchesMarkdown(w, k)
	}
	for _, k := range sortedKeys(res.sessions) {
		res.sessionsMarkdown(w, k)
	}
	for _, k := range sortedKeys(res.locks) {
		res.locksMarkdown(w, k)
	}
	for _, k := range sortedKeys(res.cache) {
		res.cacheMarkdown(w, k)
	}
	if len(res.serverMem) > 0 {
		w("\n#### Embedded server memory per znode (in this process, 1 KiB of data each)\n\n| znodes | heap MiB | bytes/znode beyond data |\n|---:|---:|---:|\n")
		for _, m := range res.serverMem {
			w("| %d | %.1f | %.0f |\n", m.Nodes, float64(m.HeapBytes)/(1<<20), m.PerNode())
		}
	}
	if len(plots) > 0 {
		w("\n#### Plots\n\n")
		for _, p := range plots {
			w("![%s](%s)\n", strings.TrimSuffix(p, filepath.Ext(p)), p)
		}
	}
	cmpMarkdown(w, cmp)
	return b.String()
}

// loaded reports a 1-minute load average above 1.5 (2 cores).
func loaded(load string) bool {
	var l float64
	_, err := fmt.Sscanf(load, "%f", &l)
	return err == nil && l > 1.5
}

func (res *results) watchesMarkdown(w func(string, ...any), k harness.ServerKind) {
	w("\n#### Watches at scale, %s server\n\n", k)
	if rows := res.watchMem[k]; len(rows) > 0 {
		w("Live heap + goroutine stacks per registered watch, %d watches in one session, the caller's channels and Watchers kept (GC before and after); a `-func` kind is the callback form (GetWFunc, ChildrenWFunc, AddWatchFunc: no channel, one callback shared by every watch):\n\n", rows[0].mem.N)
		w("| client | kind | bytes/watch | goroutines added | target ≤ %d B |\n|---|---|---:|---:|---|\n", targetBytesPerWatch)
		for _, r := range rows {
			w("| %s | %s | %.0f | %d | %s |\n", r.client, r.kind, r.mem.PerWatch(), r.mem.Goroutines,
				harness.Verdict(r.mem.PerWatch(), true, targetBytesPerWatch, false))
		}
	}
	w("\nMix of data, child, persistent and recursive watches, connection cut (a proxy) %d times, medians. restore = from the proxy accepting the client's new connection to the reply of a request queued behind the restore (handshake, SetWatches2 packets, that request); bound = a fresh raw connection through the same proxy: handshake plus the same packets written at once, all replies read, measured right after each restore; restore/bound = the median of each cut's ratio; cut→restored adds the client's random 0–1 s pause before reconnecting (as ClientCnxn):\n\n", res.cfg.restoreCuts)
	w("| watches | bytes/watch | SetWatches2 packets | packet bytes | restore ms | bound ms | restore/bound | cut→restored ms |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, p := range res.watchCurve[k] {
		e, bd := medianDur(p.restore.Elapsed), medianDur(p.restore.Bound)
		w("| %d | %.0f | %d | %d | %.2f | %.2f | %.2f | %.0f |\n", p.n, p.mem.PerWatch(), p.restore.Packets, p.restore.Bytes, ms(e), ms(bd),
			median(p.restore.Ratios()), ms(medianDur(p.restore.Total)))
	}
}

func (res *results) sessionsMarkdown(w func(string, ...any), k harness.ServerKind) {
	w("\n#### Idle sessions in one process, %s server\n\n", k)
	w("Session timeout %v (a ping every %v); heap = live heap + goroutine stacks after GC, per session; CPU = this process's user+sys time over %v of idling, all sessions together:\n\n",
		res.cfg.sessionTO, res.cfg.sessionTO/3, res.cfg.window)
	w("| client | sessions | KiB/session | goroutines/session | CPU ms per s (all) | µs per session per s | targets ≤ 32 KiB, ≤ 4 goroutines |\n|---|---:|---:|---:|---:|---:|---|\n")
	for _, r := range res.sessions[k] {
		s := r.s
		cpu := s.CPUPerSecond()
		verdict := "—"
		if r.client == harness.SessionZkcurator {
			verdict = harness.Verdict(s.HeapPerSession(), true, targetBytesPerSession, false) + " / " +
				harness.Verdict(s.GoroutinesPerSession(), true, targetGoroutinesPerSess, false)
		}
		w("| %s | %d | %.1f | %.2f | %.2f | %.2f | %s |\n", r.client, s.N, s.HeapPerSession()/1024, s.GoroutinesPerSession(),
			ms(cpu), float64(cpu)/float64(time.Microsecond)/float64(max(s.N, 1)), verdict)
	}
}

func (res *results) locksMarkdown(w func(string, ...any), k harness.ServerKind) {
	w("\n#### Lock contention curve, %s server\n\n", k)
	w("n sessions loop lock/unlock on one lock (holders release at once); grants/s over the run; hand-off = previous holder's unlock call to the next holder's lock return; medians over %d interleaved rounds of %d hand-offs; notifications = watch events received per grant, all sessions, counted on the wire through a proxy in a separate run of ≤ 200 hand-offs (1.0 = exactly one waiter woken per release, no herd):\n\n",
		res.cfg.rounds, res.cfg.handoffs)
	w("| client | contenders | grants/s | p50 ms | p99 ms | notifications/grant | grants/s vs gozk | vs curator |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	cpsOf := map[string]float64{}
	for _, r := range res.locks[k] {
		cps, _, _ := r.medians()
		cpsOf[fmt.Sprintf("%s/%d", r.client, r.n)] = cps
	}
	ratio := func(a float64, peer string) string {
		if b := cpsOf[peer]; b > 0 {
			return fmt.Sprintf("%.2f", a/b)
		}
		return "—"
	}
	for _, r := range res.locks[k] {
		cps, p50, p99 := r.medians()
		w("| %s | %d | %.0f | %.3f | %.3f | %.2f | %s | %s |\n", r.client, r.n, cps, p50, p99, r.notif,
			ratio(cps, fmt.Sprintf("gozk/%d", r.n)), ratio(cps, fmt.Sprintf("curator/%d", r.n)))
	}
}

func (res *results) cacheMarkdown(w func(string, ...any), k harness.ServerKind) {
	w("\n#### TreeCache at scale, %s server\n\n", k)
	w("Priming = `NewTree`+`Start` on a fresh client until Initialized (1 KiB per node, two levels); heap = live heap growth with the primed cache, beyond the data, per node; steady state = another session sets %d leaves (64 in flight), events/s = changes applied and delivered to the listener per second from the first set to the last event:\n\n", res.cfg.cacheUpdates)
	w("| nodes | priming s | nodes/s primed | heap B/node beyond data | change events/s |\n|---:|---:|---:|---:|---:|\n")
	for _, r := range res.cache[k] {
		w("| %d | %.3f | %.0f | %.0f | %.0f |\n", r.n, r.primed.Elapsed.Seconds(), float64(r.primed.Nodes)/max(r.primed.Elapsed.Seconds(), 1e-9),
			r.primed.OverheadPerNode(), r.steady.EventsPerSec())
	}
}

func cmpMarkdown(w func(string, ...any), cmp comparison) {
	w("\n#### Against the previous run\n\n")
	if cmp.prev == nil {
		w("No previous curves.json: nothing to compare (this run's figures are kept there for the next one).\n")
		return
	}
	w("Previous run: %s (load %s / %s). A figure is flagged when it is more than %.0f %% worse.\n\n",
		cmp.prev.Generated.Format("2006-01-02 15:04 MST"), cmp.prev.Load[0], cmp.prev.Load[1], regressionTolerance*100)
	var bad []change
	for _, c := range cmp.changes {
		if c.regressed() {
			bad = append(bad, c)
		}
	}
	if len(bad) == 0 {
		w("No regressions among %d figures compared.\n", len(cmp.changes))
		return
	}
	w("**%d regressions** among %d figures compared:\n\n| figure | previous | now | worse by |\n|---|---:|---:|---:|\n", len(bad), len(cmp.changes))
	for _, c := range bad {
		w("| %s | %.4g %s | %.4g %s | %.0f %% |\n", c.Name, c.prev, c.Unit, c.Value, c.Unit, (c.ratio-1)*100)
	}
}

func sortedKeys[V any](m map[harness.ServerKind]V) []harness.ServerKind {
	var ks []harness.ServerKind
	for _, k := range harness.Servers {
		if _, ok := m[k]; ok {
			ks = append(ks, k)
		}
	}
	return ks
}
