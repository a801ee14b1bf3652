package zk_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// TestConnFailover kills the ensemble member a Conn is connected to: the
// Conn reconnects to another member within the session timeout, keeps its
// session and ephemeral node, and its watches (restored with SetWatches)
// still fire.
func TestConnFailover(t *testing.T) {
	e := zktest.RealEnsemble(t, 3)
	ctx := opCtx(t)
	events := make(chan zk.Event, 100)
	c := dialConn(t, e.ConnectString(), zk.WithSessionTimeout(4*time.Second),
		zk.WithEventHandler(func(ev zk.Event) { events <- ev }))
	require.Equal(t, zk.StateSyncConnected, recv(t, events).State)

	base := zktest.UniquePath(t)
	_, err := c.Create(ctx, base, []byte("v0"), zk.ModeEphemeral, zk.OpenACLUnsafe)
	require.NoError(t, err)
	_, _, dataWatch, err := c.GetW(ctx, base)
	require.NoError(t, err)
	_, _, existWatch, err := c.ExistsW(ctx, base+"-later")
	require.NoError(t, err)
	pw, err := c.AddWatch(ctx, base, zk.AddWatchPersistent)
	require.NoError(t, err)

	sid, server := c.SessionID(), c.Server()
	idx := -1
	for i := 0; i < e.Size(); i++ {
		if e.Addr(i) == server {
			idx = i
		}
	}
	require.NotEqual(t, -1, idx, "connected to %s, not a member", server)
	start := time.Now()
	require.NoError(t, e.Kill(idx))

	ev := recv(t, events)
	require.Equal(t, zk.StateDisconnected, ev.State)
	for ev.State != zk.StateSyncConnected {
		ev = recv(t, events)
		require.NotEqual(t, zk.StateExpired, ev.State)
	}
	require.Less(t, time.Since(start), c.SessionTimeout()+time.Second, "reconnect took longer than the session timeout")
	require.Equal(t, sid, c.SessionID(), "session kept")
	require.NotEqual(t, server, c.Server())

	other := dialConn(t, e.Addr((idx+1)%e.Size()))
	ok, st, err := other.Exists(ctx, base)
	require.NoError(t, err)
	require.True(t, ok, "ephemeral node survived the failover")
	require.Equal(t, sid, st.EphemeralOwner)

	_, err = other.Set(ctx, base, []byte("v1"), -1)
	require.NoError(t, err)
	ev = recv(t, dataWatch)
	require.Equal(t, zk.EventNodeDataChanged, ev.Type)
	require.Equal(t, base, ev.Path)
	require.Equal(t, zk.EventNodeDataChanged, recv(t, pw.Events()).Type)
	_, err = other.Create(ctx, base+"-later", nil, zk.ModeEphemeral, zk.OpenACLUnsafe)
	require.NoError(t, err)
	require.Equal(t, zk.EventNodeCreated, recv(t, existWatch).Type)

	// The Conn still serves requests on its session.
	data, _, err := c.Get(ctx, base)
	require.NoError(t, err)
	require.Equal(t, "v1", string(data))
}
