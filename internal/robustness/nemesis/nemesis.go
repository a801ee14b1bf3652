// Package nemesis injects the robustness suite's faults: per-client TCP
// proxies (drops, blackholes, latency), session expiry through a second
// connection with the victim's session id and password, the embedded
// server's own faults (connection drops, stalls, forced expiry,
// stop/restart, latency, a dropped reply after a write is applied,
// refused connections), pausing and killing client child processes, and
// killing and pausing members and the leader of a real ensemble. A
// Nemesis draws its schedule from one seed: the same seed gives the same
// sequence of faults, targets and durations.
package nemesis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/testserver/realzk"
	"github.com/zkcurator/zkcurator/zk"
)

// Fault kinds.
const (
	Drop           = "drop"             // close a client's connections
	Blackhole      = "blackhole"        // a client's connections go silent for a while
	Latency        = "latency"          // a client's bytes are delayed for a while
	Expire         = "expire"           // a second connection takes over a client's session and closes it
	ServerDrop     = "server-drop"      // embedded: close every connection
	ServerStall    = "server-stall"     // embedded: answer nothing for a while
	ServerExpire   = "server-expire"    // embedded: expire a client's session
	ServerRestart  = "server-restart"   // embedded: stop, wait, restart (sessions kept)
	ServerLatency  = "server-latency"   // embedded: delay every reply for a while
	DropAfterApply = "drop-after-apply" // embedded: apply the next write, drop its reply
	ServerReject   = "server-reject"    // embedded: refuse new connections for a while
	ProcPause      = "proc-pause"       // SIGSTOP a client process, SIGCONT later
	ProcKill       = "proc-kill"        // SIGKILL a client process (a new one takes its place)
	MemberKill     = "member-kill"      // ensemble: SIGKILL a member, restart it later
	LeaderKill     = "leader-kill"      // ensemble: SIGKILL the leader, restart it later
	MemberPause    = "member-pause"     // ensemble: SIGSTOP a member, SIGCONT later
	LeaderPause    = "leader-pause"     // ensemble: SIGSTOP the leader, SIGCONT later
)

// ClientFaults are the faults aimed at one in-process client.
var ClientFaults = []string{Drop, Blackhole, Latency, Expire}

// EmbeddedFaults are the embedded server's own faults.
var EmbeddedFaults = []string{ServerDrop, ServerStall, ServerExpire, ServerRestart, ServerLatency, DropAfterApply, ServerReject}

// ProcessFaults are the faults aimed at client processes.
var ProcessFaults = []string{ProcPause, ProcKill}

// EnsembleFaults are the faults aimed at a real ensemble's members.
var EnsembleFaults = []string{MemberKill, LeaderKill, MemberPause, LeaderPause}

// Target is a client the nemesis can aim at.
type Target struct {
	// Name is the client's name in the history.
	Name string
	// Proxies are the client's proxies, one per server.
	Proxies []*Proxy
	// Session returns the client's current session id and password.
	Session func() (id int64, passwd []byte)
}

// Process is a client running in a child process.
type Process interface {
	// Pause stops the process and returns its client's name and a function
	// that resumes it.
	Pause() (name string, resume func() error, err error)
	// Kill kills the process (a replacement takes its place) and returns
	// the killed client's name.
	Kill() (name string, err error)
}

// Config says what a Nemesis may do.
type Config struct {
	Seed int64
	// Faults are the kinds to draw from, each equally likely.
	Faults []string
	// Interval is the mean quiet time between two faults.
	Interval time.Duration
	// SessionTimeout is the clients' session timeout; fault durations
	// scale with it.
	SessionTimeout time.Duration
	// Server is the embedded server (for its faults), or nil.
	Server *testserver.Server
	// Ensemble is the real ensemble (for its faults), or nil.
	Ensemble *realzk.Ensemble
	// Direct are the servers' own addresses, for the session-expiry
	// connection.
	Direct  string
	Clients []*Target
	Procs   []Process
	// Sink receives Fault and Revoke events.
	Sink history.Sink
	// Logf reports faults that could not be injected (nil: dropped).
	Logf func(format string, args ...any)
}

// Nemesis runs a fault schedule.
type Nemesis struct {
	cfg Config
	rnd *rand.Rand

	mu       sync.Mutex
	counts   map[string]int
	lastHeal int64
}

// New returns a Nemesis for cfg.
func New(cfg Config) *Nemesis {
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	return &Nemesis{cfg: cfg, rnd: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6e656d65)), counts: map[string]int{}}
}

// Counts returns how many faults of each kind were injected.
func (n *Nemesis) Counts() map[string]int {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make(map[string]int, len(n.counts))
	for k, v := range n.counts {
		out[k] = v
	}
	return out
}

// LastHeal returns the time (history.Now) the last fault ended.
func (n *Nemesis) LastHeal() int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.lastHeal
}

// Run injects faults one after another until ctx ends, then heals
// everything; it returns when all is healed.
func (n *Nemesis) Run(ctx context.Context) {
	defer n.healAll()
	if len(n.cfg.Faults) == 0 {
		<-ctx.Done()
		return
	}
	for {
		if !n.sleep(ctx, n.frac(n.cfg.Interval, 0.5, 1.5)) {
			return
		}
		kind := n.cfg.Faults[n.rnd.IntN(len(n.cfg.Faults))]
		if err := n.inject(ctx, kind); err != nil {
			n.cfg.Logf("nemesis: %s: %v", kind, err)
		}
		n.mu.Lock()
		n.lastHeal = history.Now()
		n.mu.Unlock()
	}
}

// frac returns d times a random factor in [lo, hi).
func (n *Nemesis) frac(d time.Duration, lo, hi float64) time.Duration {
	return time.Duration(float64(d) * (lo + n.rnd.Float64()*(hi-lo)))
}

// sleep waits d; false if ctx ended first.
func (n *Nemesis) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (n *Nemesis) record(kind, client, desc string) {
	n.mu.Lock()
	n.counts[kind]++
	n.mu.Unlock()
	n.cfg.Sink.Emit(history.Event{Kind: history.Fault, Op: kind, Client: client, Val: desc})
}

func (n *Nemesis) revoke(client string) {
	n.cfg.Sink.Emit(history.Event{Kind: history.Revoke, Client: client})
}

// inject performs one fault of kind and waits until it is healed (or ctx
// ends, which heals it at once).
func (n *Nemesis) inject(ctx context.Context, kind string) error {
	T := n.cfg.SessionTimeout
	var target *Target
	if len(n.cfg.Clients) > 0 {
		target = n.cfg.Clients[n.rnd.IntN(len(n.cfg.Clients))]
	}
	needClient := slices.Contains(ClientFaults, kind) || kind == ServerExpire
	if needClient && target == nil {
		return fmt.Errorf("no client to aim at")
	}
	switch kind {
	case Drop:
		n.record(kind, target.Name, "")
		for _, p := range target.Proxies {
			p.Drop()
		}
	case Blackhole:
		d := n.frac(T, 0.2, 2)
		n.record(kind, target.Name, d.String())
		for _, p := range target.Proxies {
			p.Blackhole()
		}
		n.sleep(ctx, d)
		for _, p := range target.Proxies {
			p.Heal()
		}
	case Latency:
		lat, d := n.frac(300*time.Millisecond, 0.1, 1), n.frac(T, 0.5, 1.5)
		n.record(kind, target.Name, fmt.Sprintf("%v for %v", lat, d))
		for _, p := range target.Proxies {
			p.SetLatency(lat)
		}
		n.sleep(ctx, d)
		for _, p := range target.Proxies {
			p.Heal()
		}
	case Expire:
		return n.expire(ctx, target)
	case ProcPause, ProcKill:
		return n.process(ctx, kind)
	case MemberKill, LeaderKill, MemberPause, LeaderPause:
		return n.ensemble(ctx, kind)
	default:
		return n.server(ctx, kind, target)
	}
	return nil
}

// expire takes over target's session on a second connection and closes
// it, which ends the session on the server.
func (n *Nemesis) expire(ctx context.Context, target *Target) error {
	id, pw := target.Session()
	if id == 0 {
		return fmt.Errorf("%s has no session", target.Name)
	}
	n.revoke(target.Name)
	n.record(Expire, target.Name, fmt.Sprintf("session 0x%x", id))
	dctx, cancel := context.WithTimeout(ctx, n.cfg.SessionTimeout)
	defer cancel()
	c, err := zk.Dial(dctx, n.cfg.Direct, zk.WithSession(id, pw), zk.WithSessionTimeout(n.cfg.SessionTimeout))
	if err != nil {
		return fmt.Errorf("expire session 0x%x: %w", id, err)
	}
	return c.Close()
}

// server performs an embedded server fault.
func (n *Nemesis) server(ctx context.Context, kind string, target *Target) error {
	s, T := n.cfg.Server, n.cfg.SessionTimeout
	if s == nil {
		return fmt.Errorf("no embedded server")
	}
	switch kind {
	case ServerDrop:
		n.record(kind, "", fmt.Sprintf("%d connections", s.DropConnections()))
	case ServerStall:
		d := n.frac(T, 0.1, 0.9)
		n.record(kind, "", d.String())
		s.Stall(d)
		n.sleep(ctx, d)
		s.Stall(0)
	case ServerExpire:
		id, _ := target.Session()
		n.revoke(target.Name)
		n.record(kind, target.Name, fmt.Sprintf("session 0x%x: %v", id, s.ExpireSession(id)))
	case ServerRestart:
		d := n.frac(T, 0.1, 1.2)
		n.record(kind, "", "down for "+d.String())
		if err := s.Stop(); err != nil {
			return err
		}
		n.sleep(ctx, d)
		return s.Restart()
	case ServerLatency:
		lat, d := n.frac(200*time.Millisecond, 0.1, 1), n.frac(T, 0.5, 1.5)
		n.record(kind, "", fmt.Sprintf("%v for %v", lat, d))
		s.SetLatency(lat)
		n.sleep(ctx, d)
		s.SetLatency(0)
	case DropAfterApply:
		ops := []int32{jute.OpSetData, jute.OpMulti, jute.OpCreate, jute.OpCreate2, jute.OpDelete}
		op := ops[n.rnd.IntN(len(ops))]
		n.record(kind, "", fmt.Sprintf("opcode %d", op))
		s.DropAfterApply(op)
	case ServerReject:
		d := n.frac(T, 0.1, 0.8)
		n.record(kind, "", d.String())
		s.RejectConnections(d)
		n.sleep(ctx, d)
	default:
		return fmt.Errorf("unknown fault")
	}
	return nil
}

// process pauses or kills a client process.
func (n *Nemesis) process(ctx context.Context, kind string) error {
	if len(n.cfg.Procs) == 0 {
		return fmt.Errorf("no client processes")
	}
	p := n.cfg.Procs[n.rnd.IntN(len(n.cfg.Procs))]
	if kind == ProcKill {
		name, err := p.Kill()
		if name != "" {
			n.revoke(name)
			n.record(kind, name, "")
		}
		return err
	}
	d := n.frac(n.cfg.SessionTimeout, 0.2, 1.5)
	name, resume, err := p.Pause()
	if err != nil {
		return err
	}
	n.revoke(name)
	n.record(kind, name, d.String())
	n.sleep(ctx, d)
	return resume()
}

// ensemble kills or pauses a member or the leader of the real ensemble.
func (n *Nemesis) ensemble(ctx context.Context, kind string) error {
	e := n.cfg.Ensemble
	if e == nil {
		return fmt.Errorf("no ensemble")
	}
	i := n.rnd.IntN(e.Size())
	if kind == LeaderKill || kind == LeaderPause {
		lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		l, err := e.Leader(lctx)
		cancel()
		if err != nil {
			return err
		}
		i = l
	}
	d := n.frac(n.cfg.SessionTimeout, 0.3, 1.5)
	if kind == MemberPause || kind == LeaderPause {
		if SigStop == nil {
			return fmt.Errorf("no SIGSTOP here")
		}
		if err := e.Signal(i, SigStop); err != nil {
			return err
		}
		n.record(kind, "", fmt.Sprintf("member %d for %v", i, d))
		n.sleep(ctx, d)
		return e.Signal(i, SigCont)
	}
	if err := e.Kill(i); err != nil {
		return err
	}
	n.record(kind, "", fmt.Sprintf("member %d down for %v", i, d))
	n.sleep(ctx, d)
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 90*time.Second)
	defer cancel()
	return e.Restart(rctx, i)
}

// healAll ends every fault that may still be on.
func (n *Nemesis) healAll() {
	for _, t := range n.cfg.Clients {
		for _, p := range t.Proxies {
			p.Heal()
		}
	}
	if s := n.cfg.Server; s != nil {
		s.Stall(0)
		s.SetLatency(0)
		if err := s.Restart(); err != nil {
			n.cfg.Logf("nemesis: heal: %v", err)
		}
	}
	if e := n.cfg.Ensemble; e != nil {
		for i := range e.Size() {
			if e.Running(i) {
				if SigCont != nil {
					_ = e.Signal(i, SigCont)
				}
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			if err := e.Restart(ctx, i); err != nil {
				n.cfg.Logf("nemesis: heal: restart member %d: %v", i, err)
			}
			cancel()
		}
	}
	n.mu.Lock()
	n.lastHeal = history.Now()
	n.mu.Unlock()
}
