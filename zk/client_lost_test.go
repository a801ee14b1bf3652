package zk_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// A holder cut off from the server (connection open, nothing gets through)
// must see Lost before the server expires its session, or a holder under
// SessionErrorPolicy (whose hold ends only at Lost) would still believe
// it holds after a waiter could take over. Suspended comes ~2/3 of the
// session timeout after the last reply, so a Lost timer counting the
// whole timeout from Suspended fires long after the expiry.
func TestClientLostBeforeServerExpiresPartitionedSession(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	order := &zktest.Recorder[string]{}
	start := time.Now()
	at := func(what string) { t.Logf("%v: %s", time.Since(start).Round(time.Millisecond), what) }
	holder := zktest.Connect(t, srv.ConnectString(),
		zk.WithSessionTimeout(3*time.Second),
		zk.WithErrorPolicy(zk.SessionErrorPolicy),
		zk.WithStateListener(func(s zk.ConnectionState) {
			if s == zk.Suspended || s == zk.Lost {
				at("holder " + s.String())
				order.Add("holder " + s.String())
			}
		}))
	waiter := zktest.Connect(t, srv.ConnectString())

	base := zktest.UniquePath(t)
	require.NoError(t, holder.EnsurePath(ctx, base))
	held := base + "/lock"
	_, err := holder.Create(ctx, held, nil, zk.ModeEphemeral, nil)
	require.NoError(t, err)
	ok, _, ch, err := waiter.ExistsW(ctx, held)
	require.NoError(t, err)
	require.True(t, ok)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if ev := <-ch; ev.Type == zk.EventNodeDeleted {
			at("server expired the holder's session")
			order.Add("expired")
		}
	}()

	start = time.Now()
	require.True(t, srv.Blackhole(holder.SessionID()))
	order.WaitFor(t, "holder SUSPENDED", "holder LOST", "expired")
	<-done
}
