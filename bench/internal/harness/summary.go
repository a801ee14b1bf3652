package harness

import (
	"fmt"
	"slices"
	"strings"
)

// This file holds what the two report commands (cmd/benchreport and
// cmd/recipereport) share to parse their flags and summarise their runs.

// Stat is the median of one metric over a cell's runs, with its extremes.
// OK is false when the cell has no runs.
type Stat struct {
	Median, Min, Max float64
	OK               bool
}

// StatOf summarises v (not modified).
func StatOf(v []float64) Stat {
	if len(v) == 0 {
		return Stat{}
	}
	v = slices.Clone(v)
	slices.Sort(v)
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return Stat{Median: m, Min: v[0], Max: v[len(v)-1], OK: true}
}

// Spread formats the median with format, followed by the spread
// (max−min)/median in percent; "—" when there are no runs.
func (s Stat) Spread(format string) string {
	if !s.OK {
		return "—"
	}
	sp := 0.0
	if s.Median != 0 {
		sp = (s.Max - s.Min) / s.Median * 100
	}
	return fmt.Sprintf(format+" ±%.0f%%", s.Median, sp)
}

// Ratio is a/b of two medians; OK is false when either is missing.
type Ratio struct {
	V  float64
	OK bool
}

// RatioOf returns a's median over b's.
func RatioOf(a, b Stat) Ratio {
	if !a.OK || !b.OK || b.Median == 0 {
		return Ratio{}
	}
	return Ratio{V: a.Median / b.Median, OK: true}
}

func (r Ratio) String() string {
	if !r.OK {
		return "—"
	}
	return fmt.Sprintf("%.2f", r.V)
}

// Verdict says whether r meets a target: at least (atLeast) or at most.
func (r Ratio) Verdict(target float64, atLeast bool) string {
	return Verdict(r.V, r.OK, target, atLeast)
}

// Verdict says whether v meets a target: at least (atLeast) or at most;
// "not measured" when !ok.
func Verdict(v float64, ok bool, target float64, atLeast bool) string {
	if !ok {
		return "not measured"
	}
	if (atLeast && v >= target) || (!atLeast && v <= target) {
		return "met"
	}
	return "**missed**"
}

// SplitList splits a comma-separated flag value, dropping empty items.
func SplitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// ParseServers parses a -servers flag value: a comma-separated list of
// ServerKinds.
func ParseServers(list string) ([]ServerKind, error) {
	var out []ServerKind
	for _, s := range SplitList(list) {
		k := ServerKind(s)
		if !slices.Contains(Servers, k) {
			return nil, fmt.Errorf("unknown server %q", s)
		}
		out = append(out, k)
	}
	return out, nil
}
