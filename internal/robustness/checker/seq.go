package checker

import (
	"fmt"
	"slices"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
)

// SeqCreates checks the sequential-create operations of a history against
// the nodes found on the server afterwards (data -> sequence number):
// every create that succeeded left its node with the sequence it
// returned; no two creates got one sequence; a create that returned
// before another was called got a lower sequence; every node on the
// server comes from a create that succeeded or whose outcome is unknown.
func SeqCreates(events []history.Event, server map[string]int64) (violations []string, created int) {
	var out []string
	calls := map[string]*op{}
	var okOps []*op
	bySeq := map[int64]*op{}
	for _, o := range ops(events) {
		if o.call.Op != "create" {
			continue
		}
		calls[o.call.Val] = o
		if !o.done || o.ret.Result != history.ResultOK {
			continue
		}
		okOps = append(okOps, o)
		if other := bySeq[o.ret.Seq]; other != nil {
			out = append(out, fmt.Sprintf("creates %q and %q both got sequence %d", other.call.Val, o.call.Val, o.ret.Seq))
		}
		bySeq[o.ret.Seq] = o
		seq, ok := server[o.call.Val]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("create %q succeeded with sequence %d but its node is gone", o.call.Val, o.ret.Seq))
		case seq != o.ret.Seq:
			out = append(out, fmt.Sprintf("create %q returned sequence %d but its node has %d", o.call.Val, o.ret.Seq, seq))
		}
	}
	for data := range server {
		o := calls[data]
		switch {
		case o == nil:
			out = append(out, fmt.Sprintf("node with data %q was never created by the workload", data))
		case o.done && o.ret.Result != history.ResultOK && o.ret.Result != history.ResultUnknown:
			out = append(out, fmt.Sprintf("create %q failed (%s) but its node exists", data, o.ret.Result))
		}
	}
	// Real-time order: sort by return; for each op, every op that returned
	// before it was called has a lower sequence.
	byRet := slices.Clone(okOps)
	slices.SortFunc(byRet, func(a, b *op) int { return cmp64(a.ret.T, b.ret.T) })
	byCall := slices.Clone(okOps)
	slices.SortFunc(byCall, func(a, b *op) int { return cmp64(a.call.T, b.call.T) })
	var maxSeq int64 = -1
	var maxOp *op
	i := 0
	for _, b := range byCall {
		for i < len(byRet) && byRet[i].ret.T < b.call.T {
			if byRet[i].ret.Seq > maxSeq {
				maxSeq, maxOp = byRet[i].ret.Seq, byRet[i]
			}
			i++
		}
		if maxOp != nil && b.ret.Seq <= maxSeq {
			out = append(out, fmt.Sprintf("create %q (seq %d) was called after %q (seq %d) returned but got a lower sequence",
				b.call.Val, b.ret.Seq, maxOp.call.Val, maxSeq))
		}
	}
	return out, len(okOps)
}
