package zktest

import (
	"context"
	"fmt"
	"io"
	"net"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { Main(m) }

// ruok sends the four-letter word ruok to addr and returns the answer.
func ruok(t *testing.T, addr string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = io.WriteString(c, "ruok")
	require.NoError(t, err)
	b, err := io.ReadAll(c)
	require.NoError(t, err)
	return string(b)
}

func TestServerEmbeddedByDefault(t *testing.T) {
	t.Setenv(EnvTarget, "")
	s := Server(t)
	require.Equal(t, KindEmbedded, s.Kind())
	require.True(t, strings.HasPrefix(s.ConnectString(), "127.0.0.1:"), s.ConnectString())
	// Each call is a separate embedded server.
	require.NotEqual(t, s.ConnectString(), Server(t).ConnectString())

	t.Setenv(EnvTarget, KindEmbedded)
	require.Equal(t, KindEmbedded, Server(t).Kind())
}

func TestServerRealIsShared(t *testing.T) {
	RequireReal(t)
	t.Setenv(EnvTarget, KindReal)
	s := Server(t)
	require.Equal(t, KindReal, s.Kind())
	require.Equal(t, s.ConnectString(), Server(t).ConnectString())
	require.Equal(t, "imok", ruok(t, s.ConnectString()))
}

func TestRealEnsembleStandalone(t *testing.T) {
	e := RealEnsemble(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := e.FourLetter(ctx, 0, "ruok")
	require.NoError(t, err)
	require.Equal(t, "imok", out)
}

func TestRequireRealSkipsWhenUnset(t *testing.T) {
	t.Setenv(EnvReal, "")
	ran := false
	t.Run("gated", func(t *testing.T) {
		RequireReal(t)
		ran = true
	})
	require.False(t, ran, "RequireReal must skip without %s=1", EnvReal)
}

// fakeTB records Fatalf instead of failing the real test, and ends the
// goroutine as t.Fatal does.
type fakeTB struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.msg = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func TestEventually(t *testing.T) {
	n := 0
	Eventually(t, func() bool { n++; return n == 3 }, "three calls")
	require.Equal(t, 3, n)

	old := eventuallyTimeout
	eventuallyTimeout = 50 * time.Millisecond
	defer func() { eventuallyTimeout = old }()
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Eventually(f, func() bool { return false }, "never")
	}()
	<-done
	require.Contains(t, f.msg, "timed out")
}

func TestEventuallyCtx(t *testing.T) {
	n := 0
	EventuallyCtx(t, context.Background(), func() bool { n++; return n == 3 }, "three calls")
	require.Equal(t, 3, n)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		EventuallyCtx(f, ctx, func() bool { return false }, "never")
	}()
	<-done
	require.Contains(t, f.msg, "waiting for never")
	require.Contains(t, f.msg, "deadline exceeded")
}

func TestUniquePath(t *testing.T) {
	re := regexp.MustCompile(`^/zkt-[A-Za-z0-9._-]+-[0-9a-f]{16}$`)
	p1, p2 := UniquePath(t), UniquePath(t)
	require.NotEqual(t, p1, p2)
	require.Regexp(t, re, p1)
	require.True(t, strings.HasPrefix(p1, "/zkt-TestUniquePath-"), p1)
	t.Run("sub test/with odd:chars é", func(t *testing.T) {
		p := UniquePath(t)
		require.Regexp(t, re, p)
		require.Equal(t, 1, strings.Count(p, "/"), p)
	})
	t.Run(strings.Repeat("long", 50), func(t *testing.T) {
		require.LessOrEqual(t, len(UniquePath(t)), len("/zkt-")+maxNameLen+1+16)
	})
}

// BulkContext ends before the binary's -timeout (so the test fails with
// its own error) and outlives Context's minute when the binary allows it.
func TestBulkContextFollowsBinaryDeadline(t *testing.T) {
	var ctx context.Context
	t.Run("inner", func(t *testing.T) {
		ctx = BulkContext(t)
		got, ok := ctx.Deadline()
		require.True(t, ok, "never unbounded")
		if end, ok := t.Deadline(); ok {
			require.Equal(t, end.Add(-bulkGrace), got)
		} else {
			require.WithinDuration(t, time.Now().Add(bulkDefault), got, time.Minute)
		}
		require.NoError(t, ctx.Err())
	})
	require.ErrorIs(t, ctx.Err(), context.Canceled, "cancelled when the test ends")
}
