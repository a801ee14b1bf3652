package retry

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// With the random source replaced, the sleeps follow Curator's formula
// base * max(1, nextInt(1 << (retryCount+1))) exactly.
func TestExponentialBackoffSeededSequence(t *testing.T) {
	var bounds []int
	draws := []int{0, 3, 6, 0, 31, 2}
	p := ExponentialBackoff(10*time.Millisecond, 6, 200*time.Millisecond).(*exponential)
	p.intN = func(n int) int {
		bounds = append(bounds, n)
		return draws[len(bounds)-1]
	}
	var sleeps []time.Duration
	for a := 1; a <= 7; a++ {
		s, ok := p.Next(a, 0)
		if !ok {
			break
		}
		sleeps = append(sleeps, s)
	}
	require.Equal(t, []int{2, 4, 8, 16, 32, 64}, bounds, "nextInt bound is 2^attempt")
	ms := time.Millisecond
	require.Equal(t, []time.Duration{10 * ms, 30 * ms, 60 * ms, 10 * ms, 200 * ms, 20 * ms}, sleeps,
		"0 counts as 1; 310ms is capped at 200ms")
}
