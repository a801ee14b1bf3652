package seqnode

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// switchableDigest is DigestMD5 as alice with a password a test changes.
type switchableDigest struct{ pass atomic.Value }

func (m *switchableDigest) Name() string { return "DIGEST-MD5" }
func (m *switchableDigest) Start(ctx context.Context, server string) (zk.SASLExchange, error) {
	return zk.DigestMD5("alice", m.pass.Load().(string)).Start(ctx, server)
}

// AuthFailed lasts: a hold ends and WaitSafe does not wait for a
// connection that will not come.
func TestWaitSafeAfterAuthFailed(t *testing.T) {
	srv := zktest.Embedded(t, testserver.WithSASLUsers(map[string]string{"alice": "secret"}))
	m := &switchableDigest{}
	m.pass.Store("secret")
	c := zktest.Connect(t, srv.ConnectString(), zk.WithSASL(m))
	ctx := zktest.Context(t)
	n, err := create(ctx, c, zktest.UniquePath(t), "lock-", nil, "")
	require.NoError(t, err)
	h, err := StartHold(ctx, c, n, nil)
	require.NoError(t, err)

	m.pass.Store("changed")
	srv.DropConnections()
	<-h.Context().Done()
	<-h.Done()
	zktest.Eventually(t, func() bool { return c.State() == zk.AuthFailed }, "AuthFailed")
	require.ErrorIs(t, WaitSafe(ctx, c), zk.ErrAuthFailed)
}
