package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

func TestWatch(t *testing.T) {
	forTargets(t, func(t *testing.T, tg target, base string) {
		c := client(t, tg.connect)
		ctx := testCtx(t)
		require.NoError(t, c.EnsurePath(ctx, base))

		cmd := exec.CommandContext(ctx, zkcBin, "--server", tg.connect, "--json", "watch", "-R", "--zxid", "--count", "3", base)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		stderr, err := cmd.StderrPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		// The watch is set once zkc says so on stderr.
		line, err := bufio.NewReader(stderr).ReadString('\n')
		require.NoError(t, err)
		require.Contains(t, line, "watching "+base)

		_, err = c.Create(ctx, base+"/a", []byte("1"), zk.ModePersistent, nil)
		require.NoError(t, err)
		st, err := c.Set(ctx, base+"/a", []byte("2"), zk.AnyVersion)
		require.NoError(t, err)
		require.NoError(t, c.Delete(ctx, base+"/a", zk.AnyVersion))

		var lines []watchLine
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var l watchLine
			require.NoError(t, json.Unmarshal(sc.Bytes(), &l), sc.Text())
			lines = append(lines, l)
		}
		require.NoError(t, cmd.Wait(), "watch --count 3 exits 0 after three events")
		require.Len(t, lines, 3)
		require.Equal(t, []string{"NodeCreated", "NodeDataChanged", "NodeDeleted"}, []string{lines[0].Type, lines[1].Type, lines[2].Type})
		for _, l := range lines {
			require.Equal(t, base+"/a", l.Path)
		}
		// The mzxid read after the change is the change's zxid or a later
		// one (0 when the node was deleted before zkc read it).
		if lines[1].Mzxid != 0 {
			require.GreaterOrEqual(t, lines[1].Mzxid, st.Mzxid)
		}
	})
}

func TestSessionsAndACL(t *testing.T) {
	forTargets(t, func(t *testing.T, tg target, base string) {
		cs := tg.connect
		c := client(t, cs)
		ctx := testCtx(t)
		require.NoError(t, c.EnsurePath(ctx, base+"/svc"))
		_, err := c.Create(ctx, base+"/svc/e1", nil, zk.ModeEphemeral, nil)
		require.NoError(t, err)
		_, err = c.Create(ctx, base+"/e2", nil, zk.ModeEphemeral, nil)
		require.NoError(t, err)
		_, err = c.Create(ctx, base+"/box", nil, zk.ModeContainer, nil)
		require.NoError(t, err)
		_, err = c.Create(ctx, base+"/box/x", nil, zk.ModePersistent, nil)
		require.NoError(t, err)

		var eph []ephemeralJSON
		okJSON(t, cs, &eph, "ephemerals", base)
		require.Equal(t, []ephemeralJSON{{Session: hexID(c.SessionID()), Paths: []string{base + "/e2", base + "/svc/e1"}}}, eph)
		okJSON(t, cs, &eph, "ephemerals", "--session", hexID(c.SessionID()+1), base)
		require.Empty(t, eph)
		require.Contains(t, ok(t, cs, "ephemerals", "--session", hexID(c.SessionID()), base), base+"/svc/e1")

		var who struct {
			SessionID string `json:"sessionId"`
			Server    string `json:"server"`
			State     string `json:"state"`
		}
		okJSON(t, cs, &who, "whoami")
		require.Regexp(t, `^0x[0-9a-f]+$`, who.SessionID)
		require.NotEqual(t, hexID(c.SessionID()), who.SessionID)
		require.NotEmpty(t, who.Server)

		var acl []aclJSON
		okJSON(t, cs, &acl, "getacl", base)
		require.Equal(t, []aclJSON{{"world", "anyone", "cdrwa"}}, acl)
		r := zkc(t, cs, "setacl", "--version", "7", base, "world:anyone:cdrwa")
		require.Equal(t, exitError, r.code, r.stderr)
		require.Contains(t, r.stderr, "version")
		require.Contains(t, ok(t, cs, "setacl", "-R", base, "world:anyone:cdr"), "ACL set on 6 nodes")
		require.Equal(t, "world:anyone:cdr\n", ok(t, cs, "getacl", base+"/svc/e1"))
		r = zkc(t, cs, "set", base+"/svc", "x")
		require.Equal(t, exitNoAuth, r.code, r.stderr)
		r = zkc(t, cs, "setacl", base, "world:anyone:xyz")
		require.Equal(t, exitUsage, r.code, r.stderr)
		// Without the admin permission the ACL cannot be changed back.
		r = zkc(t, cs, "setacl", base, "world:anyone:cdrwa")
		require.Equal(t, exitNoAuth, r.code, r.stderr)
	})
}

// curatorNode creates a recipe node the way Curator does: protected,
// ephemeral-sequential, under path, named <lockName><seq>.
func curatorNode(t *testing.T, c *zk.Client, path, lockName, data string) string {
	t.Helper()
	p, _, err := c.CreateWith(testCtx(t), path+"/"+lockName, []byte(data), zk.CreateOptions{
		Mode: zk.ModeEphemeralSequential, Protected: true, CreateParentContainers: true,
	})
	require.NoError(t, err)
	return p
}

func TestRecipes(t *testing.T) {
	forTargets(t, func(t *testing.T, tg target, base string) {
		cs := tg.connect
		c1, c2 := client(t, cs), client(t, cs)

		// A mutex: c1 holds, c2 then c1 (re-queued) wait.
		h := curatorNode(t, c1, base+"/lock", "lock-", "")
		w := curatorNode(t, c2, base+"/lock", "lock-", "")
		var parts []participant
		okJSON(t, cs, &parts, "locks", base+"/lock")
		require.Len(t, parts, 2)
		require.Equal(t, h, parts[0].Path)
		require.True(t, parts[0].Holds)
		require.Equal(t, w, parts[1].Path)
		require.False(t, parts[1].Holds)
		require.Less(t, parts[0].FencingToken, parts[1].FencingToken)
		require.Equal(t, hexID(c1.SessionID()), parts[0].Owner)
		require.Equal(t, "connected", parts[0].Session)
		require.Equal(t, "0000000000", parts[0].Sequence)
		require.Contains(t, ok(t, cs, "locks", base+"/lock"), "HOLDS")

		// A read-write lock: two readers hold, the writer after them waits.
		curatorNode(t, c1, base+"/rw", "__READ__", "")
		curatorNode(t, c2, base+"/rw", "__READ__", "")
		curatorNode(t, c1, base+"/rw", "__WRIT__", "")
		okJSON(t, cs, &parts, "locks", base+"/rw")
		require.Equal(t, []bool{true, true, false}, []bool{parts[0].Holds, parts[1].Holds, parts[2].Holds})
		require.Equal(t, []string{"read", "read", "write"}, []string{parts[0].Kind, parts[1].Kind, parts[2].Kind})

		// An election: the first latch node leads; ids are the data.
		curatorNode(t, c2, base+"/leader", "latch-", "node-b")
		curatorNode(t, c1, base+"/leader", "latch-", "node-a")
		okJSON(t, cs, &parts, "leader", base+"/leader")
		require.Len(t, parts, 2)
		require.Equal(t, "node-b", parts[0].Data)
		require.True(t, parts[0].Holds)
		require.Contains(t, ok(t, cs, "leader", base+"/leader"), `LEADER   latch  seq=0000000000`)

		// A semaphore with max 1: one lease holds, one waits; one acquirer on the lock.
		curatorNode(t, c1, base+"/sem/leases", "lease-", "")
		curatorNode(t, c2, base+"/sem/leases", "lease-", "")
		curatorNode(t, c2, base+"/sem/locks", "lock-", "")
		var sem struct {
			Leases  []participant `json:"leases"`
			Waiters []participant `json:"waiters"`
		}
		okJSON(t, cs, &sem, "semaphore", "--max", "1", base+"/sem")
		require.Len(t, sem.Leases, 2)
		require.True(t, sem.Leases[0].Holds)
		require.False(t, sem.Leases[1].Holds)
		require.Len(t, sem.Waiters, 1)

		r := zkc(t, cs, "locks", base+"/none")
		require.Equal(t, exitNotFound, r.code, r.stderr)
		r = zkc(t, cs, "semaphore", base+"/none")
		require.Equal(t, exitNotFound, r.code, r.stderr)
	})
}

func TestFourLetterWordsAndHealth(t *testing.T) {
	forTargets(t, func(t *testing.T, tg target, _ string) {
		cs := tg.connect
		require.Equal(t, "imok\n", ok(t, cs, "ruok"))
		var ans []serverAnswer
		okJSON(t, cs, &ans, "srvr")
		require.Len(t, ans, 1)
		require.Equal(t, "standalone", ans[0].Values["Mode"])
		require.Contains(t, ans[0].Values, "Node count")
		okJSON(t, cs, &ans, "srvstat") // the 'stat' word ("stat" is the node command)
		require.Contains(t, ans[0].Values, "Mode")
		okJSON(t, cs, &ans, "mntr")
		require.Contains(t, ans[0].Values, "zk_znode_count")
		require.Contains(t, ok(t, cs, "cons"), "queued=")
		okJSON(t, cs, &ans, "conf")
		require.Contains(t, ans[0].Values, "clientPort")

		var hs []health
		okJSON(t, cs, &hs, "health")
		require.Len(t, hs, 1)
		require.True(t, hs[0].OK)
		require.Equal(t, "standalone", hs[0].Mode)
		require.True(t, strings.HasPrefix(hs[0].Version, "3."), hs[0].Version)

		// One member down: health names it and exits 4.
		r := zkc(t, cs+",127.0.0.1:1", "--timeout", "2s", "health")
		require.Equal(t, exitConn, r.code, r.stderr)
		require.Contains(t, r.stdout, "127.0.0.1:1")
		require.Contains(t, r.stdout, "DOWN")
	})
}

// waitFor polls f until it is true or the deadline passes.
func waitFor(t *testing.T, what string, f func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !f() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

// TestLocksMarksDisconnectedOwner: a lock node whose owner session no
// server lists as connected (cons) is marked not-connected — a stale node,
// or one whose owner is reconnecting.
func TestLocksMarksDisconnectedOwner(t *testing.T) {
	// cons must be whitelisted (like a real server, the test server
	// answers only srvr unless told otherwise).
	s := testserver.New(t, testserver.WithFourLetterWords("cons"))
	cs := s.ConnectString()
	// The owner may dial once; after its connection is dropped it cannot
	// come back, while its session lives on until it times out.
	var dialed atomic.Bool
	owner := client(t, cs, zk.WithSessionTimeout(30*time.Second),
		zk.WithDialer(func(ctx context.Context, network, addr string) (net.Conn, error) {
			if dialed.Swap(true) {
				return nil, errors.New("test: no more connections")
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}))
	live := client(t, cs)
	curatorNode(t, owner, "/lock", "lock-", "")
	curatorNode(t, live, "/lock", "lock-", "")
	require.True(t, s.DropSession(owner.SessionID()))

	var parts []participant
	okJSON(t, cs, &parts, "locks", "/lock")
	require.Len(t, parts, 2)
	require.Equal(t, hexID(owner.SessionID()), parts[0].Owner)
	require.Equal(t, "not-connected", parts[0].Session)
	require.Equal(t, "connected", parts[1].Session)
	require.Contains(t, ok(t, cs, "locks", "/lock"), "(not-connected)")
}

// TestWatchStopsOnInterrupt: ctrl-C (SIGINT) ends watch with exit 0 even
// when no event comes, also while the server is gone.
func TestWatchStopsOnInterrupt(t *testing.T) {
	for _, serverGone := range []bool{false, true} {
		t.Run(map[bool]string{false: "idle", true: "server-gone"}[serverGone], func(t *testing.T) {
			s := testserver.New(t)
			ctx := testCtx(t)
			cmd := exec.CommandContext(ctx, zkcBin, "--server", s.ConnectString(), "watch", "-R", "/")
			stderr, err := cmd.StderrPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			line, err := bufio.NewReader(stderr).ReadString('\n')
			require.NoError(t, err)
			require.Contains(t, line, "watching /")
			if serverGone {
				require.NoError(t, s.Stop())
			}
			require.NoError(t, cmd.Process.Signal(os.Interrupt))
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case err := <-exited:
				require.NoError(t, err, "exit 0 on ctrl-C")
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
				t.Fatal("watch did not stop on SIGINT")
			}
		})
	}
}

// Every command has its own name: the four-letter word "stat" was also
// registered as "stat", shadowed by the node command and unreachable.
func TestCommandNamesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range (&app{}).rootCommand().Commands() {
		require.False(t, seen[c.Name()], "two commands named %q", c.Name())
		seen[c.Name()] = true
	}
	require.True(t, seen["srvstat"] && seen["stat"])
}
