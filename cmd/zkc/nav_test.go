package main

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/zk"
)

func TestNavigationAndData(t *testing.T) {
	forTargets(t, func(t *testing.T, tg target, base string) {
		cs := tg.connect
		require.Equal(t, base+"/cfg/db\n", ok(t, cs, "create", "-p", base+"/cfg/db", `{"host":"db1","port":5432}`))
		ok(t, cs, "create", base+"/cfg/cache", "hello\nworld")
		r := zkcIn(t, cs, "\x00\x01\xff", "create", "--file", "-", base+"/bin")
		require.Equal(t, 0, r.code, r.stderr)

		require.Equal(t, "bin\ncfg\n", ok(t, cs, "ls", base))
		var ls []lsEntry
		okJSON(t, cs, &ls, "ls", "-l", "-R", base)
		require.Len(t, ls, 4)
		require.Equal(t, []string{base + "/bin", base + "/cfg", base + "/cfg/cache", base + "/cfg/db"},
			[]string{ls[0].Path, ls[1].Path, ls[2].Path, ls[3].Path})
		require.EqualValues(t, 2, ls[1].Stat.NumChildren)
		require.EqualValues(t, 26, ls[3].Stat.DataLength)

		require.Equal(t, base+"\n  bin\n  cfg\n    cache\n    db\n", ok(t, cs, "tree", base))
		require.Equal(t, base+"\n  bin\n  cfg\n", ok(t, cs, "tree", "--depth", "1", base))
		var tree treeJSON
		okJSON(t, cs, &tree, "tree", base)
		require.Len(t, tree.Children, 2)
		require.Equal(t, "cache", tree.Children[1].Children[0].Name)

		require.Equal(t, "hello\nworld\n", ok(t, cs, "get", base+"/cfg/cache"))
		require.Equal(t, "{\n  \"host\": \"db1\",\n  \"port\": 5432\n}\n", ok(t, cs, "get", "-f", "json", base+"/cfg/db"))
		require.Equal(t, base64.StdEncoding.EncodeToString([]byte("\x00\x01\xff"))+"\n", ok(t, cs, "get", "-f", "base64", base+"/bin"))
		require.Contains(t, ok(t, cs, "get", "-f", "hex", base+"/bin"), "00 01 ff")
		var got struct {
			Data dataJSON `json:"data"`
			JSON any      `json:"json"`
			Stat statJSON `json:"stat"`
		}
		okJSON(t, cs, &got, "get", base+"/cfg/db")
		require.Equal(t, map[string]any{"host": "db1", "port": float64(5432)}, got.JSON)
		var bin struct {
			Data dataJSON `json:"data"`
		}
		okJSON(t, cs, &bin, "get", base+"/bin")
		require.Nil(t, bin.Data.Text)
		require.Equal(t, []byte("\x00\x01\xff"), bin.Data.Base64)

		require.Contains(t, ok(t, cs, "stat", base+"/cfg"), "numChildren = 2")
		ok(t, cs, "set", base+"/cfg/cache", "v1")
		r = zkc(t, cs, "set", "--version", "0", base+"/cfg/cache", "v2")
		require.Equal(t, exitError, r.code)
		require.Contains(t, r.stderr, "version")
		ok(t, cs, "set", "--version", "1", base+"/cfg/cache", "v2")
		r = zkcIn(t, cs, "from stdin", "set", "--file", "-", base+"/bin")
		require.Equal(t, 0, r.code, r.stderr)
		require.Equal(t, "from stdin\n", ok(t, cs, "get", base+"/bin"))

		seq := strings.TrimSpace(ok(t, cs, "create", "--mode", "sequential", base+"/seq-"))
		require.Regexp(t, `/seq-\d{10}$`, seq)
		ok(t, cs, "create", "--mode", "container", base+"/box")
		ok(t, cs, "create", "--mode", "ephemeral", base+"/gone-with-the-session")
		if tg.embedded != nil { // real ZooKeeper needs extendedTypesEnabled for TTL nodes
			ok(t, cs, "create", "--ttl", "1h", base+"/ttl")
		}

		require.Equal(t, base+"/cfg/cache\n"+base+"/cfg/db\n", ok(t, cs, "find", base, "[cd][ab]*"))
		require.Equal(t, base+"/cfg/db\n", ok(t, cs, "find", base, base+"/**/db"))
		require.Equal(t, base+"/cfg/cache:1: v2\n", ok(t, cs, "grep", base, "^v[0-9]"))
		var matches []grepMatch
		okJSON(t, cs, &matches, "grep", "-l", "-i", base, "HOST")
		require.Equal(t, []grepMatch{{Path: base + "/cfg/db", Line: 1, Text: `{"host":"db1","port":5432}`}}, matches)

		r = zkc(t, cs, "delete", base+"/cfg")
		require.Equal(t, exitError, r.code)
		require.Contains(t, r.stderr, "children")
		ok(t, cs, "delete", "-R", base)
		c := client(t, cs)
		exists, _, err := c.Exists(testCtx(t), base)
		require.NoError(t, err)
		require.False(t, exists)
	})
}

func TestExitCodes(t *testing.T) {
	forTargets(t, func(t *testing.T, tg target, base string) {
		cs := tg.connect
		for _, args := range [][]string{{"get", base + "/missing"}, {"ls", base}, {"stat", base}, {"delete", "-R", base}, {"tree", base}} {
			r := zkc(t, cs, args...)
			require.Equal(t, exitNotFound, r.code, "%v: %s", args, r.stderr)
			require.Contains(t, r.stderr, "node does not exist")
		}

		// A node only a digest identity may read.
		c := client(t, cs, zk.WithAuth("digest", []byte("bob:secret")))
		_, err := c.Create(testCtx(t), base, []byte("private"), zk.ModePersistent, zk.DigestACL(zk.PermAll, "bob", "secret"))
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Delete(testCtx(t), base, zk.AnyVersion) })
		r := zkc(t, cs, "get", base)
		require.Equal(t, exitNoAuth, r.code, r.stderr)
		require.Contains(t, r.stderr, "not authorized")
		require.Equal(t, "private\n", ok(t, cs, "--auth", "digest:bob:secret", "get", base))
		var who struct {
			Auth       []string `json:"auth"`
			Identities []string `json:"identities"`
		}
		okJSON(t, cs, &who, "--auth", "digest:bob:secret", "whoami")
		require.Equal(t, []string{"digest:bob"}, who.Auth, "the password is never printed")
		require.Contains(t, who.Identities, "digest:bob", "the server's whoAmI")

		for _, args := range [][]string{
			{"bogus"}, {"ls", "a", "b"}, {"--nope", "ls"}, {"get", "relative"}, {"create", "--mode", "weird", base + "/x"},
			{"get", "-f", "xml", base}, {"--timeout", "0s", "ls", "/"}, {"--auth", "nocolon", "ls"}, {"tree", "--depth", "-5", "/"},
		} {
			r := zkc(t, cs, args...)
			require.Equal(t, exitUsage, r.code, "%v: %s", args, r.stderr)
		}
	})

	t.Run("unreachable", func(t *testing.T) {
		r := zkc(t, "127.0.0.1:1", "--timeout", "500ms", "ls", "/")
		require.Equal(t, exitConn, r.code, r.stderr)
		require.Contains(t, r.stderr, "connect")
		r = zkc(t, "127.0.0.1:1", "--timeout", "500ms", "health")
		require.Equal(t, exitConn, r.code, r.stderr)
	})
}

// TestDeleteRecursiveReportsFailure: delete -R whose DeleteAll fails part-way
// (a parent's ACL forbids deleting its children) exits with the failure,
// not 0.
func TestDeleteRecursiveReportsFailure(t *testing.T) {
	forTargets(t, func(t *testing.T, tg target, base string) {
		cs := tg.connect
		ok(t, cs, "create", "-p", base+"/sub/leaf")
		ok(t, cs, "setacl", base+"/sub", "world:anyone:crwa")
		r := zkc(t, cs, "delete", "-R", base)
		require.Equal(t, exitNoAuth, r.code, r.stderr)
		require.Contains(t, r.stderr, "not authorized")
		require.Equal(t, "leaf\n", ok(t, cs, "ls", base+"/sub"))
		ok(t, cs, "setacl", base+"/sub", "world:anyone:cdrwa")
		ok(t, cs, "delete", "-R", base)
	})
}
