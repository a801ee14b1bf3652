package harness

import (
	"bytes"
	"testing"
)

// The callback forms restore with the same packets as the channel forms:
// only how the client hands out events differs.
func TestWatchFuncKindsSameFrames(t *testing.T) {
	for _, p := range [][2]WatchKind{{WatchData, WatchDataFunc}, {WatchChild, WatchChildFunc},
		{WatchPersistent, WatchPersistentFunc}, {WatchRecursive, WatchRecursiveFunc}, {WatchMix, WatchMixFunc}} {
		a, b := setWatchesFrames(p[0], 12000), setWatchesFrames(p[1], 12000)
		if len(a) != len(b) || len(a) < 2 {
			t.Fatalf("%s: %d packets, %s: %d", p[0], len(a), p[1], len(b))
		}
		for i := range a {
			if !bytes.Equal(a[i], b[i]) {
				t.Fatalf("%s and %s differ in packet %d", p[0], p[1], i)
			}
		}
	}
	for i, want := range []WatchKind{WatchDataFunc, WatchChildFunc, WatchPersistentFunc, WatchRecursiveFunc, WatchDataFunc} {
		if got := watchKindOf(WatchMixFunc, i); got != want {
			t.Errorf("watchKindOf(mix-func, %d) = %s, want %s", i, got, want)
		}
	}
}
