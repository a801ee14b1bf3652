package testserver

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

// logLines is a slog.Handler that keeps the messages logged at Info or
// above.
type logLines struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logLines) Enabled(context.Context, slog.Level) bool { return true }
func (l *logLines) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logLines) WithGroup(string) slog.Handler            { return l }
func (l *logLines) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelInfo {
		l.mu.Lock()
		l.msgs = append(l.msgs, r.Message)
		l.mu.Unlock()
	}
	return nil
}

// count returns how many messages contain sub.
func (l *logLines) count(sub string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.msgs {
		if strings.Contains(m, sub) {
			n++
		}
	}
	return n
}

// closedByServer reports whether the server closed nc: a read sees EOF or
// a reset within the timeout.
func closedByServer(t *testing.T, nc net.Conn, timeout time.Duration) bool {
	t.Helper()
	require.NoError(t, nc.SetReadDeadline(time.Now().Add(timeout)))
	_, err := nc.Read(make([]byte, 64))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return err != nil
}

// TestMaxClientConnsPerIP: past WithMaxClientConns connections from one
// IP, a new connection is closed unanswered and a warning logged, like
// ZooKeeper's "Too many connections from ... - max is ...".
func TestMaxClientConnsPerIP(t *testing.T) {
	logs := &logLines{}
	s := embedded(t, WithMaxClientConns(3), WithLogger(slog.New(logs)))
	var held []*tclient
	for range 3 {
		held = append(held, newSession(t, s.Addr()))
	}
	extra := dialRaw(t, s.Addr())
	b, start := jute.BeginFrame(nil)
	b = (&jute.ConnectRequest{TimeOut: 10000, Passwd: make([]byte, 16)}).Encode(b)
	_, _ = extra.Write(jute.EndFrame(b, start))
	require.True(t, closedByServer(t, extra, 10*time.Second), "the 4th connection from 127.0.0.1 must be closed")
	require.Equal(t, 1, logs.count("Too many connections from /127.0.0.1 - max is 3"))
	for _, c := range held {
		require.EqualValues(t, 0, c.ping().Err, "held connections are untouched")
	}
	// A slot frees when a connection ends.
	held[0].closeSession()
	waitUntil(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.perIP["127.0.0.1"] == 2
	}, "the closed connection leaving the count")
	newSession(t, s.Addr())
}

// TestMaxClientConnsDefault: 60 like ZooKeeper, shown by conf.
func TestMaxClientConnsDefault(t *testing.T) {
	s := embedded(t, WithFourLetterWords("conf"))
	require.Contains(t, fourLetter(t, s.Addr(), "conf"), "maxClientCnxns=60\n")
	s = embedded(t, WithFourLetterWords("conf"), WithMaxClientConns(0))
	require.Contains(t, fourLetter(t, s.Addr(), "conf"), "maxClientCnxns=0\n")
}

// TestHandshakeDeadline: a connection that sends nothing, or only part
// of its ConnectRequest, is closed at the deadline; one that completed its
// handshake is not.
func TestHandshakeDeadline(t *testing.T) {
	logs := &logLines{}
	s := embedded(t, WithHandshakeTimeout(200*time.Millisecond), WithLogger(slog.New(logs)))
	silent := dialRaw(t, s.Addr())
	partial := dialRaw(t, s.Addr())
	_, err := partial.Write([]byte{0, 0, 0, 44, 0, 0, 0, 0})
	require.NoError(t, err)
	good := newSession(t, s.Addr())
	require.True(t, closedByServer(t, silent, 10*time.Second), "silent connection kept")
	require.True(t, closedByServer(t, partial, 10*time.Second), "half-sent handshake kept")
	require.Equal(t, 2, logs.count("no handshake within the deadline"))
	// Both were closed after the deadline, so it has passed for good too.
	require.EqualValues(t, 0, good.ping().Err)
}

// TestHandshakeDeadlineDefault: 10s like zookeeper.nio.sessionlessCnxnTimeout.
func TestHandshakeDeadlineDefault(t *testing.T) {
	require.Equal(t, 10*time.Second, defaultConfig().handshakeTimeout)
	require.Equal(t, 60, defaultConfig().maxClientConns)
	require.EqualValues(t, 64<<20, defaultConfig().maxQueued)
}

// TestReadFrameGrowsWithBytes: announcing a 1 MiB-minus-one frame and
// sending 10 bytes allocates kilobytes, not the announced size.
func TestReadFrameGrowsWithBytes(t *testing.T) {
	in := make([]byte, 4+10)
	binary.BigEndian.PutUint32(in, jute.DefaultMaxBuffer)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 200 {
		_, err := readFrame(strings.NewReader(string(in)), jute.DefaultMaxBuffer)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	}
	runtime.ReadMemStats(&after)
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(20<<20), "200 short frames allocated the announced sizes")
	// Frames of every size still read whole.
	for _, n := range []int{0, 1, readChunk - 1, readChunk, readChunk + 1, 3*readChunk + 7, jute.DefaultMaxBuffer} {
		b := make([]byte, 4+n)
		binary.BigEndian.PutUint32(b, uint32(n))
		for i := range n {
			b[4+i] = byte(i)
		}
		got, err := readFrame(&oneByteAtATimeIfSmall{b: b}, jute.DefaultMaxBuffer)
		require.NoError(t, err)
		require.Equal(t, b[4:], got, "n=%d", n)
	}
}

// oneByteAtATimeIfSmall is a reader that returns short reads.
type oneByteAtATimeIfSmall struct{ b []byte }

func (r *oneByteAtATimeIfSmall) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(r.b), 1000)
	copy(p, r.b[:n])
	r.b = r.b[n:]
	return n, nil
}

// TestHugeLengthPrefixesHoldLittleMemory: 200 connections each announcing
// a 1 MiB-minus-one handshake and sending 10 bytes do not make the server
// allocate 200 MiB.
func TestHugeLengthPrefixesHoldLittleMemory(t *testing.T) {
	s := embedded(t, WithMaxClientConns(0))
	const n = 200
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	msg := make([]byte, 4+10)
	binary.BigEndian.PutUint32(msg, jute.DefaultMaxBuffer)
	for range n {
		nc := dialRaw(t, s.Addr())
		_, err := nc.Write(msg)
		require.NoError(t, err)
	}
	// Wait until every connection's reader is parked in readFrameBody,
	// past the point where it would have allocated the announced size.
	waitUntil(t, func() bool { return goroutinesIn("testserver.readFrameBody") >= n }, "readers waiting for the rest of the frames")
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	grew := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d KiB for %d connections", grew>>10, n)
	require.Less(t, grew, uint64(40<<20), "the server allocated the announced frame sizes")
	s.mu.Lock()
	require.Len(t, s.conns, n)
	s.mu.Unlock()
}

// goroutinesIn counts the goroutines whose stack contains fn.
func goroutinesIn(fn string) int {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) {
			n++
		}
	}
	return n
}

// failingListener fails every Accept with EMFILE until closed.
type failingListener struct {
	mu     sync.Mutex
	calls  []time.Time
	closed chan struct{}
	once   sync.Once
}

func (l *failingListener) Accept() (net.Conn, error) {
	select {
	case <-l.closed:
		return nil, net.ErrClosed
	default:
	}
	l.mu.Lock()
	l.calls = append(l.calls, time.Now())
	l.mu.Unlock()
	return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept", syscall.EMFILE)}
}

func (l *failingListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *failingListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

func (l *failingListener) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.calls)
}

// TestAcceptErrorBackoff: a listener failing with EMFILE is retried after
// 5ms, 10ms, 20ms... (not in a busy loop) and logged once a second at most.
func TestAcceptErrorBackoff(t *testing.T) {
	logs := &logLines{}
	cfg := defaultConfig()
	cfg.logger = slog.New(logs)
	s, err := newServer(cfg)
	require.NoError(t, err)
	ln := &failingListener{closed: make(chan struct{})}
	start := time.Now()
	s.serveListener(ln)
	waitUntil(t, func() bool { return ln.count() >= 7 }, "seven accept attempts")
	elapsed := time.Since(start)
	s.mu.Lock()
	s.ln = nil
	s.mu.Unlock()
	_ = ln.Close()
	close(s.done)
	s.connWG.Wait()
	// The loop has ended: every line it logged came between start and now.
	// (Counted against elapsed, a line logged after the 7th attempt, with
	// elapsed just under a whole second on a slow machine, would fail it.)
	ran := time.Since(start)
	// 6 waits of 5+10+20+40+80+160 ms come before the 7th attempt.
	require.GreaterOrEqual(t, elapsed, 300*time.Millisecond, "accept retried without backing off")
	require.LessOrEqual(t, logs.count("accept failed"), int(ran/time.Second)+1, "accept errors logged more than once a second")
	require.Equal(t, []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond,
		80 * time.Millisecond, 160 * time.Millisecond, 320 * time.Millisecond, 640 * time.Millisecond, time.Second, time.Second},
		[]time.Duration{acceptBackoff(1), acceptBackoff(2), acceptBackoff(3), acceptBackoff(4), acceptBackoff(5),
			acceptBackoff(6), acceptBackoff(7), acceptBackoff(8), acceptBackoff(9), acceptBackoff(30)})
}

// TestServerWideReplyCap: clients that send requests and never read fill
// the server-wide reply queue; the largest backlogs are closed first and
// a client that reads keeps its session, and the total stays bounded.
func TestServerWideReplyCap(t *testing.T) {
	const capBytes = 4 << 20
	logs := &logLines{}
	s := embedded(t, WithMaxQueuedBytes(capBytes), withOutputLimit(256<<20), WithLogger(slog.New(logs)))
	good := newSession(t, s.Addr())
	root := testRoot(t)
	big := make([]byte, 512<<10)
	good.mustCreate(root, big, jute.FlagPersistent)

	var hogs []*tclient
	for range 2 {
		h := newSession(t, s.Addr())
		if tc, ok := h.nc.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(4 << 10)
		}
		hogs = append(hogs, h)
	}
	// Each hog asks for ~100 MiB of replies and reads none of them.
	for _, h := range hogs {
		var b []byte
		for i := range 200 {
			req := jute.GetDataRequest{Path: root}
			frame, start := jute.BeginFrame(nil)
			hdr := jute.RequestHeader{Xid: int32(i + 1), Type: jute.OpGetData}
			frame = req.Encode(hdr.Encode(frame))
			b = append(b, jute.EndFrame(frame, start)...)
		}
		go func(nc net.Conn) { _, _ = nc.Write(b) }(h.nc)
	}
	waitUntil(t, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.conns) == 1
	}, "both hogs closed")
	require.GreaterOrEqual(t, logs.count("largest reply backlog"), 2)
	require.LessOrEqual(t, s.queued.Load(), int64(capBytes))
	d, code := good.getData(root, false)
	require.EqualValues(t, 0, code)
	require.Len(t, d.Data, len(big))
}
