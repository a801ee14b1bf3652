package main

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"
)

// metric is one figure of a run, kept in curves.json so the next run can
// flag regressions.
type metric struct {
	Name           string  `json:"name"`
	Value          float64 `json:"value"`
	Unit           string  `json:"unit,omitempty"`
	HigherIsBetter bool    `json:"higher_is_better,omitempty"`
}

// snapshot is curves.json.
type snapshot struct {
	Generated time.Time `json:"generated"`
	Command   string    `json:"command"`
	Load      [2]string `json:"load"`
	Metrics   []metric  `json:"metrics"`
}

// regressionTolerance is how much worse than the previous run a figure
// may be before it is flagged: runs on this shared 2-core machine vary by
// ±20–40 % from one to the next.
const regressionTolerance = 0.25

// change is one figure compared with the previous run.
type change struct {
	metric
	prev  float64
	ratio float64 // worse-is-bigger: new/prev for lower-is-better figures, prev/new otherwise
}

// regressed reports whether the figure got worse beyond the tolerance.
func (c change) regressed() bool { return c.ratio > 1+regressionTolerance }

func readSnapshot(path string) (*snapshot, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &s, nil
}

// writeSnapshot writes this run's figures to path, followed by the figures
// of prev (if not nil) this run did not measure, so that a partial run
// (-parts locks) keeps the others for the next comparison.
func writeSnapshot(path string, res *results, prev *snapshot) error {
	metrics := slices.Clone(res.metrics)
	if prev != nil {
		for _, m := range prev.Metrics {
			if !slices.ContainsFunc(res.metrics, func(x metric) bool { return x.Name == m.Name }) {
				metrics = append(metrics, m)
			}
		}
	}
	s := snapshot{Generated: res.start.UTC().Truncate(time.Second), Command: commandLine(res.cfg),
		Load: res.load, Metrics: metrics}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// comparison is this run against the previous one.
type comparison struct {
	prev    *snapshot
	changes []change // figures present in both runs
}

// compare matches this run's figures with prev's by name.
func compare(prev *snapshot, cur []metric) comparison {
	cmp := comparison{prev: prev}
	if prev == nil {
		return cmp
	}
	old := map[string]float64{}
	for _, m := range prev.Metrics {
		old[m.Name] = m.Value
	}
	for _, m := range cur {
		p, ok := old[m.Name]
		if !ok || p <= 0 || m.Value <= 0 {
			continue
		}
		c := change{metric: m, prev: p, ratio: m.Value / p}
		if m.HigherIsBetter {
			c.ratio = p / m.Value
		}
		cmp.changes = append(cmp.changes, c)
	}
	return cmp
}
