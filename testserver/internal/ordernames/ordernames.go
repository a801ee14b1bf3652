// Package ordernames makes the node names the child-order tests use:
// the testserver package's Java HashSet order tests and the conformance
// scenarios that compare raw child order with real ZooKeeper. Both must
// use the same names (the recorded JVM order is for these names), so
// they live here once.
package ordernames

import "fmt"

// Names returns n node names of mixed shapes: prefixes of recipes, a
// non-ASCII one, sequence-like suffixes; tag makes one call's names
// differ from another's.
func Names(n int, tag string) []string {
	pre := []string{"lock-", "_c_8f2e-latch-", "n", "Zebra", "q\u00fc", "member_", "x"}
	out := make([]string, 0, n)
	for i := range n {
		p := pre[i%len(pre)]
		if i%3 == 0 {
			out = append(out, fmt.Sprintf("%s%010d", p, i))
		} else {
			out = append(out, fmt.Sprintf("%s%s%d", p, tag, i))
		}
	}
	return out
}
