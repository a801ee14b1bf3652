package testserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

// Server-internal opcodes sent by a client, answered as ZooKeeper 3.8 does
// (found by the conformance suite).
func TestServerInternalOpsFromClient(t *testing.T) {
	s := embedded(t)
	root := testRoot(t)
	c := newSession(t, s.Addr())
	c.mustCreate(root, nil, jute.FlagPersistent)
	before := c.call(jute.OpSync, &jute.SyncRequest{Path: root}, nil).Zxid

	// deleteContainer (20): BadArguments after taking a zxid; the
	// connection stays.
	h := c.call(jute.OpDeleteContainer, &jute.PathRecord{Path: root}, nil)
	require.Equal(t, jute.ErrBadArguments, h.Err)
	require.Equal(t, before+1, h.Zxid)
	c.stat(root)

	// createSession (-10) without a timeout in its body: MarshallingError
	// after taking a zxid; the connection stays (as real 3.8 does, see
	// the edge_create_session_op conformance scenario).
	h = c.call(jute.OpCreateSession, nil, nil)
	require.Equal(t, jute.ReplyHeader{Xid: c.xid, Zxid: before + 2, Err: jute.ErrMarshallingError}, h)
	c.stat(root)
	// With one: a bare ConnectResponse frame for the connection's session.
	c.xid++
	require.NoError(t, c.rc.SendBody(c.xid, jute.OpCreateSession, []byte{0, 0, 0x27, 0x10}))
	f, ok := c.next(5 * time.Second)
	require.True(t, ok)
	var resp jute.ConnectResponse
	require.NoError(t, jute.Unmarshal(append(f.Header.Encode(nil), f.Body...), &resp))
	require.Equal(t, c.resp.SessionID, resp.SessionID)
	require.Equal(t, c.resp.Passwd, resp.Passwd)
	c.stat(root)

	// SASL (102) without SASL configured: OK with a null token, and the
	// connection stays (conformance: sasl_not_configured; in
	// edge_sasl_op it is the next, bodiless, packet that closes it).
	d := newSession(t, s.Addr())
	var sr jute.SetSASLResponse
	h = d.call(jute.OpSASL, &jute.GetSASLRequest{Token: []byte("token")}, &sr)
	require.Equal(t, jute.ReplyHeader{Xid: d.xid, Zxid: 0, Err: 0}, h)
	require.Nil(t, sr.Token)
	d.stat(root)
}

func TestCheckWatchesRelativePath(t *testing.T) {
	s := embedded(t)
	c := newSession(t, s.Addr())
	_, err := c.exists("relative", true)
	require.Equal(t, jute.ErrNoNode, err)
	require.Equal(t, jute.ErrMarshallingError, c.errOf(jute.OpCheckWatches, &jute.CheckWatchesRequest{Path: "relative", Type: jute.WatcherData}))
	require.Equal(t, jute.ErrNoWatcher, c.errOf(jute.OpCheckWatches, &jute.CheckWatchesRequest{Path: "", Type: jute.WatcherAny}))
	require.Equal(t, jute.ErrOK, c.errOf(jute.OpRemoveWatches, &jute.RemoveWatchesRequest{Path: "relative", Type: jute.WatcherData}))
	c.closeSession()
	require.Empty(t, s.Sessions())
}
