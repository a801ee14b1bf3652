// Package seqnode is the sequential-node machinery shared by zkcurator's
// lock and election recipes, with Apache Curator's semantics and node
// layout: each participant creates a protected ephemeral-sequential node
// ("_c_<uuid>-<lockName><seq10>") under the recipe path; participants are
// ordered by the text after the last occurrence of the lock name (never by
// the full name, whose protection prefix is random); a participant that
// does not hold yet waits for the deletion of one chosen sibling with a
// getData watch; and a participant that holds gets a Hold whose context is
// cancelled the moment holding is no longer safe.
//
// A recipe combines these pieces:
//
//	n, err := seqnode.CreateDetached(ctx, c, path, "lock-", nil) // Create, safe to cancel
//	h, err := seqnode.AwaitHold(ctx, c, n, seqnode.ByLockName("lock-"), seqnode.Standard(1), nil, nil)
//	// (Await, then StartHold, which checks ephemeralOwner == current session)
//	<-h.Context().Done() // held until this
//	seqnode.Discard(ctx, c, n.Path) // guaranteed delete
//
// A leader latch is the same with lock name "latch-" and the participant
// id as data.
package seqnode

import (
	"cmp"
	"slices"
	"strings"
)

// Sequence returns the sort key of a child node name for lockName: the
// text after the last occurrence of lockName, or the whole name when
// lockName does not occur (Curator's StandardLockInternalsDriver
// fixForSorting). For "_c_<uuid>-lock-0000000007" and "lock-" it is
// "0000000007".
func Sequence(name, lockName string) string {
	i := strings.LastIndex(name, lockName)
	if i < 0 || lockName == "" {
		return name
	}
	return name[i+len(lockName):]
}

// Sorter maps a child node name to the key participants are ordered by.
type Sorter func(name string) string

// ByLockName returns the Sorter that applies Sequence for each lock name in
// turn, as Curator does for a read-write lock ("__READ__" then "__WRIT__"),
// so that nodes of several lock names under one parent share one order.
func ByLockName(lockNames ...string) Sorter {
	names := slices.Clone(lockNames)
	return func(name string) string {
		for _, ln := range names {
			name = Sequence(name, ln)
		}
		return name
	}
}

// Sort orders children by key, in place. Names with equal keys (which a
// ZooKeeper parent never produces for sequential nodes) are ordered by the
// full name so the order is deterministic.
func Sort(children []string, key Sorter) {
	slices.SortFunc(children, func(a, b string) int {
		if c := cmp.Compare(key(a), key(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
}

// Index returns the position of name in children, or -1.
func Index(children []string, name string) int {
	return slices.Index(children, name)
}

// Decide reports, from the sorted children and the index of our node in
// them, whether our node holds; when it does not, watch names the sibling
// whose deletion (or change) to wait for before deciding again.
type Decide func(sorted []string, ourIndex int) (holds bool, watch string)

// Standard is Curator's standard predicate for maxLeases concurrent
// holders: our node holds when fewer than maxLeases nodes precede it;
// otherwise it waits for the node maxLeases places before it (for a mutex,
// maxLeases = 1: the immediate predecessor). maxLeases below 1 counts as 1.
func Standard(maxLeases int) Decide {
	if maxLeases < 1 {
		maxLeases = 1
	}
	return func(sorted []string, ourIndex int) (bool, string) {
		if ourIndex < maxLeases {
			return true, ""
		}
		return false, sorted[ourIndex-maxLeases]
	}
}

// predecessor returns the node just before name in sorted children, and
// false when name is first or absent.
func predecessor(sorted []string, name string) (string, bool) {
	i := Index(sorted, name)
	if i <= 0 {
		return "", false
	}
	return sorted[i-1], true
}
