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
	addr, _ := target(t)
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
