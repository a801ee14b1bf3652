package election

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
)

// The Curator interoperability tests run testdata/CuratorElection.java
// (Apache Curator 5.4 from Debian's packages) in one election with Go
// participants on a real ZooKeeper, and check that exactly one leads and
// that every participant, Go or Java, names the same leader.

func buildElection(t *testing.T) string {
	t.Helper()
	return zktest.CompileJava(t, zktest.CuratorJars,
		filepath.Join("testdata", "CuratorElection.java"))
}

// javaStatus asks a Java participant whether it leads and whom it names
// as leader.
func javaStatus(t *testing.T, p *zktest.JavaProcess) (leads bool, leader string) {
	t.Helper()
	p.Send("status")
	f := strings.Fields(p.ExpectPrefix("STATUS "))
	require.Len(t, f, 3, "status line %q", f)
	return f[1] == "true", f[2]
}

type leaderView interface {
	Leader(ctx context.Context) (Participant, error)
}

// agree checks that every participant names want as leader.
func agree(t *testing.T, want string, gos []leaderView, javas []*zktest.JavaProcess) {
	t.Helper()
	for _, g := range gos {
		ld, err := g.Leader(zktest.Context(t))
		require.NoError(t, err)
		require.Equal(t, want, ld.ID, "a Go participant disagrees")
	}
	for _, j := range javas {
		_, ld := javaStatus(t, j)
		require.Equal(t, want, ld, "a Java participant disagrees")
	}
}

func TestCuratorInteropLatch(t *testing.T) {
	cp := buildElection(t)
	addr := zktest.RealConnectString(t)
	path := zktest.UniquePath(t) + "/latch"
	c := zktest.Connect(t, addr)
	waitN := func(n int) {
		zktest.Eventually(t, func() bool { return len(zktest.Children(t, c, path)) == n }, "participants")
	}

	g1 := startLatch(t, zktest.Connect(t, addr), path, "go-1")
	await(t, g1)
	j1 := zktest.StartJava(t, cp, "CuratorElection", addr, "latch", path, "java-1")
	j1.Expect("STARTED")
	waitN(2)
	g2 := startLatch(t, zktest.Connect(t, addr), path, "go-2")
	waitN(3)
	j2 := zktest.StartJava(t, cp, "CuratorElection", addr, "latch", path, "java-2")
	j2.Expect("STARTED")
	waitN(4)

	ps, err := g2.Participants(zktest.Context(t))
	require.NoError(t, err)
	require.Equal(t, []Participant{{"go-1", true}, {"java-1", false}, {"go-2", false}, {"java-2", false}}, ps)
	gos := []leaderView{g1, g2}
	javas := []*zktest.JavaProcess{j1, j2}
	agree(t, "go-1", gos, javas)
	require.True(t, g1.IsLeader())
	require.False(t, g2.IsLeader())
	for _, j := range javas {
		leads, _ := javaStatus(t, j)
		require.False(t, leads)
	}

	// The Go leader leaves: Java's LeaderLatch takes over.
	require.NoError(t, g1.Close())
	j1.Expect("LEADER")
	gos = []leaderView{g2}
	agree(t, "java-1", gos, javas)
	leads, _ := javaStatus(t, j1)
	require.True(t, leads)
	require.False(t, g2.IsLeader())

	// The Java leader leaves: the Go latch takes over.
	j1.Send("close")
	j1.Expect("CLOSED")
	j1.Wait()
	await(t, g2)
	javas = []*zktest.JavaProcess{j2}
	agree(t, "go-2", gos, javas)
	leads, _ = javaStatus(t, j2)
	require.False(t, leads)

	j2.Send("close")
	j2.Expect("CLOSED")
	j2.Wait()
}

func TestCuratorInteropSelector(t *testing.T) {
	cp := buildElection(t)
	addr := zktest.RealConnectString(t)
	path := zktest.UniquePath(t) + "/selector"
	c := zktest.Connect(t, addr)

	fn, leads := blockingLeader()
	g := newSelectorT(t, zktest.Connect(t, addr), path, "go-1", fn)
	require.NoError(t, g.Start(zktest.Context(t)))
	defer g.Close()
	lead := recvCtx(t, leads)
	j := zktest.StartJava(t, cp, "CuratorElection", addr, "selector", path, "java-1")
	j.Expect("STARTED")
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, c, path)) == 2 }, "participants")

	ps, err := g.Participants(zktest.Context(t))
	require.NoError(t, err)
	require.Equal(t, []Participant{{"go-1", true}, {"java-1", false}}, ps)
	agree(t, "go-1", []leaderView{g}, []*zktest.JavaProcess{j})
	require.True(t, g.IsLeader())
	javaLeads, _ := javaStatus(t, j)
	require.False(t, javaLeads)

	// The Go leader gives leadership up: Java's LeaderSelector takes it.
	g.Interrupt()
	zktest.WaitDone(t, lead, "Go leadership to end")
	j.Expect("LEADER")
	zktest.Eventually(t, func() bool { return !g.IsLeader() }, "the Go selector to stop leading")
	agree(t, "java-1", []leaderView{g}, []*zktest.JavaProcess{j})
	javaLeads, _ = javaStatus(t, j)
	require.True(t, javaLeads)

	// Java releases; the Go selector, queued again, takes over.
	zktest.Eventually(t, g.Requeue, "the Go selector to queue again")
	zktest.Eventually(t, func() bool { return len(zktest.Children(t, c, path)) == 2 }, "the Go selector to queue")
	j.Send("release")
	j.Expect("NOTLEADER")
	lead = recvCtx(t, leads)
	require.NoError(t, lead.Err())
	ld, err := g.Leader(zktest.Context(t))
	require.NoError(t, err)
	require.Equal(t, "go-1", ld.ID)
	j.Send("close")
	j.Expect("CLOSED")
	j.Wait()
}
