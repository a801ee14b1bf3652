package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/zkcurator/zkcurator/testserver"
)

// serveEnv, set in a child's environment, makes ServeIfChild run the
// embedded server instead of the program.
const serveEnv = "ZKCURATOR_BENCH_SERVE"

// addrPrefix starts the line a serving child prints with its address.
const addrPrefix = "listening "

// ServeIfChild must be called first in main (or TestMain) of any program
// that starts ServerEmbeddedProc. In a child started for that purpose it
// runs the embedded server until its stdin reaches EOF (the parent closed
// it or died) and exits; otherwise it returns at once.
func ServeIfChild() {
	if os.Getenv(serveEnv) != "1" {
		return
	}
	s, err := testserver.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "embedded server:", err)
		os.Exit(1)
	}
	fmt.Printf("%s%s\n", addrPrefix, s.ConnectString())
	io.Copy(io.Discard, os.Stdin) //nolint:errcheck // any end of stdin means stop
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "embedded server: close:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// startEmbeddedProc re-executes the running program as a child serving the
// embedded server (see ServeIfChild), so that the server's CPU time is not
// the benchmark process's.
func startEmbeddedProc(ctx context.Context) (connect string, closeFn func() error, err error) {
	exe, err := os.Executable()
	if err != nil {
		return "", nil, fmt.Errorf("embedded-proc: %w", err)
	}
	cmd := exec.Command(exe, "-test.run=^$") // a test binary must not run tests if ServeIfChild is missing
	cmd.Env = append(os.Environ(), serveEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, fmt.Errorf("embedded-proc: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, fmt.Errorf("embedded-proc: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("embedded-proc: %w", err)
	}
	exited := make(chan error, 1)
	stop := func() error {
		stdin.Close()
		select {
		case err := <-exited:
			return err
		case <-time.After(10 * time.Second):
			cmd.Process.Kill() //nolint:errcheck // it is being abandoned
			return errors.Join(errors.New("embedded-proc: child did not stop in 10s, killed"), <-exited)
		}
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout) //nolint:errcheck // drain until the child exits
		exited <- cmd.Wait()
	}()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	select {
	case line, ok := <-lines:
		addr, found := strings.CutPrefix(line, addrPrefix)
		if ok && found {
			return addr, stop, nil
		}
		return "", nil, errors.Join(fmt.Errorf("embedded-proc: unexpected first line %q (is ServeIfChild called first?)", line), stop())
	case <-ctx.Done():
		return "", nil, errors.Join(fmt.Errorf("embedded-proc: no address: %w", ctx.Err()), stop())
	}
}
