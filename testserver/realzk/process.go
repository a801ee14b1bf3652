package realzk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// stopGrace is how long Stop waits after SIGTERM before it sends SIGKILL.
const stopGrace = 10 * time.Second

// process is one running JVM. Its wait goroutine, started by startProcess,
// is the only goroutine the package owns; it ends when the JVM exits, which
// Kill, Stop and Close guarantee.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the JVM has exited and been reaped
	err  error         // cmd.Wait's result; read only after done is closed
}

// startProcess starts member m's JVM with stdout and stderr appended to its
// log file.
func startProcess(inst *Install, m *member) (*process, error) {
	logf, err := os.OpenFile(m.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("realzk: member %d: open log: %w", m.index, err)
	}
	cmd := exec.Command(inst.Java, javaArgs(inst, m)...)
	cmd.Dir = m.dir
	cmd.Stdin = nil
	cmd.Stdout = logf // an *os.File: handed to the child, no copying goroutine
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return nil, fmt.Errorf("realzk: member %d: start %s: %w", m.index, inst.Java, err)
	}
	// The child has its own copy of the descriptor.
	_ = logf.Close()
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// running reports whether the JVM has not exited yet.
func (p *process) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill sends SIGKILL and waits until the JVM is reaped.
func (p *process) kill() {
	if p.running() {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

// stop sends SIGTERM, waits up to stopGrace, then kills.
func (p *process) stop() {
	if !p.running() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
		p.kill()
	}
}

// exitError describes how the JVM ended, for startup errors.
func (p *process) exitError() error {
	if p.err == nil {
		return errors.New("exited with status 0")
	}
	return p.err
}

// logTail returns about the last max bytes of the file at path, starting at a
// line boundary, for error messages. Errors reading the log are reported in
// the returned text instead.
func logTail(path string, max int64) string {
	f, err := os.Open(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "(log: " + err.Error() + ")"
	}
	off := fi.Size() - max
	if off < 0 {
		off = 0
	}
	b, err := io.ReadAll(io.NewSectionReader(f, off, fi.Size()-off))
	if err != nil {
		return "(log: " + err.Error() + ")"
	}
	if off > 0 {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	s := strings.TrimRight(string(b), "\n")
	if s == "" {
		return "(log is empty)"
	}
	return s
}
