package robustness

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
	"github.com/zkcurator/zkcurator/internal/robustness/nemesis"
	"github.com/zkcurator/zkcurator/internal/robustness/workload"
	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/zk"
)

// workerEnv holds a child process's workerConfig (JSON); when set, the
// test binary runs as a worker instead of running tests.
const workerEnv = "ZKCURATOR_ROBUST_WORKER"

// workerConfig tells a child process what to do.
type workerConfig struct {
	Name     string        `json:"name"`
	Connect  string        `json:"connect"`
	Root     string        `json:"root"`
	Workload string        `json:"workload"` // a key of workerWorkloads
	Seed     uint64        `json:"seed"`
	Session  time.Duration `json:"session"`
	Pace     time.Duration `json:"pace"`
	NoRetry  bool          `json:"noRetry"`
}

// workerWorkloads are the workloads a child process can run.
var workerWorkloads = map[string]workload.Workload{
	"registers": workload.Registers(false),
	"mutex":     workload.Mutex,
}

// workerMain runs a child process: it connects, runs its workload with
// events as JSON lines on stdout, and stops when stdin closes. It returns
// the exit code.
func workerMain(raw string) int {
	var cfg workerConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		fmt.Fprintf(os.Stderr, "worker: bad config: %v\n", err)
		return 2
	}
	wl := workerWorkloads[cfg.Workload]
	if wl == nil {
		fmt.Fprintf(os.Stderr, "worker: unknown workload %q\n", cfg.Workload)
		return 2
	}
	sink := history.Prefixed{Sink: history.NewLineSink(os.Stdout), Client: cfg.Name}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // stdin closing is the parent's stop signal
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	opts := []zk.Option{zk.WithSessionTimeout(cfg.Session)}
	if cfg.NoRetry {
		opts = append(opts, zk.WithRetryPolicy(retry.NTimes(0, 0)))
	}
	cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
	c, err := zk.Connect(cctx, cfg.Connect, opts...)
	ccancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "worker: connect: %v\n", err)
		return 1
	}
	defer c.Close()
	env := &workload.Env{Client: c, Name: cfg.Name, Sink: sink, Root: cfg.Root, Pace: cfg.Pace,
		Rand: rand.New(rand.NewPCG(cfg.Seed, 1)), OpTimeout: 2 * cfg.Session}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); probe(ctx, c, cfg.Root, sink) }()
	if err := wl(ctx, env); err != nil {
		fmt.Fprintf(os.Stderr, "worker: %v\n", err)
	}
	cancel()
	wg.Wait()
	return 0
}

// probe emits a Progress event for every successful read of root, every
// 100ms, so the parent sees how soon the process recovers from faults.
func probe(ctx context.Context, c *zk.Client, root string, sink history.Sink) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		_, _, err := c.Exists(pctx, root)
		cancel()
		if err == nil {
			sink.Emit(history.Event{Kind: history.Progress, Op: "probe"})
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// proc is a child-process client slot: it runs one worker at a time and
// starts a new one (a new client name) after Kill.
type proc struct {
	t    testing.TB
	base workerConfig
	rec  *history.Recorder

	mu   sync.Mutex
	gen  int
	cmd  *exec.Cmd
	in   io.WriteCloser
	done chan struct{} // closed when the current worker's stdout is drained and it is reaped
	errs *strings.Builder
}

// start starts a new worker generation. p.mu is held.
func (p *proc) startLocked() error {
	p.gen++
	cfg := p.base
	cfg.Name = fmt.Sprintf("%s.%d", p.base.Name, p.gen)
	cfg.Seed = p.base.Seed + uint64(p.gen)
	raw, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), workerEnv+"="+string(raw))
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	errs := &strings.Builder{}
	cmd.Stderr = &lockedWriter{w: errs}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start worker %s: %w", cfg.Name, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var e history.Event
			if json.Unmarshal(sc.Bytes(), &e) == nil {
				p.rec.Emit(e)
			}
		}
		_ = cmd.Wait()
	}()
	p.cmd, p.in, p.done, p.errs = cmd, in, done, errs
	return nil
}

func (p *proc) name() string { return fmt.Sprintf("%s.%d", p.base.Name, p.gen) }

// Pause stops the worker with SIGSTOP.
func (p *proc) Pause() (string, func() error, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cmd, name := p.cmd, p.name()
	if nemesis.SigStop == nil {
		return "", nil, errors.New("no SIGSTOP on this system")
	}
	if err := cmd.Process.Signal(nemesis.SigStop); err != nil {
		return "", nil, err
	}
	return name, func() error { return cmd.Process.Signal(nemesis.SigCont) }, nil
}

// Kill kills the worker with SIGKILL and starts the next one.
func (p *proc) Kill() (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	name := p.name()
	p.resume()
	if err := p.cmd.Process.Kill(); err != nil {
		return "", err
	}
	<-p.done
	return name, p.startLocked()
}

// resume sends SIGCONT (a no-op unless paused). p.mu is held.
func (p *proc) resume() {
	if nemesis.SigCont != nil {
		_ = p.cmd.Process.Signal(nemesis.SigCont)
	}
}

// stop ends the current worker gracefully (stdin closed) and waits for it;
// a worker that does not exit within wait is killed.
func (p *proc) stop(wait time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resume()
	_ = p.in.Close()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		_ = p.cmd.Process.Kill()
		<-p.done
		p.t.Errorf("worker %s did not stop within %v; killed it. stderr:\n%s", p.name(), wait, p.errs)
	}
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
