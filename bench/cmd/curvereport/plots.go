package main

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// series is one line of a plot.
type series struct {
	name   string
	xs, ys []float64
}

// chart is one plot file.
type chart struct {
	file, title, xLabel, yLabel string
	logY                        bool
	lines                       []series
}

// writeChart saves c in dir (SVG or PNG by the file name) (x on a log scale: the sizes grow
// ten- or eight-fold) and reports whether it had anything to draw.
func writeChart(dir string, c chart) (bool, error) {
	p := plot.New()
	p.Title.Text = c.title
	p.X.Label.Text = c.xLabel
	p.Y.Label.Text = c.yLabel
	p.X.Scale = plot.LogScale{}
	var xticks []plot.Tick
	for _, s := range c.lines {
		for _, x := range s.xs {
			if !slices.ContainsFunc(xticks, func(t plot.Tick) bool { return t.Value == x }) {
				xticks = append(xticks, plot.Tick{Value: x, Label: strconv.FormatFloat(x, 'f', -1, 64)})
			}
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(xticks)
	if c.logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = ticks125{}
	}
	p.Legend.Top = true
	p.Legend.Left = true
	drawn := 0
	for i, s := range c.lines {
		pts := make(plotter.XYs, 0, len(s.xs))
		for j := range s.xs {
			if s.xs[j] > 0 && (!c.logY || s.ys[j] > 0) {
				pts = append(pts, plotter.XY{X: s.xs[j], Y: s.ys[j]})
			}
		}
		if len(pts) == 0 {
			continue
		}
		l, sc, err := plotter.NewLinePoints(pts)
		if err != nil {
			return false, fmt.Errorf("%s: %w", c.file, err)
		}
		l.Color = plotutil.Color(i)
		l.Dashes = plotutil.Dashes(i)
		sc.Color = plotutil.Color(i)
		sc.Shape = plotutil.Shape(i)
		p.Add(l, sc)
		p.Legend.Add(s.name, l, sc)
		drawn++
	}
	if drawn == 0 {
		return false, nil
	}
	if err := p.Save(6*vg.Inch, 4*vg.Inch, filepath.Join(dir, c.file)); err != nil {
		return false, fmt.Errorf("%s: %w", c.file, err)
	}
	return true, nil
}

// ticks125 marks a log axis at 1, 2 and 5 times each power of ten.
type ticks125 struct{}

// Ticks implements plot.Ticker.
func (ticks125) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
		for _, m := range []float64{1, 2, 5} {
			if v := m * math.Pow(10, e); v >= lo && v <= hi {
				ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
			}
		}
	}
	return ts
}

// writePlots writes every curve of res that was measured and returns the
// files written.
func writePlots(res *results, dir string) ([]string, error) {
	ext := "." + res.cfg.format
	var charts []chart
	for k, pts := range res.watchCurve {
		mem, restore, bound := series{name: "zkcurator, heap+stack per watch"}, series{name: "zkcurator restore"}, series{name: "raw bound"}
		for _, p := range pts {
			n := float64(p.n)
			mem.xs, mem.ys = append(mem.xs, n), append(mem.ys, p.mem.PerWatch())
			restore.xs, restore.ys = append(restore.xs, n), append(restore.ys, ms(medianDur(p.restore.Elapsed)))
			bound.xs, bound.ys = append(bound.xs, n), append(bound.ys, ms(medianDur(p.restore.Bound)))
		}
		charts = append(charts,
			chart{file: fmt.Sprintf("curve-watch-memory-%s"+ext, k), title: fmt.Sprintf("Bytes per registered watch (mix), %s", k),
				xLabel: "watches in the session", yLabel: "bytes per watch", lines: []series{mem}},
			chart{file: fmt.Sprintf("curve-watch-restore-%s"+ext, k), title: fmt.Sprintf("Watch restore after a cut connection, %s", k),
				xLabel: "watches in the session", yLabel: "ms to restored", logY: true, lines: []series{restore, bound}})
	}
	for k, rows := range res.sessions {
		byClient := map[string]*series{}
		var order []string
		for _, r := range rows {
			s := byClient[string(r.client)]
			if s == nil {
				s = &series{name: string(r.client)}
				byClient[string(r.client)] = s
				order = append(order, string(r.client))
			}
			s.xs, s.ys = append(s.xs, float64(r.s.N)), append(s.ys, r.s.HeapPerSession()/1024)
		}
		c := chart{file: fmt.Sprintf("curve-sessions-%s"+ext, k), title: fmt.Sprintf("Idle sessions in one process, %s", k),
			xLabel: "sessions", yLabel: "KiB per session (heap + stacks)"}
		for _, name := range order {
			c.lines = append(c.lines, *byClient[name])
		}
		charts = append(charts, c)
	}
	for k, rows := range res.locks {
		tp := chart{file: fmt.Sprintf("curve-lock-throughput-%s"+ext, k), title: fmt.Sprintf("One lock, n contenders: grants/s, %s", k),
			xLabel: "contenders", yLabel: "grants per second"}
		lat := chart{file: fmt.Sprintf("curve-lock-latency-%s"+ext, k), title: fmt.Sprintf("Hand-off latency, %s", k),
			xLabel: "contenders", yLabel: "ms (median of rounds)", logY: true}
		idx := map[string]int{}
		for _, r := range rows {
			name := string(r.client)
			i, ok := idx[name]
			if !ok {
				i = len(tp.lines)
				idx[name] = i
				tp.lines = append(tp.lines, series{name: name})
				lat.lines = append(lat.lines, series{name: name + " p50"}, series{name: name + " p99"})
			}
			cps, p50, p99 := r.medians()
			n := float64(r.n)
			tp.lines[i].xs, tp.lines[i].ys = append(tp.lines[i].xs, n), append(tp.lines[i].ys, cps)
			lat.lines[2*i].xs, lat.lines[2*i].ys = append(lat.lines[2*i].xs, n), append(lat.lines[2*i].ys, p50)
			lat.lines[2*i+1].xs, lat.lines[2*i+1].ys = append(lat.lines[2*i+1].xs, n), append(lat.lines[2*i+1].ys, p99)
		}
		charts = append(charts, tp, lat)
	}
	for k, rows := range res.cache {
		prime, heap, ev := series{name: "priming, s"}, series{name: "heap per node beyond data, B"}, series{name: "change events applied per s / 1000"}
		for _, r := range rows {
			n := float64(r.n)
			prime.xs, prime.ys = append(prime.xs, n), append(prime.ys, r.primed.Elapsed.Seconds())
			heap.xs, heap.ys = append(heap.xs, n), append(heap.ys, r.primed.OverheadPerNode())
			ev.xs, ev.ys = append(ev.xs, n), append(ev.ys, r.steady.EventsPerSec()/1000)
		}
		charts = append(charts, chart{file: fmt.Sprintf("curve-cache-%s"+ext, k), title: fmt.Sprintf("TreeCache, %s", k),
			xLabel: "nodes", yLabel: "(see legend)", logY: true, lines: []series{prime, heap, ev}})
	}
	if len(res.serverMem) > 0 {
		s := series{name: "embedded server, B per znode beyond its 1 KiB"}
		for _, m := range res.serverMem {
			s.xs, s.ys = append(s.xs, float64(m.Nodes)), append(s.ys, m.PerNode())
		}
		charts = append(charts, chart{file: "curve-server-memory" + ext, title: "Embedded server memory per znode",
			xLabel: "znodes", yLabel: "bytes per znode", lines: []series{s}})
	}
	var files []string
	for _, c := range charts {
		ok, err := writeChart(dir, c)
		if err != nil {
			return nil, err
		}
		if ok {
			files = append(files, c.file)
		}
	}
	return files, nil
}
