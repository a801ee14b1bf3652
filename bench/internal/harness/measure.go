package harness

import (
	"bufio"
	"context"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Result is one measured run.
type Result struct {
	N        int           // operations
	Elapsed  time.Duration // wall time
	Mallocs  uint64        // heap allocations in the whole process
	Counters               // process-wide system counters (differences)
}

// Counters are process-wide system counters: everything the process does,
// including an in-process server.
type Counters struct {
	CPU       time.Duration // user+sys CPU time
	CtxSwitch int64         // voluntary + involuntary context switches
	Reads     int64         // read-like system calls (/proc/self/io syscr)
	Writes    int64         // write-like system calls (/proc/self/io syscw)
}

// ReadCounters returns the process's counters so far. Fields that cannot be
// read are zero.
func ReadCounters() Counters {
	var c Counters
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		c.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		c.CtxSwitch = int64(ru.Nvcsw + ru.Nivcsw)
	}
	f, err := os.Open("/proc/self/io")
	if err != nil {
		return c
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		switch k {
		case "syscr":
			c.Reads = n
		case "syscw":
			c.Writes = n
		}
	}
	return c
}

// Sub returns c - o.
func (c Counters) Sub(o Counters) Counters {
	return Counters{CPU: c.CPU - o.CPU, CtxSwitch: c.CtxSwitch - o.CtxSwitch, Reads: c.Reads - o.Reads, Writes: c.Writes - o.Writes}
}

// perOp divides v by n (0 when n is 0).
func perOp(v float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return v / float64(n)
}

// CtxSwitchPerOp is the process's context switches per operation.
func (r Result) CtxSwitchPerOp() float64 { return perOp(float64(r.CtxSwitch), r.N) }

// SyscallsPerOp is the process's read-like plus write-like system calls per
// operation (epoll and futex calls are not counted).
func (r Result) SyscallsPerOp() float64 { return perOp(float64(r.Reads+r.Writes), r.N) }

// OpsPerSec is the throughput.
func (r Result) OpsPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.N) / r.Elapsed.Seconds()
}

// CPUPerOp is the process CPU time per operation in nanoseconds. It
// includes everything the process runs: with the embedded server, the
// server's CPU too.
func (r Result) CPUPerOp() float64 { return perOp(float64(r.CPU.Nanoseconds()), r.N) }

// AllocsPerOp is the number of heap allocations per operation, process
// wide (with the embedded server, the server's allocations too).
func (r Result) AllocsPerOp() float64 { return perOp(float64(r.Mallocs), r.N) }

// Measure runs d.Run(ctx, op, g, n) and measures it.
func Measure(ctx context.Context, d Driver, op Op, g, n int) (Result, error) {
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	c0 := ReadCounters()
	t0 := time.Now()
	err := d.Run(ctx, op, g, n)
	elapsed := time.Since(t0)
	c1 := ReadCounters()
	runtime.ReadMemStats(&m1)
	return Result{N: n, Elapsed: elapsed, Mallocs: m1.Mallocs - m0.Mallocs, Counters: c1.Sub(c0)}, err
}

// Percentile returns the p-th percentile (0–100, nearest rank) of sorted
// durations, 0 for none.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
