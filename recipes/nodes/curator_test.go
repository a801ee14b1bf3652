package nodes_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/nodes"
)

// A Java GroupMember (Curator's) and a Go one are in one group on a real
// ZooKeeper: each sees the other with its payload, and the Java member's
// leaving.
func TestCuratorGroupMemberInterop(t *testing.T) {
	cp := zktest.CompileJava(t, zktest.CuratorJars, filepath.Join("testdata", "CuratorGroup.java"))
	addr := zktest.RealConnectString(t)
	ctx := zktest.Context(t)
	group := zktest.UniquePath(t) + "/group"

	java := zktest.StartJava(t, cp, "CuratorGroup", addr, group, "java", "pj")
	java.Expect("JOINED")
	g, err := nodes.NewGroupMember(zktest.Connect(t, addr), group, "go", []byte("pg"))
	require.NoError(t, err)
	defer g.Close()
	require.NoError(t, g.Start(ctx))
	require.NoError(t, g.WaitForJoin(ctx))
	zktest.Eventually(t, func() bool {
		return equalMembers(g.Members(), map[string][]byte{"go": []byte("pg"), "java": []byte("pj")})
	}, "Go sees the Java member")

	deadline := time.Now().Add(30 * time.Second)
	for {
		java.Send("members")
		line := java.ExpectPrefix("MEMBERS")
		if line == "MEMBERS go=pg,java=pj" {
			break
		}
		require.True(t, time.Now().Before(deadline), "Java sees the Go member: last %q", line)
	}
	java.Send("quit")
	java.Wait()
	zktest.Eventually(t, func() bool {
		return equalMembers(g.Members(), map[string][]byte{"go": []byte("pg")})
	}, "Java left")
}
