// Package checker judges a recorded history of the robustness suite. Each
// check returns the violations it found as human-readable lines; an empty
// result means the promise held.
package checker

import (
	"fmt"
	"math"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
)

// Never is the end time of an operation whose outcome is unknown and of a
// hold that never ended.
const Never = int64(math.MaxInt64)

// op is one operation: its call and, if it returned, its return.
type op struct {
	client string
	call   history.Event
	ret    history.Event
	done   bool
}

// ops pairs calls with returns (by client and ID), in call order.
func ops(events []history.Event) []*op {
	var out []*op
	open := map[[2]string]*op{}
	for _, e := range events {
		k := [2]string{e.Client, fmt.Sprint(e.ID)}
		switch e.Kind {
		case history.Call:
			o := &op{client: e.Client, call: e}
			open[k] = o
			out = append(out, o)
		case history.Return:
			if o := open[k]; o != nil {
				o.ret, o.done = e, true
				delete(open, k)
			}
		}
	}
	return out
}

// unknown reports whether o's outcome is unknown.
func (o *op) unknown() bool { return !o.done || o.ret.Result == history.ResultUnknown }

// end is o's return time, Never when its outcome is unknown (it may take
// effect at any time after its call).
func (o *op) end() int64 {
	if o.unknown() {
		return Never
	}
	return o.ret.T
}

// Reported returns the violations the workloads reported themselves
// (unexpected errors, stuck barrier rounds), by checker name.
func Reported(events []history.Event) map[string][]string {
	out := map[string][]string{}
	for _, e := range events {
		if e.Kind == history.Violation {
			out[e.Op] = append(out[e.Op], fmt.Sprintf("%s: %s", e.Client, e.Val))
		}
	}
	return out
}

// ms formats a duration in nanoseconds as milliseconds.
func ms(ns int64) string { return fmt.Sprintf("%.1fms", float64(ns)/1e6) }
