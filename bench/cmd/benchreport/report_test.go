package main

import (
	"strings"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/bench/internal/harness"
)

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-rounds", "3", "-servers", "real, embedded-proc", "-ops", "get", "-g", "1,8"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.rounds != 3 || len(cfg.servers) != 2 || cfg.servers[1] != harness.ServerEmbeddedProc ||
		len(cfg.ops) != 1 || cfg.ops[0] != harness.OpGet || len(cfg.gs) != 2 || cfg.gs[1] != 8 {
		t.Fatalf("parsed %+v", cfg)
	}
	for _, bad := range [][]string{{"-servers", "nope"}, {"-ops", "delete"}, {"-g", "0"}, {"-rounds", "0"}, {"-g", ""}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) succeeded", bad)
		}
	}
}

func TestRunSize(t *testing.T) {
	r := harness.Result{N: 1000, Elapsed: 100 * time.Millisecond} // 10000 ops/s
	if n := runSize(r, 250*time.Millisecond, 64); n != 2560 {
		t.Fatalf("runSize = %d, want 2560 (2500 rounded up to a multiple of 64)", n)
	}
	if n := runSize(harness.Result{}, time.Second, 1); n != 100 {
		t.Fatalf("runSize of an empty result = %d, want the minimum 100", n)
	}
}

// fakeResults gives every cell three runs around the given rates.
func fakeResults(rate map[harness.ServerKind]map[harness.Client]float64, cpu map[harness.Client]time.Duration) *results {
	res := newResults()
	for s, byClient := range rate {
		for c, ops := range byClient {
			for _, op := range []harness.Op{harness.OpGet, harness.OpSet} {
				for _, g := range []int{1, 64} {
					for _, f := range []float64{0.9, 1, 1.2} {
						n := int(ops * f)
						res.add(cellKey{s, op, g, c}, harness.Result{N: n, Elapsed: time.Second, Mallocs: uint64(5 * n),
							Counters: harness.Counters{CPU: time.Duration(n) * cpu[c], Writes: int64(n)}})
					}
				}
			}
		}
	}
	return res
}

func TestReportMarkdown(t *testing.T) {
	res := fakeResults(map[harness.ServerKind]map[harness.Client]float64{
		harness.ServerReal:     {harness.ClientZkcurator: 9800, harness.ClientGozk: 5000, harness.ClientRaw: 10000},
		harness.ServerEmbedded: {harness.ClientZkcurator: 50000, harness.ClientGozk: 20000, harness.ClientRaw: 100000},
	}, map[harness.Client]time.Duration{harness.ClientZkcurator: 10 * time.Microsecond, harness.ClientGozk: 20 * time.Microsecond, harness.ClientRaw: time.Microsecond})
	rep := report{
		cfg: config{rounds: 3, dur: time.Second, ops: []harness.Op{harness.OpGet, harness.OpSet}, gs: []int{1, 64}, args: []string{"benchreport", "-rounds", "3"},
			clients: []harness.Client{harness.ClientRaw, harness.ClientGozk, harness.ClientZkcurator}},
		res:     res,
		servers: []harness.ServerKind{harness.ServerReal, harness.ServerEmbedded},
		load:    [2]string{"0.1 0.2 0.3", "0.4 0.5 0.6"},
	}
	md := rep.markdown()
	for _, want := range []string{
		"cd bench && go run ./cmd/benchreport -rounds 3",
		"| real | Get | 64 | 9800 ±30% | 5000 ±30% | 10000 ±30% | 0.98 | 1.96 |",
		"### Client costs per op, real server",
		"| Get | 64 | 10000 | 20000 | 1000 | 0.50 | 1.00 | 1.00 | 1.00 |",
		"- zkcurator ≥ 0.95 × raw, real Get g=64: 0.98 — met",
		"- zkcurator ≥ 0.95 × raw, embedded Get g=64: 0.50 — **missed**",
		"- zkcurator CPU/op ≤ 1/3 × gozk, real Get g=64: 0.50 — **missed**",
		"- embedded ≥ 3 × real, pipelined Get g=64, raw client: 10.00 — met",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "Client costs per op, embedded server") {
		t.Error("report shows client costs for the in-process embedded server")
	}
}

// TestReportMarkdownAsync checks that the asynchronous variant gets its
// own ratio columns and target lines, next to the blocking calls'.
func TestReportMarkdownAsync(t *testing.T) {
	res := fakeResults(map[harness.ServerKind]map[harness.Client]float64{
		harness.ServerEmbeddedProc: {harness.ClientZkcurator: 7000, harness.ClientZkcuratorAsync: 9600, harness.ClientGozk: 5000, harness.ClientRaw: 10000},
	}, map[harness.Client]time.Duration{harness.ClientZkcurator: 6 * time.Microsecond, harness.ClientZkcuratorAsync: 4 * time.Microsecond,
		harness.ClientGozk: 20 * time.Microsecond, harness.ClientRaw: time.Microsecond})
	rep := report{
		cfg: config{rounds: 3, dur: time.Second, ops: []harness.Op{harness.OpGet}, gs: []int{64}, args: []string{"benchreport"},
			clients: []harness.Client{harness.ClientZkcurator, harness.ClientZkcuratorAsync, harness.ClientGozk, harness.ClientRaw}},
		res:     res,
		servers: []harness.ServerKind{harness.ServerEmbeddedProc},
	}
	md := rep.markdown()
	for _, want := range []string{
		"| zkcurator/raw | zkcurator/gozk | zkcurator-async/raw | zkcurator-async/gozk |",
		"| embedded-proc | Get | 64 | 7000 ±30% | 9600 ±30% | 5000 ±30% | 10000 ±30% | 0.70 | 1.40 | 0.96 | 1.92 |",
		"| Get | 64 | 6000 | 4000 | 20000 | 1000 | 0.30 | 0.20 |",
		"- zkcurator ≥ 0.95 × raw, embedded-proc Get g=64: 0.70 — **missed**",
		"- zkcurator-async ≥ 0.95 × raw, embedded-proc Get g=64: 0.96 — met",
		"- zkcurator-async CPU/op ≤ 1/3 × gozk, embedded-proc Get g=64: 0.20 — met",
		"- zkcurator-async CPU/op ≤ 0.25 × gozk (issue 15), embedded-proc Get g=64: 0.20 — met",
		"- zkcurator CPU/op ≤ 0.25 × gozk (issue 15), embedded-proc Get g=64: 0.30 — **missed**",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, string(harness.ClientRawDecode)) {
		t.Errorf("report shows raw-decode, which did not run:\n%s", md)
	}
}

// TestReportMarkdownBound checks that raw-decode, when it ran, gets its
// ratios to raw and gozk, a target line of its own (the bound) and the
// zkcurator variants' ratios to it; and that none of that appears when it
// did not run (TestReportMarkdownAsync).
func TestReportMarkdownBound(t *testing.T) {
	res := fakeResults(map[harness.ServerKind]map[harness.Client]float64{
		harness.ServerEmbeddedProc: {harness.ClientZkcurator: 7000, harness.ClientZkcuratorAsync: 8000, harness.ClientGozk: 5000,
			harness.ClientRaw: 10000, harness.ClientRawDecode: 9000, harness.ClientRawDecodeReuse: 9500},
	}, map[harness.Client]time.Duration{harness.ClientZkcurator: 6 * time.Microsecond, harness.ClientZkcuratorAsync: 4 * time.Microsecond,
		harness.ClientGozk: 20 * time.Microsecond, harness.ClientRaw: time.Microsecond, harness.ClientRawDecode: 2 * time.Microsecond,
		harness.ClientRawDecodeReuse: 1500 * time.Nanosecond})
	rep := report{
		cfg: config{rounds: 3, dur: time.Second, ops: []harness.Op{harness.OpGet}, gs: []int{64}, args: []string{"benchreport"},
			clients: harness.Clients},
		res:     res,
		servers: []harness.ServerKind{harness.ServerEmbeddedProc},
	}
	md := rep.markdown()
	for _, want := range []string{
		"| raw-decode/raw | raw-decode/gozk | raw-decode-reuse/raw | raw-decode-reuse/gozk | zkcurator/raw-decode | zkcurator-async/raw-decode |",
		"| 10000 ±30% | 9000 ±30% | 9500 ±30% | 0.70 | 1.40 | 0.80 | 1.60 | 0.90 | 1.80 | 0.95 | 1.90 | 0.78 | 0.89 |",
		"| Get | 64 | 6000 | 4000 | 20000 | 1000 | 2000 | 1500 | 0.30 | 0.20 | 0.10 | 0.07 |",
		"- bound: raw-decode (the raw loop that also decodes each reply and copies its data for the caller) ≥ 0.95 × raw, embedded-proc Get g=64: 0.90 — **missed**",
		"- zkcurator-async / raw-decode (distance from the bound), embedded-proc Get g=64: 0.89",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}
