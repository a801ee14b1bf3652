package testserver

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

func TestContainerReaping(t *testing.T) {
	root, c := oneSession(t)
	c.mustCreate(root, nil, 0)
	used, h := c.create2(jute.OpCreateContainer, root+"/used", nil, jute.FlagContainer, -1)
	require.EqualValues(t, 0, h.Err)
	require.Zero(t, used.Stat.EphemeralOwner, "clients see 0 for containers")
	_, h = c.create2(jute.OpCreateContainer, root+"/never", nil, jute.FlagContainer, -1)
	require.EqualValues(t, 0, h.Err)
	_, err := c.exists(root+"/used", true)
	require.EqualValues(t, 0, err)
	c.mustCreate(root+"/used/kid", nil, 0)
	require.EqualValues(t, 0, c.delete(root+"/used/kid", -1))
	// The emptied container is reaped (a watch fires); the never-used one
	// is checked in the same pass and kept.
	require.Equal(t, ev(jute.EventNodeDeleted, root+"/used"), c.event())
	_, err = c.exists(root+"/never", false)
	require.EqualValues(t, 0, err)
	// create2 with the container flag makes a plain node.
	r, h := c.create2(jute.OpCreate2, root+"/plain", nil, jute.FlagContainer, -1)
	require.EqualValues(t, 0, h.Err)
	require.Zero(t, r.Stat.EphemeralOwner)
}

func TestTTLNodes(t *testing.T) {
	root, c := oneSession(t)
	c.mustCreate(root, nil, 0)
	r, h := c.create2(jute.OpCreateTTL, root+"/t", []byte("x"), jute.FlagPersistentWithTTL, 150)
	require.EqualValues(t, 0, h.Err)
	require.Zero(t, r.Stat.EphemeralOwner, "clients see 0 for TTL nodes")
	_, h = c.create2(jute.OpCreateTTL, root+"/busy", nil, jute.FlagPersistentWithTTL, 150)
	require.EqualValues(t, 0, h.Err)
	c.mustCreate(root+"/busy/kid", nil, 0)
	seq, h := c.create2(jute.OpCreateTTL, root+"/s-", nil, jute.FlagPersistentSequentialTTL, 1<<40-1)
	require.EqualValues(t, 0, h.Err)
	require.Equal(t, root+"/s-0000000002", seq.Path)
	for _, tc := range []struct {
		flags int32
		ttl   int64
	}{{jute.FlagPersistentWithTTL, 0}, {jute.FlagPersistentWithTTL, 1 << 40}, {jute.FlagPersistent, 100}, {jute.FlagEphemeral, 100}} {
		_, h = c.create2(jute.OpCreateTTL, root+"/bad", nil, tc.flags, tc.ttl)
		require.Equal(t, jute.ErrBadArguments, h.Err, "flags %d ttl %d", tc.flags, tc.ttl)
	}
	_, err := c.exists(root+"/t", true)
	require.EqualValues(t, 0, err)
	require.Equal(t, ev(jute.EventNodeDeleted, root+"/t"), c.event())
	_, err = c.exists(root+"/busy", false)
	require.EqualValues(t, 0, err, "a TTL node with children stays")
}

func TestReaperTransactionsUseZxids(t *testing.T) {
	s := embedded(t)
	root := testRoot(t)
	c := newSession(t, s.Addr())
	c.mustCreate(root, nil, 0)
	_, h := c.create2(jute.OpCreateContainer, root+"/c", nil, jute.FlagContainer, -1)
	require.EqualValues(t, 0, h.Err)
	c.mustCreate(root+"/c/k", nil, 0)
	hd := c.call(jute.OpDelete, &jute.DeleteRequest{Path: root + "/c/k", Version: -1}, nil)
	waitUntil(t, func() bool { _, err := c.exists(root+"/c", false); return err == jute.ErrNoNode }, "container reaped")
	require.Equal(t, hd.Zxid+1, c.stat(root).Pzxid)
}
