package nemesis

import (
	"bufio"
	"net"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

// echoServer echoes every line back; closed when the test ends.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	t.Cleanup(func() { _ = ln.Close(); <-done })
	go func() {
		defer close(done)
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				_ = c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
			go func() {
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					if _, err := c.Write(append(sc.Bytes(), '\n')); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(t *testing.T, c net.Conn, r *bufio.Reader, msg string, within time.Duration) (string, error) {
	t.Helper()
	require.NoError(t, c.SetDeadline(time.Now().Add(within)))
	if _, err := c.Write([]byte(msg + "\n")); err != nil {
		return "", err
	}
	line, err := r.ReadString('\n')
	return line, err
}

func TestProxyPassesDropsBlackholesAndDelays(t *testing.T) {
	p, err := NewProxy(echoServer(t))
	require.NoError(t, err)
	defer p.Close()

	c, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer c.Close()
	r := bufio.NewReader(c)
	got, err := roundTrip(t, c, r, "hello", 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, "hello\n", got)

	// Blackhole: nothing comes back, the connection stays open...
	p.Blackhole()
	_, err = roundTrip(t, c, r, "held", 200*time.Millisecond)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded, "no reply through a blackhole")
	// ...and after Heal the held bytes arrive.
	p.Heal()
	require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
	got, err = r.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "held\n", got)

	// Latency: a reply takes at least the latency each way.
	p.SetLatency(100 * time.Millisecond)
	start := time.Now()
	_, err = roundTrip(t, c, r, "slow", 10*time.Second)
	require.NoError(t, err)
	require.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond)
	p.Heal()

	// Drop: the connection is closed.
	require.Equal(t, 1, p.Drop())
	_, err = roundTrip(t, c, r, "gone", 10*time.Second)
	require.Error(t, err)
}

func TestExpireEndsTheSessionFromASecondConnection(t *testing.T) {
	s := zktest.Embedded(t)
	c, states := zktest.ConnectRecorded(t, s.Addr())
	first := c.SessionID()
	rec := &history.Recorder{}
	n := New(Config{Direct: s.Addr(), SessionTimeout: zktest.SessionTimeout, Sink: rec})
	target := &Target{Name: "c", Session: func() (int64, []byte) {
		return c.Conn().SessionID(), c.Conn().Password()
	}}
	require.NoError(t, n.expire(zktest.Context(t), target))
	zktest.Eventually(t, func() bool { return slices.Contains(states.Items(), zk.Lost) }, "Lost")
	zktest.Eventually(t, func() bool { return c.SessionID() != first && c.State().IsConnected() }, "a new session")
	require.Equal(t, 1, rec.Count(history.Revoke))
	require.Equal(t, 1, n.Counts()[Expire])
}
