package checker

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
)

// regState is a register's state in the model: the znode's data and
// version.
type regState struct {
	Val string
	Ver int32
}

type regInput struct {
	Op     string
	Key    string
	Val    string
	Expect int32
}

type regOutput struct {
	Result string
	Val    string
	Ver    int32
}

// RegisterModel is the porcupine model of one znode register: reads
// (after a Sync) return the current data and version; a set makes the
// version one higher; a compare-and-set (also inside a Multi) applies only
// at the expected version and fails with BadVersion otherwise. An
// operation with an unknown outcome may apply or not.
var RegisterModel = porcupine.Model{
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		by := map[string][]porcupine.Operation{}
		var keys []string
		for _, o := range h {
			k := o.Input.(regInput).Key
			if _, ok := by[k]; !ok {
				keys = append(keys, k)
			}
			by[k] = append(by[k], o)
		}
		out := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			out = append(out, by[k])
		}
		return out
	},
	Init: func() any { return regState{} },
	Step: func(state, input, output any) (bool, any) {
		s, in, out := state.(regState), input.(regInput), output.(regOutput)
		next := regState{Val: in.Val, Ver: s.Ver + 1}
		switch in.Op {
		case "read":
			return out.Val == s.Val && out.Ver == s.Ver, s
		case "set":
			if out.Result == history.ResultUnknown {
				return true, next
			}
			return out.Result == history.ResultOK && out.Ver == next.Ver, next
		default: // cas, multi
			match := s.Ver == in.Expect
			switch out.Result {
			case history.ResultUnknown:
				if match {
					return true, next
				}
				return true, s
			case history.ResultOK:
				return match && out.Ver == next.Ver, next
			case history.ResultBadVersion:
				return !match, s
			}
			return false, s
		}
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(regInput), output.(regOutput)
		switch in.Op {
		case "read":
			return fmt.Sprintf("read() -> %q v%d", out.Val, out.Ver)
		case "set":
			return fmt.Sprintf("set(%q) -> %s v%d", in.Val, out.Result, out.Ver)
		}
		return fmt.Sprintf("%s(%q, v%d) -> %s v%d", in.Op, in.Val, in.Expect, out.Result, out.Ver)
	},
	DescribeState: func(state any) string {
		s := state.(regState)
		return fmt.Sprintf("%q v%d", s.Val, s.Ver)
	},
}

// RegisterOps turns the register calls and returns of a history into
// porcupine operations. Reads that failed are left out (they saw
// nothing); writes that surely failed are left out (no effect). A write
// whose outcome is unknown stays open until the first read that saw its
// value returned (values are unique, so it took effect before that), or
// until the end of time when no read saw it: fewer open operations keep
// the check of a long history fast.
func RegisterOps(events []history.Event) []porcupine.Operation {
	clients := map[string]int{}
	var out []porcupine.Operation
	all := ops(events)
	seenBy := map[[2]string]int64{} // key, value -> earliest return of a read that saw it
	for _, o := range all {
		if o.call.Op == "read" && o.done && o.ret.Result == history.ResultOK {
			k := [2]string{o.call.Key, o.ret.Val}
			if t, ok := seenBy[k]; !ok || o.ret.T < t {
				seenBy[k] = o.ret.T
			}
		}
	}
	for _, o := range all {
		switch o.call.Op {
		case "read", "set", "cas", "multi":
		default:
			continue
		}
		res := history.ResultUnknown
		if o.done {
			res = o.ret.Result
		}
		if res == history.ResultFailed || (o.call.Op == "read" && res != history.ResultOK) {
			continue
		}
		id, ok := clients[o.client]
		if !ok {
			id = len(clients)
			clients[o.client] = id
		}
		end := o.end()
		if t, ok := seenBy[[2]string{o.call.Key, o.call.Val}]; ok && o.call.Op != "read" && end == Never && t >= o.call.T {
			end = t
		}
		out = append(out, porcupine.Operation{
			ClientId: id,
			Input:    regInput{Op: o.call.Op, Key: o.call.Key, Val: o.call.Val, Expect: o.call.Expect},
			Call:     o.call.T,
			Output:   regOutput{Result: res, Val: o.ret.Val, Ver: o.ret.Ver},
			Return:   end,
		})
	}
	return out
}

// Registers checks the register operations of a history for
// linearizability within timeout. When they are not linearizable it
// writes porcupine's visualization to dir/registers.html (dir is created;
// "" writes none) and names the file in the violation. It also returns the number of operations checked; a
// check that timed out is reported in note, not as a violation.
func Registers(events []history.Event, dir string, timeout time.Duration) (violations []string, checked int, note string) {
	h := RegisterOps(events)
	if len(h) == 0 {
		return nil, 0, ""
	}
	res, info := porcupine.CheckOperationsVerbose(RegisterModel, h, timeout)
	switch res {
	case porcupine.Ok:
		return nil, len(h), ""
	case porcupine.Unknown:
		return nil, len(h), fmt.Sprintf("linearizability check of %d register ops timed out after %v", len(h), timeout)
	}
	v := fmt.Sprintf("register history of %d ops is not linearizable", len(h))
	if dir != "" {
		file := filepath.Join(dir, "registers.html")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			v += fmt.Sprintf(" (visualization failed: %v)", err)
		} else if err := porcupine.VisualizePath(RegisterModel, info, file); err != nil {
			v += fmt.Sprintf(" (visualization failed: %v)", err)
		} else {
			v += "; visualization: " + file
		}
	}
	return []string{v}, len(h), ""
}
