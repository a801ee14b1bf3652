package testserver

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/testserver/internal/ordernames"
)

// The histories below are those of testdata/javaset/Order.java; order.txt
// is that program's output on OpenJDK 17 (the JVM the real ZooKeeper runs
// on here). TestJavaSetOrderMatchesJVM re-runs it when a JVM is wanted.

// goOrders runs the histories on javaSet and renders them as Order.java
// prints them.
func goOrders() string {
	var b strings.Builder
	print := func(name string, keys []string) { fmt.Fprintf(&b, "%s\t%s\n", name, strings.Join(keys, ",")) }

	s := newJavaSet(8)
	names := ordernames.Names(100, "k")
	for _, n := range names {
		s.Add(n)
	}
	for i := 0; i < len(names); i += 3 {
		s.Remove(names[i])
	}
	for _, n := range ordernames.Names(30, "m") {
		s.Add(n)
	}
	print("history", s.List())

	c := newJavaSet(8)
	parts := []string{"Aa", "BB"}
	for m := range 11 {
		var k strings.Builder
		for j := range 4 {
			k.WriteString(parts[(m>>j)&1])
		}
		c.Add(k.String())
	}
	c.Add("a")
	c.Add("b")
	c.Add("zz")
	print("collide", c.List())

	e := newJavaSet(0)
	var paths []string
	for _, n := range ordernames.Names(40, "e") {
		paths = append(paths, "/conf-x/"+n)
	}
	for _, p := range paths {
		e.Add(p)
	}
	for _, p := range paths[:30] {
		e.Remove(p)
	}
	print("eph", e.List())
	print("ephclone", e.Clone().List())

	r := newJavaSet(8)
	for _, n := range ordernames.Names(50, "r") {
		r.Add(n)
	}
	for _, n := range ordernames.Names(50, "r") {
		r.Remove(n)
	}
	for _, n := range ordernames.Names(6, "s") {
		r.Add(n)
	}
	print("refill", r.List())

	var pool []string
	for _, pr := range [][2]string{{"Aa", "BB"}, {"Ca", "DB"}} {
		for m := range 64 {
			var k strings.Builder
			for j := range 6 {
				k.WriteString(pr[(m>>j)&1])
			}
			pool = append(pool, k.String())
		}
	}
	for i := range 40 {
		pool = append(pool, fmt.Sprintf("n%d", i))
	}
	t := newJavaSet(8)
	x := int64(42)
	for op := 1; op <= 3000; op++ {
		x = (x*1103515245 + 12345) & 0x7fffffff
		key := pool[(x>>8)%int64(len(pool))]
		if (x>>4)&3 == 0 {
			t.Remove(key)
		} else {
			t.Add(key)
		}
		if op%250 == 0 {
			print(fmt.Sprintf("rand%d", op), t.List())
			print(fmt.Sprintf("randclone%d", op), t.Clone().List())
		}
	}
	return b.String()
}

func TestJavaSetOrder(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("testdata", "javaset", "order.txt"))
	require.NoError(t, err)
	require.Equal(t, string(want), goOrders())
}

// TestJavaSetOrderMatchesJVM runs Order.java on the installed JVM
// (ZKCURATOR_REAL_ZK=1, where a missing java fails the test) and compares
// its output with javaSet's. (zktest cannot be imported here: it imports
// this package.)
func TestJavaSetOrderMatchesJVM(t *testing.T) {
	if os.Getenv("ZKCURATOR_REAL_ZK") != "1" {
		t.Skip("needs a JVM: set ZKCURATOR_REAL_ZK=1")
	}
	java, err := exec.LookPath("java")
	require.NoError(t, err, "java not installed")
	out, err := exec.Command(java, filepath.Join("testdata", "javaset", "Order.java")).Output()
	require.NoError(t, err)
	require.Equal(t, string(out), goOrders())
}

func TestJavaSetBasics(t *testing.T) {
	var nilSet *javaSet
	require.Zero(t, nilSet.Len())
	require.False(t, nilSet.Has("a"))
	require.False(t, nilSet.Remove("a"))
	require.Empty(t, nilSet.List())
	require.Empty(t, nilSet.Clone().List())

	s := newJavaSet(8)
	require.True(t, s.Add("a"))
	require.False(t, s.Add("a"))
	require.True(t, s.Has("a"))
	require.Equal(t, 1, s.Len())
	require.True(t, s.Remove("a"))
	require.False(t, s.Remove("a"))
	require.Zero(t, s.Len())
}

// TestJavaSetInvariants drives javaSet through a long random history over
// heavily colliding names (tree bins growing, splitting and shrinking) and
// checks it against a Go map after every step.
func TestJavaSetInvariants(t *testing.T) {
	pool := collidingPool(8) // 256 names with one hash, 256 with another
	for i := range 100 {
		pool = append(pool, fmt.Sprintf("k%d", i))
	}
	s := newJavaSet(8)
	ref := map[string]bool{}
	x := uint64(7)
	for op := range 20000 {
		x = x*6364136223846793005 + 1442695040888963407
		key := pool[(x>>33)%uint64(len(pool))]
		if (x>>20)%3 == 0 {
			require.Equal(t, ref[key], s.Remove(key), "op %d remove %s", op, key)
			delete(ref, key)
		} else {
			require.Equal(t, !ref[key], s.Add(key), "op %d add %s", op, key)
			ref[key] = true
		}
		require.Equal(t, len(ref), s.Len())
		if op%500 == 0 {
			list := s.List()
			require.Len(t, list, len(ref))
			seen := map[string]bool{}
			for _, k := range list {
				require.True(t, ref[k], "listed %s", k)
				require.False(t, seen[k], "listed twice %s", k)
				seen[k] = true
				require.True(t, s.Has(k))
			}
			require.ElementsMatch(t, list, s.Clone().List())
		}
	}
}

func collidingPool(k int) []string {
	var pool []string
	for _, pr := range [][2]string{{"Aa", "BB"}, {"Ca", "DB"}} {
		for m := range 1 << k {
			var b strings.Builder
			for j := range k {
				b.WriteString(pr[(m>>j)&1])
			}
			pool = append(pool, b.String())
		}
	}
	return pool
}
