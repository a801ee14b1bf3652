package testserver

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

func TestDump(t *testing.T) {
	s := embedded(t)
	c := newSession(t, s.Addr())
	c.mustCreate("/app", []byte("cfg"), 0)
	c.mustCreate("/app/w-", []byte("1"), jute.FlagEphemeralSequential)
	_, h := c.create2(jute.OpCreateContainer, "/app/locks", nil, jute.FlagContainer, -1)
	require.EqualValues(t, 0, h.Err)
	_, h = c.create2(jute.OpCreateTTL, "/app/t", nil, jute.FlagPersistentWithTTL, 5000)
	require.EqualValues(t, 0, h.Err)
	_, err := c.children("/app/locks", true)
	require.EqualValues(t, 0, err)
	require.EqualValues(t, 0, c.addWatch("/app", jute.AddWatchPersistentRecursive))

	snap := s.Dump()
	require.Equal(t, SnapshotFormat, snap.Format)
	sid := SessionID(c.resp.SessionID)
	require.Len(t, snap.Sessions, 1)
	require.Equal(t, sid, snap.Sessions[0].ID)
	require.True(t, snap.Sessions[0].Connected)
	require.Equal(t, []string{"/app/w-0000000000"}, snap.Sessions[0].Ephemerals)

	byPath := map[string]NodeState{}
	var order []string
	for _, n := range snap.Nodes {
		byPath[n.Path] = n
		order = append(order, n.Path)
	}
	require.Equal(t, "/", order[0])
	require.Equal(t, "cfg", string(byPath["/app"].Data))
	require.Equal(t, ModeEphemeral, byPath["/app/w-0000000000"].Mode)
	require.Equal(t, sid, byPath["/app/w-0000000000"].Owner)
	require.Equal(t, ModeContainer, byPath["/app/locks"].Mode)
	require.Equal(t, ModeTTL, byPath["/app/t"].Mode)
	require.EqualValues(t, 5000, byPath["/app/t"].TTLMs)
	require.EqualValues(t, 3, byPath["/app"].Stat.Cversion, "creations, numbering the next sequential child")
	require.Equal(t, []ACLEntry{{Perms: jute.PermAll, Scheme: "world", ID: "anyone"}}, byPath["/app"].ACL)
	require.Contains(t, snap.Watches, WatchState{Path: "/app/locks", Session: sid, Kind: "child"})
	require.Contains(t, snap.Watches, WatchState{Path: "/app", Session: sid, Kind: "persistentRecursive"})
}

// A snapshot written by one server starts another with the same tree,
// sequence numbering and sessions, children in a restarted server's
// order; a client reattaches with the saved password and keeps its
// ephemeral node.
func TestSnapshotRoundTrip(t *testing.T) {
	s := embedded(t)
	c := newSession(t, s.Addr())
	c.mustCreate("/r", []byte("root"), 0)
	for i := range 30 {
		c.mustCreate(fmt.Sprintf("/r/n%d", i), []byte{byte(i)}, 0)
	}
	for i := 0; i < 30; i += 3 {
		require.EqualValues(t, 0, c.delete(fmt.Sprintf("/r/n%d", i), -1))
	}
	c.mustCreate("/r/e", nil, jute.FlagEphemeral)
	c.mustCreate("/zookeeper/quota/r", nil, 0)
	c.mustCreate("/zookeeper/quota/r/zookeeper_limits", []byte("count=100,bytes=-1"), 0)
	c.mustCreate("/zookeeper/quota/r/zookeeper_stats", []byte("count=0,bytes=0"), 0)
	want, err := c.children("/r", false)
	require.NoError(t, nilIfZero(err))
	stats, err := c.getData("/zookeeper/quota/r/zookeeper_stats", false)
	require.NoError(t, nilIfZero(err))

	var buf bytes.Buffer
	require.NoError(t, s.WriteSnapshot(&buf))
	snap, rerr := ReadSnapshot(bytes.NewReader(buf.Bytes()))
	require.NoError(t, rerr)

	s2 := embedded(t, WithSnapshot(snap))
	c2 := newSession(t, s2.Addr())
	got, err := c2.children("/r", false)
	require.NoError(t, nilIfZero(err))
	// Loading adds the children in the saved order to a fresh
	// HashSet(8), as a real server restoring a snapshot does: the order
	// is that of a restarted server, not necessarily the old one.
	restored := newJavaSet(8)
	for _, n := range want {
		restored.Add(n)
	}
	require.Equal(t, restored.List(), got)
	require.ElementsMatch(t, want, got)
	require.Equal(t, c.stat("/r"), c2.stat("/r"))
	seq := c2.mustCreate("/r/s-", nil, jute.FlagPersistentSequential)
	require.Equal(t, "/r/s-0000000031", seq)
	d, err := c2.getData("/zookeeper/quota/r/zookeeper_stats", false)
	require.NoError(t, nilIfZero(err))
	require.Equal(t, "count=22,bytes=24", string(stats.Data))
	require.Equal(t, "count=23,bytes=24", string(d.Data), "recounted on load, then kept")

	// The saved session can be resumed with its password.
	re := connect(t, s2.Addr(), connectOpts{sessionID: c.resp.SessionID, passwd: c.resp.Passwd})
	require.Equal(t, c.resp.SessionID, re.resp.SessionID)
	st := re.stat("/r/e")
	require.Equal(t, c.resp.SessionID, st.EphemeralOwner)
	require.Greater(t, s2.Dump().Zxid, int64(0))
}

func nilIfZero(code int32) error {
	if code == 0 {
		return nil
	}
	return fmt.Errorf("zookeeper error %d", code)
}

func TestSnapshotRejected(t *testing.T) {
	base := func() *Snapshot {
		return &Snapshot{Format: SnapshotFormat, Nodes: []NodeState{
			{Path: "/a", ACL: []ACLEntry{{Perms: 31, Scheme: "world", ID: "anyone"}}},
		}}
	}
	for name, mutate := range map[string]func(*Snapshot){
		"child before parent": func(s *Snapshot) {
			s.Nodes = append([]NodeState{{Path: "/a/b", ACL: s.Nodes[0].ACL}}, s.Nodes...)
		},
		"invalid path":      func(s *Snapshot) { s.Nodes[0].Path = "/a/" },
		"unknown mode":      func(s *Snapshot) { s.Nodes[0].Mode = "weird" },
		"unknown owner":     func(s *Snapshot) { s.Nodes[0].Mode, s.Nodes[0].Owner = ModeEphemeral, 77 },
		"no acl":            func(s *Snapshot) { s.Nodes[0].ACL = nil },
		"listed twice":      func(s *Snapshot) { s.Nodes = append(s.Nodes, s.Nodes[0]) },
		"bad ttl":           func(s *Snapshot) { s.Nodes[0].Mode = ModeTTL },
		"duplicate session": func(s *Snapshot) { s.Sessions = []SessionState{{ID: 5}, {ID: 5}} },
		"ephemeral as parent": func(s *Snapshot) {
			s.Sessions = []SessionState{{ID: 5}}
			s.Nodes[0].Mode, s.Nodes[0].Owner = ModeEphemeral, 5
			s.Nodes = append(s.Nodes, NodeState{Path: "/a/b", ACL: s.Nodes[0].ACL})
		},
	} {
		snap := base()
		mutate(snap)
		_, err := Start(WithSnapshot(snap))
		require.Error(t, err, name)
	}
	_, err := ReadSnapshot(strings.NewReader(`{"format":"other"}`))
	require.ErrorContains(t, err, "format")
	_, err = ReadSnapshot(strings.NewReader(`{"format":"zkcurator-testserver/1","bogus":1}`))
	require.Error(t, err)
	var id SessionID
	require.NoError(t, id.UnmarshalText([]byte("0x10")))
	require.EqualValues(t, 16, id)
	require.NoError(t, id.UnmarshalText([]byte("17")))
	require.EqualValues(t, 17, id)
	require.Error(t, id.UnmarshalText([]byte("0xzz")))
}

func TestDumpFourLetterWord(t *testing.T) {
	s := embedded(t, WithFourLetterWords("dump"))
	c := newSession(t, s.Addr())
	c.mustCreate("/e1", nil, jute.FlagEphemeral)
	c.mustCreate("/e2", nil, jute.FlagEphemeral)
	out := fourLetter(t, s.Addr(), "dump")
	sid := hexID(c.resp.SessionID)
	require.Regexp(t, `^SessionTracker dump:\nSession Sets \(1\)/\(1\):\n1 expire at \w{3} \w{3} \d\d \d\d:\d\d:\d\d \S+ \d{4}:\n\t`+sid+`\n`+
		`ephemeral nodes dump:\nSessions with Ephemerals \(1\):\n`+sid+`:\n\t/e[12]\n\t/e[12]\n`+
		`Connections dump:\nConnections Sets \([12]\)/\(2\):\n`, out)
	require.Regexp(t, `\n\tip: /127\.0\.0\.1:\d+ sessionId: `+sid+`\n`, out)
	require.Regexp(t, `\n\tip: /127\.0\.0\.1:\d+ sessionId: 0x0\n`, out, "the dump's own connection")
}
