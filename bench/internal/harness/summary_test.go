package harness

import (
	"slices"
	"strings"
	"testing"
)

func TestStatOf(t *testing.T) {
	if StatOf(nil).OK {
		t.Error("no runs: OK")
	}
	v := []float64{4, 1, 3, 2}
	if s := StatOf(v); s != (Stat{Median: 2.5, Min: 1, Max: 4, OK: true}) {
		t.Errorf("StatOf = %+v", s)
	}
	if !slices.Equal(v, []float64{4, 1, 3, 2}) {
		t.Errorf("input changed: %v", v)
	}
	if m := StatOf([]float64{5, 1, 3}).Median; m != 3 {
		t.Errorf("odd median = %v", m)
	}
	if s := StatOf(v).Spread("%.1f"); s != "2.5 ±120%" {
		t.Errorf("Spread = %q", s)
	}
	if s := (Stat{}).Spread("%.0f"); s != "—" {
		t.Errorf("empty Spread = %q", s)
	}
}

func TestRatioVerdict(t *testing.T) {
	for _, c := range []struct {
		r       Ratio
		target  float64
		atLeast bool
		want    string
	}{
		{Ratio{}, 1, true, "not measured"},
		{Ratio{V: 0.3, OK: true}, 1.0 / 3, false, "met"},
		{Ratio{V: 2.9, OK: true}, 3, true, "**missed**"},
	} {
		if v := c.r.Verdict(c.target, c.atLeast); v != c.want {
			t.Errorf("%+v.Verdict(%v, %v) = %q, want %q", c.r, c.target, c.atLeast, v, c.want)
		}
	}
	if r := RatioOf(Stat{Median: 3, OK: true}, Stat{Median: 2, OK: true}); r.String() != "1.50" {
		t.Errorf("RatioOf = %v", r)
	}
	if r := RatioOf(Stat{Median: 3, OK: true}, Stat{}); r.OK || r.String() != "—" {
		t.Errorf("RatioOf with a missing side = %+v", r)
	}
}

func TestParseServers(t *testing.T) {
	ks, err := ParseServers(" real, ,embedded ")
	if err != nil || !slices.Equal(ks, []ServerKind{ServerReal, ServerEmbedded}) {
		t.Errorf("ParseServers = %v, %v", ks, err)
	}
	if _, err := ParseServers("real,nope"); err == nil || !strings.Contains(err.Error(), `unknown server "nope"`) {
		t.Errorf("unknown server: %v", err)
	}
	if l := SplitList(" , "); len(l) != 0 {
		t.Errorf("SplitList = %q", l)
	}
}
