package realzk

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Errors returned by Ensemble methods; test with errors.Is.
var (
	// ErrClosed reports a call on an Ensemble after Close.
	ErrClosed = errors.New("realzk: ensemble closed")
	// ErrNotRunning reports Stop or Kill of a member that is not running,
	// or a four-letter word sent to one.
	ErrNotRunning = errors.New("realzk: member not running")
	// ErrRunning reports Restart of a member that is still running.
	ErrRunning = errors.New("realzk: member already running")
	// ErrNoLeader reports that no running member currently says it leads:
	// the ensemble is standalone, electing, or without quorum.
	ErrNoLeader = errors.New("realzk: no leader")
)

// Options configures Start. The zero value starts one standalone server with
// a 100ms tick.
type Options struct {
	// Members is the number of servers; 1 (the default) runs a standalone
	// server, more run an ensemble with a quorum of Members/2+1.
	Members int
	// TickTime is the server tick (default 100ms). The minimum session
	// timeout the server grants is 2*TickTime.
	TickTime time.Duration
	// MaxSessionTimeout is the largest session timeout the server grants
	// (default 60s).
	MaxSessionTimeout time.Duration
	// Dir is the parent of the ensemble's temp dir (default os.TempDir()).
	Dir string
	// JVMFlags replaces the JVM's memory, JIT and GC flags (nil:
	// FastStartJVMFlags; benchmarks pass ThroughputJVMFlags).
	JVMFlags []string
	// TLS, if set, also opens a secure client port on every member
	// (Ensemble.SecureAddr). The plain client port stays open.
	TLS *TLS
	// Config adds or overrides zoo.cfg keys (for example
	// "reconfigEnabled": "true"). Keys the launcher writes itself are
	// replaced, others appended in sorted order.
	Config map[string]string
	// SystemProperties adds or overrides JVM -D properties (for example
	// "readonlymode.enabled": "true" or "java.security.auth.login.config":
	// a JAAS file the test wrote). A property the launcher sets itself is
	// replaced.
	SystemProperties map[string]string
	// Logf, if set, receives progress messages (member started, stopped...).
	// It is only called from inside Ensemble's methods, never afterwards.
	Logf func(format string, args ...any)
}

// startTimeout bounds Start and Restart when ctx has no deadline.
const startTimeout = 90 * time.Second

// startAttempts is how often Start retries with fresh ports when a port it
// picked was taken by someone else before the JVM could bind it.
const startAttempts = 3

// readyPoll is the interval between readiness probes.
const readyPoll = 50 * time.Millisecond

// Ensemble is a running standalone server or ensemble started by Start.
// Members are indexed from 0; member i has myid i+1. Methods are safe for
// concurrent use. Close it (tests: in t.Cleanup) to kill the JVMs and remove
// the temp dirs.
type Ensemble struct {
	inst *Install
	opts Options
	dir  string

	mu      sync.Mutex
	members []*member
	closed  bool
}

// Start finds ZooKeeper (see Find), starts opts.Members servers on free
// 127.0.0.1 ports and returns once every member serves clients (its srvr
// answer shows a Mode) and, for an ensemble, every member is leader or
// follower. If ctx has no deadline, Start gives up after 90s. On error
// nothing is left running; startup errors include the tail of the failing
// member's log.
func Start(ctx context.Context, opts Options) (*Ensemble, error) {
	opts = withDefaults(opts)
	if opts.Members < 1 {
		return nil, fmt.Errorf("realzk: start: Members=%d, want >= 1", opts.Members)
	}
	if opts.TickTime < time.Millisecond {
		return nil, fmt.Errorf("realzk: start: TickTime=%v, want >= 1ms", opts.TickTime)
	}
	if opts.TLS != nil {
		if err := opts.TLS.validate(); err != nil {
			return nil, err
		}
	}
	inst, err := Find()
	if err != nil {
		return nil, err
	}
	ctx, cancel := withStartTimeout(ctx)
	defer cancel()
	for attempt := 1; ; attempt++ {
		e, err := startOnce(ctx, inst, opts)
		if err == nil {
			return e, nil
		}
		if !errors.Is(err, errPortTaken) || attempt == startAttempts || ctx.Err() != nil {
			return nil, err
		}
		opts.logf("realzk: %v; retrying with new ports", err)
	}
}

func withDefaults(o Options) Options {
	if o.Members == 0 {
		o.Members = 1
	}
	if o.TickTime == 0 {
		o.TickTime = 100 * time.Millisecond
	}
	if o.MaxSessionTimeout == 0 {
		o.MaxSessionTimeout = 60 * time.Second
	}
	if o.Dir == "" {
		o.Dir = os.TempDir()
	}
	return o
}

func (o Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

func withStartTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, startTimeout)
}

// errPortTaken marks a startup failure caused by a port bound by someone else.
var errPortTaken = errors.New("port already in use")

func startOnce(ctx context.Context, inst *Install, opts Options) (*Ensemble, error) {
	n := opts.Members
	per := 3 // client, quorum, election
	if opts.TLS != nil {
		per = 4 // and secure client
	}
	ports, err := freePorts(per * n)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(opts.Dir, "realzk-")
	if err != nil {
		return nil, fmt.Errorf("realzk: start: %w", err)
	}
	e := &Ensemble{inst: inst, opts: opts, dir: dir}
	for i := range n {
		e.members = append(e.members, &member{
			index:        i,
			dir:          filepath.Join(dir, fmt.Sprintf("m%d", i)),
			clientPort:   ports[per*i],
			quorumPort:   ports[per*i+1],
			electionPort: ports[per*i+2],
			jvmFlags:     opts.JVMFlags,
			sysProps:     opts.SystemProperties,
		})
		if opts.TLS != nil {
			e.members[i].securePort = ports[per*i+3]
		}
	}
	fail := func(err error) (*Ensemble, error) {
		_ = e.Close()
		return nil, err
	}
	for _, m := range e.members {
		if err := writeMemberFiles(opts, e.members, m); err != nil {
			return fail(err)
		}
	}
	for _, m := range e.members {
		p, err := startProcess(inst, m)
		if err != nil {
			return fail(err)
		}
		m.proc = p
		opts.logf("realzk: member %d (myid %d) pid %d client %s, log %s", m.index, m.index+1, p.cmd.Process.Pid, m.addr(), m.logPath())
	}
	for _, m := range e.members {
		if err := e.waitServing(ctx, m, m.proc); err != nil {
			return fail(err)
		}
	}
	opts.logf("realzk: %d member(s) serving: %s (using %s)", n, e.ConnectString(), inst.Source)
	return e, nil
}

// waitServing polls member m with srvr until it reports a serving mode, its
// JVM p exits, or ctx ends.
func (e *Ensemble) waitServing(ctx context.Context, m *member, p *process) error {
	last := ""
	for {
		out, err := fourLetter(ctx, m.addr(), "srvr")
		mode := parseMode(out)
		if err == nil && e.serving(mode) {
			if m.securePort == 0 {
				return nil
			}
			// The secure port opens on its own; srvr answers on the plain one.
			c, derr := net.DialTimeout("tcp", m.secureAddr(), time.Second)
			if derr == nil {
				c.Close()
				return nil
			}
			err = fmt.Errorf("secure client port: %w", derr)
		}
		switch {
		case err != nil:
			last = err.Error()
		case mode != "":
			last = "Mode: " + mode
		default:
			last = strings.TrimSpace(out)
		}
		select {
		case <-p.done:
			return e.startError(m, fmt.Sprintf("JVM %v", p.exitError()))
		case <-ctx.Done():
			return e.startError(m, fmt.Sprintf("not serving (%v); last srvr: %s", ctx.Err(), last))
		case <-time.After(readyPoll):
		}
	}
}

// serving reports whether a member in mode is fully up: "standalone" for a
// single server, "leader" or "follower" in an ensemble.
func (e *Ensemble) serving(mode string) bool {
	if len(e.members) == 1 {
		return mode == "standalone"
	}
	return mode == "leader" || mode == "follower" || mode == "observer"
}

// startError builds a startup error for m with the tail of its log, marked
// errPortTaken when the log shows a bind failure.
func (e *Ensemble) startError(m *member, what string) error {
	tail := logTail(m.logPath(), 4096)
	err := fmt.Errorf("realzk: member %d (%s): %s\n--- tail of %s ---\n%s", m.index, m.addr(), what, m.logPath(), tail)
	if strings.Contains(tail, "Address already in use") || strings.Contains(tail, "BindException") {
		return fmt.Errorf("%w: %w", errPortTaken, err)
	}
	return err
}

// ConnectString returns the client connect string of all members,
// "127.0.0.1:p1,127.0.0.1:p2,...", in member order.
func (e *Ensemble) ConnectString() string {
	addrs := make([]string, len(e.members))
	for i, m := range e.members {
		addrs[i] = m.addr()
	}
	return strings.Join(addrs, ",")
}

// Size returns the number of members, running or not.
func (e *Ensemble) Size() int { return len(e.members) }

// Addr returns the client address ("127.0.0.1:port") of member i, or "" if i
// is out of range. It stays the same across Restart.
func (e *Ensemble) Addr(i int) string {
	if i < 0 || i >= len(e.members) {
		return ""
	}
	return e.members[i].addr()
}

// member returns member i after checking the index and Close.
func (e *Ensemble) member(i int) (*member, error) {
	if i < 0 || i >= len(e.members) {
		return nil, fmt.Errorf("realzk: member %d out of range [0,%d)", i, len(e.members))
	}
	if e.closed {
		return nil, ErrClosed
	}
	return e.members[i], nil
}

// runningProc returns member i's process if it is running.
func (e *Ensemble) runningProc(i int) (*process, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, err := e.member(i)
	if err != nil {
		return nil, err
	}
	if m.proc == nil || !m.proc.running() {
		return nil, fmt.Errorf("realzk: member %d: %w", i, ErrNotRunning)
	}
	return m.proc, nil
}

// Stop shuts member i down gracefully: SIGTERM, then SIGKILL if it has not
// exited after 10s. It returns once the JVM is gone. Its data is kept for
// Restart.
func (e *Ensemble) Stop(i int) error {
	p, err := e.runningProc(i)
	if err != nil {
		return err
	}
	p.stop()
	e.opts.logf("realzk: member %d stopped", i)
	return nil
}

// Kill ends member i with SIGKILL, as a crash would, and returns once the
// JVM is gone. Its data is kept for Restart.
func (e *Ensemble) Kill(i int) error {
	p, err := e.runningProc(i)
	if err != nil {
		return err
	}
	p.kill()
	e.opts.logf("realzk: member %d killed", i)
	return nil
}

// Signal sends sig to member i's JVM: SIGSTOP and SIGCONT pause and resume
// it, as a long GC pause or a frozen VM would (the robustness suite's
// nemesis does this to members and leaders). Resume a paused member before
// Stop or Close, which would otherwise wait out their grace period.
func (e *Ensemble) Signal(i int, sig os.Signal) error {
	p, err := e.runningProc(i)
	if err != nil {
		return err
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("realzk: member %d: signal %v: %w", i, sig, err)
	}
	e.opts.logf("realzk: member %d sent %v", i, sig)
	return nil
}

// Running reports whether member i's JVM is running (it may still be
// starting or electing).
func (e *Ensemble) Running(i int) bool {
	_, err := e.runningProc(i)
	return err == nil
}

// Restart starts the stopped member i again with the same ports, data and
// configuration, and waits until it serves (for an ensemble: leader or
// follower, which needs a quorum of running members). If ctx has no
// deadline, it gives up after 90s. If it does not come up, the JVM is
// killed and the error includes the tail of its log.
func (e *Ensemble) Restart(ctx context.Context, i int) error {
	e.mu.Lock()
	m, err := e.member(i)
	if err == nil && m.proc != nil && m.proc.running() {
		err = fmt.Errorf("realzk: restart member %d: %w", i, ErrRunning)
	}
	if err != nil {
		e.mu.Unlock()
		return err
	}
	p, err := startProcess(e.inst, m)
	if err != nil {
		e.mu.Unlock()
		return err
	}
	m.proc = p
	e.mu.Unlock()
	e.opts.logf("realzk: member %d restarted, pid %d", i, p.cmd.Process.Pid)

	ctx, cancel := withStartTimeout(ctx)
	defer cancel()
	if err := e.waitServing(ctx, m, p); err != nil {
		p.kill()
		return err
	}
	return nil
}

// Leader returns the index of the member that currently reports
// "Mode: leader" in its srvr answer. It asks once and does not wait for an
// election: while none leads it returns -1 and an error wrapping
// ErrNoLeader, as it does for a standalone server. Poll it to wait for a
// (new) leader.
func (e *Ensemble) Leader(ctx context.Context) (int, error) {
	if e.Size() == 1 {
		return -1, fmt.Errorf("realzk: leader: standalone server: %w", ErrNoLeader)
	}
	for i := range e.members {
		if !e.Running(i) {
			continue
		}
		out, err := e.FourLetter(ctx, i, "srvr")
		if err != nil {
			if ctx.Err() != nil {
				return -1, fmt.Errorf("realzk: leader: %w", ctx.Err())
			}
			continue
		}
		if parseMode(out) == "leader" {
			return i, nil
		}
	}
	return -1, fmt.Errorf("realzk: leader: %w", ErrNoLeader)
}

// FourLetter sends a four-letter word (ruok, srvr, stat, mntr, cons, dump,
// ...) to member i and returns the server's answer. All words are enabled.
func (e *Ensemble) FourLetter(ctx context.Context, i int, cmd string) (string, error) {
	if _, err := e.runningProc(i); err != nil {
		return "", err
	}
	return fourLetter(ctx, e.members[i].addr(), cmd)
}

// Close kills every member, waits for the JVMs to exit and removes the temp
// dirs (data and logs). It is idempotent; other methods fail with ErrClosed
// afterwards.
func (e *Ensemble) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	var procs []*process
	for _, m := range e.members {
		if m.proc != nil {
			procs = append(procs, m.proc)
		}
	}
	e.mu.Unlock()
	for _, p := range procs {
		if p.running() {
			_ = p.cmd.Process.Kill()
		}
	}
	for _, p := range procs {
		p.kill()
	}
	if err := os.RemoveAll(e.dir); err != nil {
		return fmt.Errorf("realzk: close: %w", err)
	}
	return nil
}
