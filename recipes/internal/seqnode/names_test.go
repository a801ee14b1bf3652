package seqnode

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSequence(t *testing.T) {
	for _, tc := range []struct{ name, lock, want string }{
		{"_c_6f1c9a4e-0b7d-4a55-9d9e-1b2c3d4e5f60-lock-0000000007", "lock-", "0000000007"},
		{"lock-0000000012", "lock-", "0000000012"},
		{"_c_a-lock-x-lock-0000000003", "lock-", "0000000003"}, // last occurrence
		{"other-0000000001", "lock-", "other-0000000001"},      // not found: whole name
		{"x-lock-", "lock-", ""},
		{"anything", "", "anything"},
	} {
		require.Equal(t, tc.want, Sequence(tc.name, tc.lock), "%s / %s", tc.name, tc.lock)
	}
}

func TestSortByLockNameIgnoresProtectionPrefix(t *testing.T) {
	// UUIDs chosen so that sorting by full name gives the wrong order.
	want := []string{
		"_c_ffffffff-0000-4000-8000-000000000000-lock-0000000001",
		"_c_eeeeeeee-0000-4000-8000-000000000000-lock-0000000002",
		"_c_00000000-0000-4000-8000-000000000000-lock-0000000003",
		"lock-0000000004", // an unprotected node (older clients)
		"_c_aaaaaaaa-0000-4000-8000-000000000000-lock-0000000005",
	}
	got := append([]string(nil), want...)
	for range 20 {
		rand.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
		Sort(got, ByLockName("lock-"))
		require.Equal(t, want, got)
	}
}

func TestSortReadWriteNames(t *testing.T) {
	want := []string{
		"_c_9-__WRIT__0000000000",
		"_c_1-__READ__0000000001",
		"_c_8-__READ__0000000002",
		"_c_0-__WRIT__0000000003",
	}
	got := []string{want[3], want[1], want[0], want[2]}
	Sort(got, ByLockName("__READ__", "__WRIT__"))
	require.Equal(t, want, got)
}

func TestStandardAndPredecessor(t *testing.T) {
	sorted := []string{"a-lock-0000000001", "b-lock-0000000002", "c-lock-0000000003"}
	mutex := Standard(1)
	holds, watch := mutex(sorted, 0)
	require.True(t, holds)
	require.Empty(t, watch)
	holds, watch = mutex(sorted, 2)
	require.False(t, holds)
	require.Equal(t, "b-lock-0000000002", watch, "a waiter watches only its immediate predecessor")

	two := Standard(2)
	holds, _ = two(sorted, 1)
	require.True(t, holds)
	holds, watch = two(sorted, 2)
	require.False(t, holds)
	require.Equal(t, "a-lock-0000000001", watch)

	holds, _ = Standard(0)(sorted, 0) // below 1 counts as 1
	require.True(t, holds)

	p, ok := predecessor(sorted, "c-lock-0000000003")
	require.True(t, ok)
	require.Equal(t, "b-lock-0000000002", p)
	_, ok = predecessor(sorted, "a-lock-0000000001")
	require.False(t, ok)
	_, ok = predecessor(sorted, "missing")
	require.False(t, ok)
	require.Equal(t, -1, Index(sorted, "missing"))
}

func TestPaths(t *testing.T) {
	n := &Node{Path: "/a/b/c"}
	require.Equal(t, "/a/b", n.Parent())
	require.Equal(t, "/", (&Node{Path: "/c"}).Parent())
}
