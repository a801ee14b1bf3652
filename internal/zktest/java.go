package zktest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// JavaLib is where Debian's packages install jars (libcurator-*-java,
// zookeeper).
const JavaLib = "/usr/share/java"

// javaTimeout bounds each wait for a Java program's output or exit.
const javaTimeout = 60 * time.Second

// CompileJava compiles Java sources (test programs under testdata/) with
// javac against every jar in JavaLib and returns the classpath to run
// them. It calls RequireReal first, so it only runs with EnvReal=1; then a
// missing javac or a missing jar (named by prefix in jars, e.g.
// "curator-recipes") fails the test, never skips it.
func CompileJava(t testing.TB, jars []string, srcs ...string) string {
	t.Helper()
	RequireReal(t)
	javac, err := exec.LookPath("javac")
	if err != nil {
		t.Fatalf("zktest: javac not found (install default-jdk-headless): %v", err)
	}
	if _, err := exec.LookPath("java"); err != nil {
		t.Fatalf("zktest: java not found (install default-jre-headless): %v", err)
	}
	for _, jar := range jars {
		if m, _ := filepath.Glob(filepath.Join(JavaLib, jar+"*.jar")); len(m) == 0 {
			t.Fatalf("zktest: %s jar missing in %s (install the libcurator-*-java / zookeeper packages)", jar, JavaLib)
		}
	}
	dir := t.TempDir()
	args := append([]string{"-d", dir, "-cp", JavaLib + "/*"}, srcs...)
	out, err := exec.Command(javac, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("zktest: javac %v: %v\n%s", srcs, err, out)
	}
	return dir + string(os.PathListSeparator) + JavaLib + "/*"
}

// JavaProcess is a running Java program whose stdout a test reads line
// by line and whose stdin it writes commands to.
type JavaProcess struct {
	t      testing.TB
	name   string
	stdin  io.WriteCloser
	lines  chan string
	done   chan error // the exit status, once
	stderr lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// StartJava runs mainClass from classpath with args. The process is
// killed, and its reader goroutine ended, when the test ends.
func StartJava(t testing.TB, classpath, mainClass string, args ...string) *JavaProcess {
	t.Helper()
	cmd := exec.Command("java", append([]string{"-cp", classpath, mainClass}, args...)...)
	p := &JavaProcess{
		t:     t,
		name:  mainClass + " " + strings.Join(args, " "),
		lines: make(chan string, 1024),
		done:  make(chan error, 1),
	}
	cmd.Stderr = &p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("zktest: %v", err)
	}
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatalf("zktest: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("zktest: start java: %v", err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		select {
		case err := <-p.done:
			p.done <- err
		default:
			_ = cmd.Process.Kill()
			_ = p.stdin.Close()
			for range p.lines {
			}
			<-p.done
		}
	})
	return p
}

// Send writes one command line to the program's stdin.
func (p *JavaProcess) Send(line string) {
	p.t.Helper()
	if _, err := fmt.Fprintln(p.stdin, line); err != nil {
		p.t.Fatalf("zktest: java %s: write %q: %v; stderr:\n%s", p.name, line, err, p.stderr.String())
	}
}

// ExpectPrefix reads output lines until one starts with prefix and returns
// it; it fails the test if the program ends first or no such line comes
// within 60s.
func (p *JavaProcess) ExpectPrefix(prefix string) string {
	p.t.Helper()
	var seen []string
	timeout := time.NewTimer(javaTimeout)
	defer timeout.Stop()
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("zktest: java %s ended before %q; output %q, stderr:\n%s", p.name, prefix, seen, p.stderr.String())
			}
			if strings.HasPrefix(line, prefix) {
				return line
			}
			seen = append(seen, line)
		case <-timeout.C:
			p.t.Fatalf("zktest: java %s: no %q within %v; output %q, stderr:\n%s", p.name, prefix, javaTimeout, seen, p.stderr.String())
		}
	}
}

// Expect reads output lines until the line want.
func (p *JavaProcess) Expect(want string) {
	p.t.Helper()
	if got := p.ExpectPrefix(want); got != want {
		p.Expect(want)
	}
}

// Wait waits for the program to exit and fails the test unless it exits
// with status 0.
func (p *JavaProcess) Wait() {
	p.t.Helper()
	timeout := time.NewTimer(javaTimeout)
	defer timeout.Stop()
	for {
		select {
		case _, ok := <-p.lines:
			if ok {
				continue
			}
			err := <-p.done
			p.done <- err
			if err != nil {
				p.t.Fatalf("zktest: java %s: %v; stderr:\n%s", p.name, err, p.stderr.String())
			}
			return
		case <-timeout.C:
			p.t.Fatalf("zktest: java %s did not exit within %v", p.name, javaTimeout)
		}
	}
}
