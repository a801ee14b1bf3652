package discovery

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// A Register of an id whose first Register is still in progress succeeds
// only if that one does: when the first gives up (its ctx ends while the
// server cannot be reached), the second reports the failure instead of
// returning nil for an instance that is not registered.
func TestRegisterJoiningPendingRegisterFailsWithIt(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	c, rec := zktest.ConnectCuttable(t, srv.ConnectString())
	d, err := New(c, zktest.UniquePath(t)+"/services")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, d.Close()) })

	zktest.CutOff(t, srv, c, rec, time.Minute)
	first := make(chan error, 1)
	go func() {
		fctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		first <- d.Register(fctx, &ServiceInstance{Name: "api", ID: "x"})
	}()
	zktest.Eventually(t, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.entries["x"] != nil
	}, "the first Register in progress")
	second := d.Register(ctx, &ServiceInstance{Name: "api", ID: "x", Address: "10.0.0.2"})
	require.Error(t, zktest.Recv(t, first), "the first Register cannot reach the server")
	require.ErrorIs(t, second, ErrNotRegistered, "the second joined the first and fails with it")
	srv.RejectConnections(0)
	rec.WaitFor(t, zk.Connected, zk.Suspended, zk.Reconnected)
	_, err = d.QueryForInstance(ctx, "api", "x")
	require.ErrorIs(t, err, zk.ErrNoNode, "not registered")
}
