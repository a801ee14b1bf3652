package main

import (
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/zkcurator/zkcurator/bench/internal/harness"
)

func TestCompareFlagsRegressions(t *testing.T) {
	prev := &snapshot{Metrics: []metric{
		{Name: "bytes", Value: 100},
		{Name: "rate", Value: 1000, HigherIsBetter: true},
		{Name: "steady", Value: 50},
		{Name: "gone", Value: 1},
	}}
	cmp := compare(prev, []metric{
		{Name: "bytes", Value: 130},                      // 30 % more: regressed
		{Name: "rate", Value: 700, HigherIsBetter: true}, // 1/0.7 = 1.43: regressed
		{Name: "steady", Value: 55},                      // within tolerance
		{Name: "new", Value: 3},                          // nothing to compare with
	})
	got := map[string]bool{}
	for _, c := range cmp.changes {
		got[c.Name] = c.regressed()
	}
	want := map[string]bool{"bytes": true, "rate": true, "steady": false}
	if !maps.Equal(got, want) {
		t.Fatalf("regressed = %v, want %v", got, want)
	}
	if c := compare(nil, []metric{{Name: "x", Value: 1}}); len(c.changes) != 0 {
		t.Fatalf("no previous run, but changes %v", c.changes)
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "curves.json")
	res := &results{metrics: []metric{{Name: "a", Value: 1.5, Unit: "B"}}}
	if err := writeSnapshot(path, res, nil); err != nil {
		t.Fatal(err)
	}
	s, err := readSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Metrics, res.metrics) {
		t.Fatalf("read %v, wrote %v", s.Metrics, res.metrics)
	}

	// A partial run keeps the figures it did not measure.
	res2 := &results{metrics: []metric{{Name: "a", Value: 2}}}
	prev := &snapshot{Metrics: []metric{{Name: "a", Value: 1.5}, {Name: "b", Value: 7}}}
	if err := writeSnapshot(path, res2, prev); err != nil {
		t.Fatal(err)
	}
	if s, err = readSnapshot(path); err != nil {
		t.Fatal(err)
	}
	want := []metric{{Name: "a", Value: 2}, {Name: "b", Value: 7}}
	if !slices.Equal(s.Metrics, want) {
		t.Fatalf("read %v, want %v", s.Metrics, want)
	}
}

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-parts", "locks,cache", "-contenders", "1,8", "-cache-sizes", "1000"})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.parts["locks"] || cfg.parts["watches"] || !slices.Equal(cfg.contenders, []int{1, 8}) || !slices.Equal(cfg.cacheSizes, []int{1000}) {
		t.Fatalf("parsed %+v", cfg)
	}
	if !slices.Equal(cfg.watchKinds, harness.WatchKinds) {
		t.Fatalf("default watch kinds %v", cfg.watchKinds)
	}
	cfg, err = parseFlags([]string{"-watch-kinds", "data-func,mix"})
	if err != nil || !slices.Equal(cfg.watchKinds, []harness.WatchKind{harness.WatchDataFunc, harness.WatchMix}) {
		t.Fatalf("-watch-kinds: %v, %v", cfg.watchKinds, err)
	}
	for _, bad := range [][]string{{"-parts", "nope"}, {"-contenders", "0"}, {"-rounds", "0"}, {"-servers", "x"}, {"-watch-kinds", "nope"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) succeeded", bad)
		}
	}
}
