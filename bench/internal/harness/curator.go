package harness

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
)

//go:embed curatorbench/CuratorBench.java
var curatorBenchSrc []byte

// CuratorRecipes are the recipes CuratorBench runs: DistributedAtomicLong
// increments, DistributedQueue put+take, ServiceProvider lookups.
var CuratorRecipes = []string{"atomic", "queue", "discovery"}

var (
	compileOnce sync.Once
	compiledCP  string
	compileErr  error
)

// curatorClasspath compiles CuratorBench once per process against Debian's
// jars; a missing javac or Curator returns an error wrapping
// ErrUnavailable.
func curatorClasspath(ctx context.Context) (string, error) {
	compileOnce.Do(func() {
		compiledCP, _, compileErr = compileJava(ctx, "CuratorBench", curatorBenchSrc,
			"curator-recipes", "curator-x-discovery", "zookeeper")
	})
	return compiledCP, compileErr
}

// Curator is a running CuratorBench JVM for one recipe.
type Curator struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	out    *bufio.Scanner
	stderr syncBuffer
}

// syncBuffer is a strings.Builder safe for the exec goroutine writing
// stderr while an error message reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// StartCurator starts CuratorBench for recipe against addr, with the
// recipe's nodes under path, and waits until it is ready.
func StartCurator(ctx context.Context, recipe, addr, path string) (*Curator, error) {
	cp, err := curatorClasspath(ctx)
	if err != nil {
		return nil, err
	}
	c := &Curator{cmd: exec.Command("java", "-cp", cp, "CuratorBench", recipe, addr, path)}
	c.cmd.Stderr = &c.stderr
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: java: %w", ErrUnavailable, err)
	}
	c.out = bufio.NewScanner(stdout)
	if _, err := c.expect(ctx, "READY"); err != nil {
		_ = c.Close()
		return nil, err
	}
	return c, nil
}

// expect reads lines until one starting with prefix, returning its rest.
func (c *Curator) expect(ctx context.Context, prefix string) (string, error) {
	type line struct {
		s  string
		ok bool
	}
	got := make(chan line, 1)
	go func() {
		for c.out.Scan() {
			if rest, ok := strings.CutPrefix(c.out.Text(), prefix); ok {
				got <- line{rest, true}
				return
			}
		}
		got <- line{}
	}()
	select {
	case l := <-got:
		if !l.ok {
			return "", fmt.Errorf("harness: CuratorBench ended before %q: %s", prefix, c.stderr.String())
		}
		return strings.TrimSpace(l.s), nil
	case <-ctx.Done():
		_ = c.cmd.Process.Kill() // unblocks the reader
		<-got
		return "", ctx.Err()
	}
}

// Run has the JVM do n operations and returns the bytes its threads
// allocated meanwhile.
func (c *Curator) Run(ctx context.Context, n int) (allocated int64, err error) {
	if _, err := fmt.Fprintln(c.stdin, n); err != nil {
		return 0, err
	}
	rest, err := c.expect(ctx, "DONE")
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(rest, 10, 64)
}

// Close ends the JVM.
func (c *Curator) Close() error {
	_ = c.stdin.Close()
	err := c.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("harness: CuratorBench: %w: %s", err, c.stderr.String())
	}
	return err
}
