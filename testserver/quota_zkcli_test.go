package testserver

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/testserver/realzk"
)

// zkCliQuotaScript is what an operator types into zkCli: set quotas,
// change the subtree, list them, remove them.
const zkCliQuotaScript = `create /r x
setquota -n 10 /r
create /r/a hello
setquota -b 100 /r
create /r/a/b
set /r/a hi
delete /r/a/b
listquota /r
get /zookeeper/quota/r/zookeeper_stats
delquota -n /r
listquota /r
delquota /r
listquota /r
ls /zookeeper/quota/r
quit
`

// TestQuotaWithZkCli runs ZooKeeper 3.8's own zkCli (ZooKeeperMain) with
// setquota, listquota and delquota against the embedded server and
// against a real one: the outputs must be the same. Needs
// ZKCURATOR_REAL_ZK=1 (Java and ZooKeeper installed; missing ones fail).
func TestQuotaWithZkCli(t *testing.T) {
	if os.Getenv("ZKCURATOR_REAL_ZK") != "1" {
		t.Skip("needs Java and ZooKeeper: set ZKCURATOR_REAL_ZK=1")
	}
	inst, err := realzk.Find()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	real, err := realzk.Start(ctx, realzk.Options{Logf: t.Logf})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, real.Close()) })
	emb := New(t)

	run := func(addr string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, inst.Java, "-cp", strings.Join(inst.ClassPath, ":"),
			"org.apache.zookeeper.ZooKeeperMain", "-server", addr)
		cmd.Stdin = strings.NewReader(zkCliQuotaScript)
		out, err := cmd.CombinedOutput()
		// zkCli exits with the last command's status: ls of the
		// removed quota node fails, so both exit 1.
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee, "%s", out)
		require.Equal(t, 1, ee.ExitCode(), "%s", out)
		var keep []string
		for _, l := range strings.Split(string(out), "\n") {
			// Keep the commands' answers, not the client's logging.
			if l == "" || strings.Contains(l, "WATCHER::") || strings.HasPrefix(l, "WatchedEvent") ||
				logLine.MatchString(l) || strings.HasPrefix(l, "Connecting to") {
				continue
			}
			keep = append(keep, l)
		}
		return strings.Join(keep, "\n")
	}
	want := run(real.Addr(0))
	require.Contains(t, want, "Output stat for /r count=2,bytes=3")
	require.Equal(t, want, run(emb.Addr()))
}

// logLine matches a log4j/logback line of the Java client.
var logLine = regexp.MustCompile(`^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d|^\s+at |^(SLF4J|log4j):`)
