package zktest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// ConnectCuttable is ConnectRecorded for a Client a test cuts off from the
// server (CutOff): its calls give up quickly while no server answers (one
// retry after 10ms, a 200ms connection timeout), and its 10s session
// outlives the cut, so the test sees calls fail in the same session.
func ConnectCuttable(t testing.TB, addr string, opts ...zk.Option) (*zk.Client, *Recorder[zk.ConnectionState]) {
	t.Helper()
	return ConnectRecorded(t, addr, append([]zk.Option{zk.WithSessionTimeout(10 * time.Second),
		zk.WithRetryPolicy(retry.OneTime(10 * time.Millisecond)), zk.WithConnectionTimeout(200 * time.Millisecond)}, opts...)...)
}

// CutOff cuts c off from srv for d (or until srv.RejectConnections(0)):
// new connections are refused and c's connection is dropped; it returns
// once c reports Suspended (rec is c's recorder, from the first
// Connected on).
func CutOff(t testing.TB, srv *testserver.Server, c *zk.Client, rec *Recorder[zk.ConnectionState], d time.Duration) {
	t.Helper()
	srv.RejectConnections(d)
	require.True(t, srv.DropSession(c.SessionID()), "the session's connection is dropped")
	rec.WaitFor(t, zk.Connected, zk.Suspended)
}
