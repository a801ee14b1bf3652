package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

func TestDumpRestoreDiffMirror(t *testing.T) {
	forTargets(t, func(t *testing.T, tg target, base string) {
		cs := tg.connect
		ok(t, cs, "create", "-p", base+"/src/a/b", "bee")
		r := zkcIn(t, cs, "\x00\xff", "create", "--file", "-", base+"/src/bin")
		require.Equal(t, 0, r.code, r.stderr)
		ok(t, cs, "setacl", base+"/src/a", "world:anyone:cdrw")
		c := client(t, cs)
		_, err := c.Create(testCtx(t), base+"/src/session", nil, zk.ModeEphemeral, nil)
		require.NoError(t, err)

		dump := ok(t, cs, "dump", base+"/src")
		var d dumpFile
		require.NoError(t, json.Unmarshal([]byte(dump), &d))
		require.Equal(t, dumpFormat, d.Format)
		require.Len(t, d.Nodes, 5)
		require.Equal(t, base+"/src", d.Nodes[0].Path)
		file := filepath.Join(t.TempDir(), "dump.json")
		require.NoError(t, os.WriteFile(file, []byte(dump), 0o600))

		// A dry run changes nothing.
		var res struct {
			DryRun  bool     `json:"dryRun"`
			Actions []action `json:"actions"`
		}
		okJSON(t, cs, &res, "restore", "--dry-run", "--to", base+"/dst", file)
		require.True(t, res.DryRun)
		require.Len(t, res.Actions, 5)
		require.Equal(t, exitNotFound, zkc(t, cs, "ls", base+"/dst").code)

		ok(t, cs, "restore", "--to", base+"/dst", file)
		require.Equal(t, "bee\n", ok(t, cs, "get", base+"/dst/a/b"))
		require.Equal(t, "world:anyone:cdrw\n", ok(t, cs, "getacl", base+"/dst/a"))
		require.Equal(t, exitNotFound, zkc(t, cs, "stat", base+"/dst/session").code, "ephemerals are not restored")

		// diff: equal but for the ephemeral; then a change on each side.
		require.Equal(t, "- /session\n", zkc(t, cs, "diff", "--acl", base+"/src", base+"/dst").stdout)
		require.NoError(t, c.Delete(testCtx(t), base+"/src/session", zk.AnyVersion))
		ok(t, cs, "diff", "--acl", base+"/src", base+"/dst")
		ok(t, cs, "set", base+"/dst/a/b", "changed")
		ok(t, cs, "create", base+"/dst/extra")
		r = zkc(t, cs, "diff", base+"/src", base+"/dst")
		require.Equal(t, exitError, r.code)
		require.Equal(t, "~ /a/b\n+ /extra\n", r.stdout)

		// Restoring again puts the data back and leaves extra nodes alone.
		ok(t, cs, "restore", "--to", base+"/dst", file)
		require.Equal(t, "+ /extra\n", zkc(t, cs, "diff", base+"/src", base+"/dst").stdout)

		// mirror --delete makes them equal.
		okJSON(t, cs, &res, "mirror", "--dry-run", "--delete", base+"/src", base+"/dst")
		require.Equal(t, []action{{Op: "delete", Path: base + "/dst/extra"}}, res.Actions)
		ok(t, cs, "mirror", "--delete", base+"/src", base+"/dst")
		ok(t, cs, "diff", "--acl", base+"/src", base+"/dst")

		// To another cluster.
		other := testserver.New(t)
		ok(t, cs, "mirror", "--server2", other.ConnectString(), base+"/src", "/copy")
		require.Equal(t, "bee\n", ok(t, other.ConnectString(), "get", "/copy/a/b"))
		ok(t, cs, "diff", "--acl", "--server2", other.ConnectString(), base+"/src", "/copy")

		// Bad input.
		bad := filepath.Join(t.TempDir(), "bad.json")
		require.NoError(t, os.WriteFile(bad, []byte(`{"format":"zkc-dump/1","root":"/a","nodes":[{"path":"/elsewhere"}]}`), 0o600))
		require.Equal(t, exitUsage, zkc(t, cs, "restore", bad).code)
		require.Equal(t, exitUsage, zkc(t, cs, "restore", filepath.Join(t.TempDir(), "missing.json")).code)
		require.Equal(t, exitUsage, zkc(t, cs, "mirror", base+"/src", base+"/src/inside").code)
	})
}
