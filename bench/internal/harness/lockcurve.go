package harness

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// LockCurator is Curator's InterProcessMutex (Java, Debian's Curator jars),
// run by the bench harness through CuratorRunner.
const LockCurator LockClient = "curator"

// ContentionClients lists the implementations of the contention curve.
var ContentionClients = []LockClient{LockZkcurator, LockGozk, LockCurator}

// Contention is one contention run: n sessions looping lock/unlock on one
// lock until the wanted number of hand-offs was recorded.
type Contention struct {
	Client  LockClient
	N       int
	Grants  int64
	Elapsed time.Duration
	Lat     []time.Duration // hand-off latencies, sorted
}

// CyclesPerSec is the lock's grant rate over the run.
func (c Contention) CyclesPerSec() float64 {
	return float64(c.Grants) / max(c.Elapsed.Seconds(), 1e-9)
}

// Quantile returns the q quantile (0..1) of the hand-off latency.
func (c Contention) Quantile(q float64) time.Duration { return Percentile(c.Lat, q*100) }

// MeasureContention dials n contenders of c (zkcurator or gozk) on path
// and records want hand-offs (Contenders.Handoffs). A non-nil counter
// counts their requests and notifications.
func MeasureContention(ctx context.Context, addr string, c LockClient, n, want int, path string, counter *OpCounter) (Contention, error) {
	cs, err := DialContenders(ctx, c, addr, path, n, counter)
	if err != nil {
		return Contention{}, err
	}
	defer cs.Close()
	t0 := time.Now()
	lat, err := cs.Handoffs(ctx, want)
	res := Contention{Client: c, N: n, Grants: cs.Grants(), Elapsed: time.Since(t0), Lat: lat}
	slices.Sort(res.Lat)
	return res, err
}

//go:embed java/CuratorLockCurve.java
var curatorLockCurveSrc []byte

// CuratorRunner is a JVM running CuratorLockCurve (the source is embedded
// here), compiled against Debian's Curator and ZooKeeper jars.
type CuratorRunner struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Scanner
	dir   string
}

// StartCuratorLockCurve compiles and starts the Curator lock-curve runner. Without javac, java
// or the Curator jars it returns an error wrapping ErrUnavailable.
func StartCuratorLockCurve(ctx context.Context) (*CuratorRunner, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	cp, dir, err := compileJava(ctx, "CuratorLockCurve", curatorLockCurveSrc,
		"curator-recipes", "curator-framework", "curator-client", "zookeeper")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(java, "-cp", cp, "CuratorLockCurve")
	cu := &CuratorRunner{cmd: cmd, dir: dir}
	if cu.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	if err := cmd.Start(); err != nil {
		return nil, errors.Join(err, os.RemoveAll(dir))
	}
	cu.out = bufio.NewScanner(stdout)
	cu.out.Buffer(make([]byte, 1<<20), 64<<20)
	if _, err := cu.next("ready"); err != nil {
		return nil, errors.Join(err, cu.Close())
	}
	return cu, nil
}

// next returns the next protocol line starting with prefix, skipping log
// lines; "error ..." fails.
func (cu *CuratorRunner) next(prefix string) (string, error) {
	for cu.out.Scan() {
		line := cu.out.Text()
		if msg, ok := strings.CutPrefix(line, "error "); ok {
			return "", fmt.Errorf("curator: %s", msg)
		}
		if strings.HasPrefix(line, prefix) {
			return line, nil
		}
	}
	return "", fmt.Errorf("curator: runner ended before %q: %v", prefix, cu.out.Err())
}

// Run measures n Curator contenders on path (connect string addr), want
// hand-offs. The JVM keeps running between runs, so later runs see a warm
// JIT; ctx is not consulted (the runner's sessions time out by
// themselves).
func (cu *CuratorRunner) Run(_ context.Context, addr string, n, want int, path string) (Contention, error) {
	if _, err := fmt.Fprintf(cu.stdin, "run %s %d %d %s\n", addr, n, want, path); err != nil {
		return Contention{}, fmt.Errorf("curator: %w", err)
	}
	line, err := cu.next("ok ")
	if err != nil {
		return Contention{}, err
	}
	f := strings.Fields(line)[1:]
	res := Contention{Client: LockCurator, N: n}
	nums := make([]int64, len(f))
	for i, s := range f {
		if nums[i], err = strconv.ParseInt(s, 10, 64); err != nil {
			return res, fmt.Errorf("curator: bad line %q", line)
		}
	}
	if len(nums) < 2 {
		return res, fmt.Errorf("curator: bad line %q", line)
	}
	res.Grants, res.Elapsed = nums[0], time.Duration(nums[1])
	for _, v := range nums[2:] {
		res.Lat = append(res.Lat, time.Duration(v))
	}
	slices.Sort(res.Lat)
	return res, nil
}

// Close stops the JVM and removes its classes.
func (cu *CuratorRunner) Close() error {
	cu.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- cu.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(15 * time.Second):
		cu.cmd.Process.Kill() //nolint:errcheck // abandoned
		err = errors.Join(errors.New("curator: runner did not stop in 15s, killed"), <-done)
	}
	return errors.Join(err, os.RemoveAll(cu.dir))
}
