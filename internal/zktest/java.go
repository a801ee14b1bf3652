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

// CuratorJars are the jar name prefixes (in JavaLib) a Curator
// interoperability program compiles and runs against.
var CuratorJars = []string{"curator-recipes", "curator-framework", "curator-client", "zookeeper"}

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
// by line and whose stdin it writes commands to. Its methods are for the
// test's goroutine only.
type JavaProcess struct {
	t      testing.TB
	name   string
	stdin  io.WriteCloser
	lines  chan string
	done   chan error // the exit status, once
	stderr lockedBuffer
	failOn []string // prefixes of output lines that are test errors
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

// FailOn makes each output line that starts with prefix a test error
// (reported with t.Errorf; the test goes on), whichever method reads the
// line: ExpectPrefix, Expect, ReadToEOF or Wait. Call it before reading;
// lines read earlier, and lines left unread when the test ends, are not
// checked.
func (p *JavaProcess) FailOn(prefix string) {
	p.failOn = append(p.failOn, prefix)
}

// read returns the next output line, or ok false once the program has
// closed its stdout; it reports the line if FailOn names a prefix of it.
func (p *JavaProcess) read(timeout <-chan time.Time, what string, seen []string) (line string, ok bool) {
	p.t.Helper()
	select {
	case line, ok = <-p.lines:
		if !ok {
			return "", false
		}
		for _, prefix := range p.failOn {
			if strings.HasPrefix(line, prefix) {
				p.t.Errorf("zktest: java %s: %s", p.name, line)
				break
			}
		}
		return line, true
	case <-timeout:
		p.t.Fatalf("zktest: java %s: no %s within %v; output %q, stderr:\n%s", p.name, what, javaTimeout, seen, p.stderr.String())
		return "", false
	}
}

// readUntil reads output lines until match accepts one and returns it with
// the lines read before it; it fails the test if the program ends first or
// no such line comes within 60s.
func (p *JavaProcess) readUntil(what string, match func(string) bool) (string, []string) {
	p.t.Helper()
	var seen []string
	timeout := time.NewTimer(javaTimeout)
	defer timeout.Stop()
	for {
		line, ok := p.read(timeout.C, what, seen)
		if !ok {
			p.t.Fatalf("zktest: java %s ended before %s; output %q, stderr:\n%s", p.name, what, seen, p.stderr.String())
		}
		if match(line) {
			return line, seen
		}
		seen = append(seen, line)
	}
}

// ExpectPrefix reads output lines until one starts with prefix and returns
// it; it fails the test if the program ends first or no such line comes
// within 60s.
func (p *JavaProcess) ExpectPrefix(prefix string) string {
	p.t.Helper()
	line, _ := p.readUntil(fmt.Sprintf("line starting %q", prefix), func(l string) bool { return strings.HasPrefix(l, prefix) })
	return line
}

// Expect reads output lines until the line want and returns the lines
// read before it; it fails the test if the program ends first or want
// does not come within 60s.
func (p *JavaProcess) Expect(want string) []string {
	p.t.Helper()
	_, seen := p.readUntil(fmt.Sprintf("line %q", want), func(l string) bool { return l == want })
	return seen
}

// ReadToEOF reads the remaining output lines until the program closes its
// stdout (normally by exiting) and returns them; it fails the test if that
// takes more than 60s.
func (p *JavaProcess) ReadToEOF() []string {
	p.t.Helper()
	var rest []string
	timeout := time.NewTimer(javaTimeout)
	defer timeout.Stop()
	for {
		line, ok := p.read(timeout.C, "end of output", rest)
		if !ok {
			return rest
		}
		rest = append(rest, line)
	}
}

// Wait reads the remaining output (see ReadToEOF), waits for the program
// to exit and fails the test unless it exits with status 0.
func (p *JavaProcess) Wait() {
	p.t.Helper()
	rest := p.ReadToEOF()
	timeout := time.NewTimer(javaTimeout)
	defer timeout.Stop()
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			p.t.Fatalf("zktest: java %s: %v; output %q, stderr:\n%s", p.name, err, rest, p.stderr.String())
		}
	case <-timeout.C:
		p.t.Fatalf("zktest: java %s did not exit within %v", p.name, javaTimeout)
	}
}
