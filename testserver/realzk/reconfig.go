package realzk

import (
	"context"
	"fmt"
	"path/filepath"
)

// reconfigEnabled reports whether the ensemble runs with dynamic
// reconfiguration: then server lines carry the client address, so that
// clients can read it from /zookeeper/config.
func (o Options) reconfigEnabled() bool { return o.Config["reconfigEnabled"] == "true" }

// clientSuffix is the ";clientHost:clientPort" part of m's server line
// when reconfiguration is enabled, else "".
func (o Options) clientSuffix(m *member) string {
	if !o.reconfigEnabled() {
		return ""
	}
	return fmt.Sprintf(";127.0.0.1:%d", m.clientPort)
}

// Spec returns member i's server line as Reconfig's joining list takes it
// ("server.<myid>=127.0.0.1:<quorum>:<election>:participant;127.0.0.1:<client>"),
// or "" if i is out of range.
func (e *Ensemble) Spec(i int) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if i < 0 || i >= len(e.members) {
		return ""
	}
	m := e.members[i]
	return fmt.Sprintf("server.%d=127.0.0.1:%d:%d:participant;127.0.0.1:%d", m.index+1, m.quorumPort, m.electionPort, m.clientPort)
}

// AddMember starts a new server that is not (yet) in the ensemble's
// configuration, for a test of dynamic reconfiguration (Options.Config
// "reconfigEnabled": "true"): its zoo.cfg lists the current members and
// itself, so it syncs with the leader as a non-voting learner until a
// Reconfig adds it (with the line Spec returns). It returns the new
// member's index once it serves clients. If ctx has no deadline, it gives
// up after 90s; on error the new JVM is killed.
func (e *Ensemble) AddMember(ctx context.Context) (int, error) {
	if len(e.members) == 1 {
		return -1, fmt.Errorf("realzk: add member: a standalone server cannot grow (start with Members >= 2)")
	}
	per := 3
	if e.opts.TLS != nil {
		per = 4
	}
	ports, err := freePorts(per)
	if err != nil {
		return -1, err
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return -1, ErrClosed
	}
	i := len(e.members)
	m := &member{
		index:        i,
		dir:          filepath.Join(e.dir, fmt.Sprintf("m%d", i)),
		clientPort:   ports[0],
		quorumPort:   ports[1],
		electionPort: ports[2],
		jvmFlags:     e.opts.JVMFlags,
		sysProps:     e.opts.SystemProperties,
	}
	if e.opts.TLS != nil {
		m.securePort = ports[3]
	}
	all := append(append([]*member(nil), e.members...), m)
	if err := writeMemberFiles(e.opts, all, m); err != nil {
		e.mu.Unlock()
		return -1, err
	}
	p, err := startProcess(e.inst, m)
	if err != nil {
		e.mu.Unlock()
		return -1, err
	}
	m.proc = p
	e.members = all
	e.mu.Unlock()
	e.opts.logf("realzk: member %d (myid %d) added, pid %d client %s", i, i+1, p.cmd.Process.Pid, m.addr())

	ctx, cancel := withStartTimeout(ctx)
	defer cancel()
	if err := e.waitServing(ctx, m, p); err != nil {
		p.kill()
		return -1, err
	}
	return i, nil
}
