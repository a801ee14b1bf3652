package testserver

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func fourLetter(t *testing.T, addr, cmd string) string {
	t.Helper()
	nc := dialRaw(t, addr)
	_, err := nc.Write([]byte(cmd))
	require.NoError(t, err)
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(nc)
	require.NoError(t, err)
	return string(b)
}

func TestFourLetterWords(t *testing.T) {
	addr, _ := target(t, WithFourLetterWords("*"))
	c := newSession(t, addr)
	require.Equal(t, "imok", fourLetter(t, addr, "ruok"))
	require.Equal(t, "rw", fourLetter(t, addr, "isro"))
	srvr := fourLetter(t, addr, "srvr")
	require.Regexp(t, `^Zookeeper version: 3\.8\.0-.*\nLatency min/avg/max: .*\nReceived: \d+\nSent: \d+\nConnections: \d+\nOutstanding: 0\nZxid: 0x[0-9a-f]+\nMode: standalone\nNode count: \d+\n$`, srvr)
	stat := fourLetter(t, addr, "stat")
	require.Regexp(t, `(?s)^Zookeeper version: .*\nClients:\n /127\.0\.0\.1:\d+\[\d\]\(queued=0,recved=\d+,sent=\d+\)\n.*Mode: standalone\n`, stat)
	mntr := fourLetter(t, addr, "mntr")
	require.Contains(t, mntr, "zk_server_state\tstandalone\n")
	require.Regexp(t, `zk_version\t3\.8\.0-`, mntr)
	require.Contains(t, fourLetter(t, addr, "conf"), "tickTime=100\n")
	require.Contains(t, fourLetter(t, addr, "cons"), "/127.0.0.1:")
	require.Regexp(t, `^\d+ connections watching \d+ paths\nTotal watches:\d+\n$`, fourLetter(t, addr, "wchs"))
	require.EqualValues(t, 0, c.ping().Err)
}

// TestFourLetterWhitelist: by default only srvr answers (ZooKeeper 3.8's
// whitelist); other words get ZooKeeper's refusal; the option widens it.
func TestFourLetterWhitelist(t *testing.T) {
	s := embedded(t)
	require.Regexp(t, `^Zookeeper version: `, fourLetter(t, s.Addr(), "srvr"))
	for _, w := range []string{"ruok", "cons", "stat", "mntr", "conf", "wchs", "isro", "envi", "dump"} {
		require.Equal(t, w+" is not executed because it is not in the whitelist.\n", fourLetter(t, s.Addr(), w), w)
	}
	s = embedded(t, WithFourLetterWords(" ruok , cons", "mntr"))
	require.Equal(t, "imok", fourLetter(t, s.Addr(), "ruok"))
	require.Contains(t, fourLetter(t, s.Addr(), "cons"), "/127.0.0.1:")
	require.Contains(t, fourLetter(t, s.Addr(), "mntr"), "zk_version")
	require.Regexp(t, `^Zookeeper version: `, fourLetter(t, s.Addr(), "srvr"))
	require.Equal(t, "stat is not executed because it is not in the whitelist.\n", fourLetter(t, s.Addr(), "stat"))
	s = embedded(t, WithFourLetterWords("*"))
	require.Equal(t, "rw", fourLetter(t, s.Addr(), "isro"))
	// readonlymode.enabled answers isro without widening the whitelist; a
	// server in read-only mode answers it either way.
	s = embedded(t, WithReadOnlyMode(true))
	require.Equal(t, "rw", fourLetter(t, s.Addr(), "isro"))
	require.Equal(t, "ruok is not executed because it is not in the whitelist.\n", fourLetter(t, s.Addr(), "ruok"))
	s = embedded(t)
	s.SetReadOnly(true)
	require.Equal(t, "ro", fourLetter(t, s.Addr(), "isro"))
}
