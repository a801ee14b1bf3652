package pause

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestWaitSleepsThenReportsLive(t *testing.T) {
	p := New()
	start := time.Now()
	require.True(t, p.Wait(context.Background()))
	require.Greater(t, time.Since(start), time.Millisecond, "it paused")
	p.Reset()
	require.True(t, p.Wait(context.Background()))
}

func TestWaitEndsWithTheContext(t *testing.T) {
	p := New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.False(t, p.Wait(ctx))
}

func TestPausesGrowUpToTwoSeconds(t *testing.T) {
	p := New()
	var last time.Duration
	for range 40 {
		last = p.b.NextBackOff()
		require.LessOrEqual(t, last, 3*time.Second, "2s plus randomization")
	}
	require.Greater(t, last, 500*time.Millisecond)
	p.Reset()
	require.Less(t, p.b.NextBackOff(), 100*time.Millisecond)
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestDoublingHasNoJitterAndResets(t *testing.T) {
	p := Doubling(10*time.Millisecond, 40*time.Millisecond)
	var got []time.Duration
	for range 4 {
		got = append(got, p.b.NextBackOff())
	}
	require.Equal(t, []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond}, got)
	p.Reset()
	require.Equal(t, 10*time.Millisecond, p.b.NextBackOff())
}
