package checker_test

import (
	"fmt"
	"time"

	"github.com/zkcurator/zkcurator/internal/robustness/checker"
	"github.com/zkcurator/zkcurator/internal/robustness/history"
)

// A register history where a read after a completed set still sees the
// old value is not linearizable.
func ExampleRegisters() {
	ms := func(n int64) int64 { return n * int64(time.Millisecond) }
	events := []history.Event{
		{T: ms(0), Kind: history.Call, Client: "a", ID: 1, Op: "set", Key: "/r", Val: "x", Expect: -1},
		{T: ms(10), Kind: history.Return, Client: "a", ID: 1, Result: history.ResultOK, Ver: 1},
		{T: ms(20), Kind: history.Call, Client: "b", ID: 1, Op: "read", Key: "/r"},
		{T: ms(30), Kind: history.Return, Client: "b", ID: 1, Result: history.ResultOK, Val: "", Ver: 0},
	}
	violations, checked, _ := checker.Registers(events, "", 10*time.Second)
	fmt.Println(checked, violations)
	// Output: 2 [register history of 2 ops is not linearizable]
}

// Two exclusive holds of one lock that overlap are a violation.
func ExampleMutualExclusion() {
	events := []history.Event{
		{T: 0, Kind: history.Acquire, Client: "a", ID: 1, Key: "/lock", Mode: "exclusive", Token: 7},
		{T: 5e6, Kind: history.Acquire, Client: "b", ID: 1, Key: "/lock", Mode: "exclusive", Token: 8},
		{T: 9e6, Kind: history.Release, Client: "a", ID: 1},
		{T: 12e6, Kind: history.Release, Client: "b", ID: 1},
	}
	for _, v := range checker.MutualExclusion(checker.Holds(events, 20e6), 1) {
		fmt.Println(v)
	}
	// Output: /lock: a#1 exclusive token 7 and b#1 exclusive token 8 were live together for 4.0ms (from 5.0ms after the first began)
}
