package harness

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	ServeIfChild()
	goleak.VerifyTestMain(m)
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestDrivers runs every client against the embedded servers, with counts
// that are not multiples of the goroutine count or of RawBatch.
func TestDrivers(t *testing.T) {
	for _, k := range []ServerKind{ServerEmbedded, ServerEmbeddedProc} {
		t.Run(string(k), func(t *testing.T) {
			ctx := testContext(t)
			srv, err := StartServer(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := srv.Close(); err != nil {
					t.Error(err)
				}
			})
			for _, c := range Clients {
				t.Run(string(c), func(t *testing.T) {
					d, err := Dial(ctx, c, srv.Addr)
					if err != nil {
						t.Fatal(err)
					}
					defer func() {
						if err := d.Close(); err != nil {
							t.Error(err)
						}
					}()
					for _, op := range []Op{OpGet, OpSet} {
						for _, g := range []int{1, 7, 64} {
							for _, n := range []int{0, 1, 130, 1000} {
								if err := d.Run(ctx, op, g, n); err != nil {
									t.Fatalf("%v g=%d n=%d: %v", op, g, n, err)
								}
							}
						}
					}
				})
			}
		})
	}
}

// TestRawDetectsErrors checks that the raw loop does not count error
// replies as operations: getData of a missing node fails.
func TestRawDetectsErrors(t *testing.T) {
	ctx := testContext(t)
	srv, err := StartServer(ctx, ServerEmbedded)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	r, err := DialRaw(ctx, srv.Addr, "/missing", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Run(ctx, OpGet, 64, 100); err == nil {
		t.Fatal("Run on a missing node succeeded")
	}
	if err := r.Run(ctx, OpGet, 1, 1); !errors.Is(err, errRawBroken) {
		t.Fatalf("Run after a failure: %v, want errRawBroken", err)
	}
}

func TestParallelSplitsExactly(t *testing.T) {
	for _, tc := range []struct{ g, n int }{{1, 0}, {1, 5}, {64, 1}, {64, 1000}, {3, 10}, {0, 4}} {
		var calls atomic.Int64
		err := parallel(context.Background(), tc.g, tc.n, func(context.Context) error {
			calls.Add(1)
			return nil
		})
		if err != nil || calls.Load() != int64(tc.n) {
			t.Errorf("g=%d n=%d: %d calls, err %v", tc.g, tc.n, calls.Load(), err)
		}
	}
}

func TestParallelStopsOnError(t *testing.T) {
	boom := errors.New("boom")
	var calls atomic.Int64
	err := parallel(context.Background(), 4, 1000, func(context.Context) error {
		calls.Add(1)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if calls.Load() > 4 {
		t.Fatalf("%d calls after errors, want at most one per goroutine", calls.Load())
	}
}

func TestNextXidWraps(t *testing.T) {
	r := &Raw{xid: math.MaxInt32}
	if x := r.nextXid(); x != math.MaxInt32 {
		t.Fatalf("nextXid = %d", x)
	}
	if x := r.nextXid(); x != 1 {
		t.Fatalf("nextXid after MaxInt32 = %d, want 1", x)
	}
	if nextOf(math.MaxInt32) != 1 || nextOf(5) != 6 {
		t.Fatal("nextOf does not wrap like nextXid")
	}
}

func TestResultPerOp(t *testing.T) {
	r := Result{N: 4, Elapsed: 2 * time.Second, Mallocs: 8,
		Counters: Counters{CPU: 400 * time.Nanosecond, CtxSwitch: 2, Reads: 3, Writes: 1}}
	if r.OpsPerSec() != 2 || r.CPUPerOp() != 100 || r.AllocsPerOp() != 2 || r.SyscallsPerOp() != 1 || r.CtxSwitchPerOp() != 0.5 {
		t.Fatalf("per-op figures wrong: %v %v %v %v %v", r.OpsPerSec(), r.CPUPerOp(), r.AllocsPerOp(), r.SyscallsPerOp(), r.CtxSwitchPerOp())
	}
	var zero Result
	if zero.OpsPerSec() != 0 || zero.CPUPerOp() != 0 {
		t.Fatal("zero Result does not give zeros")
	}
	if c := ReadCounters(); c.CPU <= 0 {
		t.Fatalf("ReadCounters: CPU %v, want > 0", c.CPU)
	}
}
