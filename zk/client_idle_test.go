package zk_test

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// clientGoroutines counts the goroutines running code of this module's
// client packages (not the in-process test server's, not the test's own).
func clientGoroutines() int {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "zkcurator/zk.") || strings.Contains(g, "zkcurator/internal/listeners.") {
			if !strings.Contains(g, "zkcurator/testserver") && !strings.Contains(g, "zk_test.") {
				n++
			}
		}
	}
	return n
}

// TestIdleClientGoroutines: an idle Client holds at most 4 goroutines
// (issue #15: a thousand Clients in one process): the Conn's reader, its
// session loop (which writes), its event goroutine and the Client's
// session owner. The delete worker and the state listeners' goroutine run
// only while they have work.
func TestIdleClientGoroutines(t *testing.T) {
	const n = 20
	srv := zktest.Server(t)
	before := clientGoroutines()
	for range n {
		c, err := zk.Connect(opCtx(t), srv.ConnectString())
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
	}
	zktest.Eventually(t, func() bool { return clientGoroutines()-before <= 4*n },
		"idle Clients hold at most 4 goroutines each")
	require.Greater(t, clientGoroutines()-before, 2*n, "the count sees the Clients' goroutines")
}
