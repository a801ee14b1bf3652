package main

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/zk"
)

// ptyOutput collects what the program writes to the terminal.
type ptyOutput struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *ptyOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *ptyOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// TestShellCompletesPaths drives the interactive shell through a
// pseudo-terminal: it types "ls /<prefix><TAB>", reads the completed line
// back, runs it, and leaves with ctrl-D.
func TestShellCompletesPaths(t *testing.T) {
	forTargets(t, func(t *testing.T, tg target, base string) {
		c := client(t, tg.connect)
		ctx := testCtx(t)
		require.NoError(t, c.EnsurePath(ctx, base+"/child-one"))
		_, err := c.Create(ctx, base+"/child-one/leaf", nil, zk.ModePersistent, nil)
		require.NoError(t, err)

		cctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(cctx, zkcBin, "--server", tg.connect)
		cmd.Env = append(cmd.Environ(), "HOME="+t.TempDir(), "TERM=xterm")
		tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
		require.NoError(t, err)
		defer tty.Close()
		out := &ptyOutput{}
		copied := make(chan struct{})
		go func() {
			defer close(copied)
			_, _ = io.Copy(out, tty)
		}()

		waitFor(t, "the prompt", func() bool { return strings.Contains(out.String(), "zkc> ") })
		prefix := base[:len(base)-3] // unique enough: the base path minus its last digits
		_, err = io.WriteString(tty, "ls "+prefix+"\t")
		require.NoError(t, err)
		// The only match has children, so it completes with a trailing slash.
		waitFor(t, "the completed path", func() bool { return strings.Contains(out.String(), base+"/") })
		_, err = io.WriteString(tty, "ch\t")
		require.NoError(t, err)
		waitFor(t, "the completed child", func() bool { return strings.Contains(out.String(), base+"/child-one/") })
		_, err = io.WriteString(tty, "\r")
		require.NoError(t, err)
		waitFor(t, "the listing", func() bool { return strings.Contains(out.String(), "leaf") })

		// A failing command prints its error and the shell goes on.
		_, err = io.WriteString(tty, "get "+base+"/missing\r")
		require.NoError(t, err)
		waitFor(t, "the error", func() bool { return strings.Contains(out.String(), "node does not exist") })

		_, err = io.WriteString(tty, "\x04") // ctrl-D
		require.NoError(t, err)
		require.NoError(t, cmd.Wait())
		_ = tty.Close()
		<-copied
		require.NotContains(t, out.String(), "panic")
	})
}
