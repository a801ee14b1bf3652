package lock

import (
	"testing"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

// waitParticipants waits until path has n children.
func waitParticipants(t testing.TB, c *zk.Client, path string, n int) {
	t.Helper()
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, c, path)) == n }, "participants")
}
