package zk_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver/realzk"
	"github.com/zkcurator/zkcurator/zk"
)

// On a real 3-member ensemble with readonlymode.enabled: two members stop;
// the last one turns read-only and refuses the client's read-write
// ("global") session, so the client is Suspended, Lost, then ReadOnly on a
// new read-only session, and reads. The members come back: the client's
// isro probe finds a read-write member and moves there (Reconnected) with
// the watch it set while read-only. Needs ZKCURATOR_REAL_ZK=1.
func TestRealReadOnlyAndBack(t *testing.T) {
	// A read-only 3.8 server creates sessions only as local sessions: without
	// localSessionsEnabled it answers the handshake with a bare NotReadOnly
	// reply header.
	e := zktest.RealEnsembleWith(t, realzk.Options{Members: 3,
		Config:           map[string]string{"localSessionsEnabled": "true"},
		SystemProperties: map[string]string{"readonlymode.enabled": "true"}})
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t)

	admin := zktest.Connect(t, e.ConnectString())
	_, err := admin.Create(ctx, path, []byte("v0"), zk.ModePersistent, nil)
	require.NoError(t, err)
	require.NoError(t, admin.Close())

	// Start on member 0, the one that stays up.
	p := &orderedProvider{servers: []string{e.Addr(0), e.Addr(1), e.Addr(2)}}
	c, rec := zktest.ConnectRecorded(t, e.Addr(0), zk.WithHostProvider(p), zk.WithReadOnly(true),
		zk.WithReadOnlyProbeInterval(100*time.Millisecond, time.Second))

	require.NoError(t, e.Stop(1))
	require.NoError(t, e.Stop(2))
	// The last member notices the lost quorum, starts its read-only server,
	// and the client's session times out first: allow a while.
	require.Eventually(t, func() bool { return c.State() == zk.ReadOnly }, time.Minute, 50*time.Millisecond,
		"the client is read-only; states %v", rec)
	require.Equal(t, []zk.ConnectionState{zk.Connected, zk.Suspended, zk.Lost, zk.ReadOnly}, rec.Items())
	data, _, watch, err := c.GetW(ctx, path)
	require.NoError(t, err)
	require.Equal(t, "v0", string(data))
	_, err = c.Set(ctx, path, []byte("x"), -1)
	require.ErrorIs(t, err, zk.ErrNotReadOnly)

	require.NoError(t, e.Restart(ctx, 1))
	require.NoError(t, e.Restart(ctx, 2))
	require.Eventually(t, func() bool {
		conn := c.Conn()
		return c.State() == zk.Reconnected && conn != nil && conn.State() == zk.StateSyncConnected
	}, time.Minute, 50*time.Millisecond, "back to read-write")
	t.Logf("states: %v", rec.Items())

	writer := zktest.Connect(t, e.ConnectString())
	_, err = writer.Set(ctx, path, []byte("v1"), -1)
	require.NoError(t, err)
	require.Equal(t, zk.EventNodeDataChanged, zktest.Recv(t, watch).Type, "the watch survived")
	_, err = c.Set(ctx, path, []byte("v2"), -1)
	require.NoError(t, err)
}
