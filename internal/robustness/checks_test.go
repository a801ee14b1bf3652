package robustness

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/zkcurator/zkcurator/internal/robustness/checker"
	"github.com/zkcurator/zkcurator/internal/robustness/history"
	"github.com/zkcurator/zkcurator/internal/robustness/workload"
	"github.com/zkcurator/zkcurator/zk"
)

// checkCache waits (bounded) until the cache equals the server, then
// checks that its events replay to the same tree.
func (r *run) checkCache(ctx context.Context) {
	if r.watcher == nil {
		return
	}
	deadline := time.Now().Add(r.recoveryBound())
	var want, got map[string]workload.CachedNode
	for {
		var err error
		want, err = workload.ServerTree(ctx, r.admin, r.root)
		if err != nil {
			r.violate("cache", fmt.Sprintf("reading the server's tree: %v", err))
			return
		}
		got = r.watcher.Snapshot()
		if maps.Equal(want, got) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond) // polling the cache's convergence, bounded by deadline
	}
	if !maps.Equal(want, got) {
		r.violate("cache", fmt.Sprintf("cache != server %v after the workload stopped: %s", r.recoveryBound(), treeDiff(want, got)))
		return
	}
	replayed, err := r.watcher.Replayed()
	if err != nil {
		r.violate("cache", "events do not replay: "+err.Error())
	} else if !maps.Equal(want, replayed) {
		r.violate("cache", "replayed events != server: "+treeDiff(want, replayed))
	}
}

// treeDiff describes how got differs from want (first few paths).
func treeDiff(want, got map[string]workload.CachedNode) string {
	var d []string
	for _, p := range slices.Sorted(maps.Keys(want)) {
		if g, ok := got[p]; !ok {
			d = append(d, "missing "+p)
		} else if g != want[p] {
			d = append(d, fmt.Sprintf("%s: %+v, server %+v", p, g, want[p]))
		}
	}
	for _, p := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[p]; !ok {
			d = append(d, "extra "+p)
		}
	}
	if len(d) > 5 {
		d = append(d[:5], fmt.Sprintf("(%d more)", len(d)-5))
	}
	return strings.Join(d, "; ")
}

// seqServer reads the sequential-create workload's nodes: data -> sequence.
func (r *run) seqServer(ctx context.Context) (map[string]int64, error) {
	parent := workload.SeqParent(r.root)
	kids, _, err := r.admin.Children(ctx, parent)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, k := range kids {
		data, _, err := r.admin.Get(ctx, parent+"/"+k)
		if err != nil {
			return nil, err
		}
		seq, err := workload.SeqOf(k)
		if err != nil {
			return nil, err
		}
		out[string(data)] = seq
	}
	return out, nil
}

// closeClients closes every in-process client and the cache.
func (r *run) closeClients() {
	if r.watcher != nil {
		_ = r.watcher.Close()
	}
	for _, env := range r.envs {
		_ = env.Client.Close()
	}
}

// checkLeaks waits (bounded) until no ephemeral node is left under root:
// every client is closed or killed, so any left belongs to a session that
// should be gone.
func (r *run) checkLeaks(ctx context.Context) {
	deadline := time.Now().Add(r.recoveryBound())
	for {
		left, err := ephemerals(ctx, r.admin, r.root)
		if err != nil {
			r.violate("leaks", fmt.Sprintf("reading the tree: %v", err))
			return
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			r.violate("leaks", fmt.Sprintf("ephemeral nodes of closed sessions still there %v after: %v", r.recoveryBound(), left))
			return
		}
		time.Sleep(100 * time.Millisecond) // polling the server's expiry, bounded by deadline
	}
}

// ephemerals lists the ephemeral nodes under p. Nodes that vanish while
// it looks (containers reaped, ephemerals expiring) are skipped.
func ephemerals(ctx context.Context, c *zk.Client, p string) ([]string, error) {
	kids, _, err := c.Children(ctx, p)
	if errors.Is(err, zk.ErrNoNode) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range kids {
		cp := p + "/" + k
		ok, st, err := c.Exists(ctx, cp)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if st.EphemeralOwner != 0 {
			out = append(out, fmt.Sprintf("%s (session 0x%x)", cp, st.EphemeralOwner))
			continue
		}
		sub, err := ephemerals(ctx, c, cp)
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	return out, nil
}

// checkHistory runs the history checkers.
// The linearizability check gets linTimeout; one that runs out is a note
// in the report, not a violation.
func (r *run) checkHistory(events []history.Event, seq map[string]int64, linTimeout time.Duration) {
	for k, v := range checker.Reported(events) {
		r.violate(k, v...)
	}
	dir := *flagOut
	if dir == "" {
		dir = os.TempDir()
	}
	dir = fmt.Sprintf("%s/zkcurator-robust-%s-%d", dir, r.sc.name, r.seed)
	began := time.Now()
	v, n, note := checker.Registers(events, dir, linTimeout)
	if n > 0 && note == "" {
		r.notes = append(r.notes, fmt.Sprintf("linearizability of %d register ops checked in %v", n, time.Since(began).Round(time.Millisecond)))
	}
	r.violate("linearizability", v...)
	if note != "" {
		r.notes = append(r.notes, note)
	}
	holds := checker.Holds(events, r.end)
	r.violate("mutual-exclusion", checker.MutualExclusion(holds, workload.SemaphoreLeases)...)
	r.violate("fencing", checker.Fencing(events, holds)...)
	if seq != nil {
		sv, _ := checker.SeqCreates(events, seq)
		r.violate("seq-creates", sv...)
	}
	r.checkProcRecovery(events)
}

// checkProcRecovery checks that every child process still running after
// the faults completed an operation within recoveryBound of the last one.
func (r *run) checkProcRecovery(events []history.Event) {
	for _, p := range r.procs {
		name := p.name()
		found := false
		for _, e := range events {
			if e.Client == name && e.Kind == history.Progress && e.T > r.healed {
				r.recovery[name] = e.T - r.healed
				found = e.T-r.healed <= int64(r.recoveryBound())
				break
			}
		}
		if !found {
			r.violate("recovery", fmt.Sprintf("process %s completed no operation within %v after the last fault", name, r.recoveryBound()))
		}
	}
}

// leaderless returns the time without a leader per leadership key.
func leaderless(events []history.Event, from, to int64) map[string]int64 {
	return checker.Leaderless(checker.Holds(events, to), from, to)
}
