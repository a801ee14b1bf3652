package zk_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/zk"
)

func TestClientBasicOpsAndNamespace(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	root := zktest.UniquePath(t)
	ns := strings.TrimPrefix(root, "/") + "/app"
	c, _ := zktest.ConnectRecorded(t, srv.ConnectString(), zk.WithNamespace(ns), zk.WithDefaultData([]byte("dflt")))
	plain, _ := zktest.ConnectRecorded(t, srv.ConnectString())

	p, err := c.Create(ctx, "/a", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	require.Equal(t, "/a", p)
	data, st, err := plain.Get(ctx, root+"/app/a")
	require.NoError(t, err, "namespace applied on the way in")
	require.Equal(t, "dflt", string(data), "default data used for nil data")
	require.Equal(t, int32(0), st.Version)

	_, err = c.Set(ctx, "/a", []byte("v2"), 0)
	require.NoError(t, err)
	_, err = c.Set(ctx, "/a", []byte("v3"), 0)
	require.ErrorIs(t, err, zk.ErrBadVersion)

	_, _, err = c.Get(ctx, "/missing")
	require.ErrorIs(t, err, zk.ErrNoNode)
	var opErr *zk.OpError
	require.True(t, errors.As(err, &opErr))

	// Parents created as containers, protected names.
	p, st, err = c.CreateWith(ctx, "/deep/er/lock-", []byte("x"), zk.CreateOptions{
		Mode: zk.ModeEphemeralSequential, Protected: true, CreateParents: true})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(p, "/deep/er/_c_"), p)
	require.Equal(t, c.SessionID(), st.EphemeralOwner)
	children, _, err := c.Children(ctx, "/deep/er")
	require.NoError(t, err)
	require.Len(t, children, 1)

	require.NoError(t, c.EnsurePath(ctx, "/x/y/z"))
	require.NoError(t, c.EnsurePath(ctx, "/x/y/z"), "EnsurePath is idempotent")
	ok, _, err := plain.Exists(ctx, root+"/app/x/y/z")
	require.NoError(t, err)
	require.True(t, ok)

	// A watch through the Client: path relative to the namespace.
	_, _, ch, err := c.GetW(ctx, "/a")
	require.NoError(t, err)
	_, err = plain.Set(ctx, root+"/app/a", []byte("w"), -1)
	require.NoError(t, err)
	select {
	case ev := <-ch:
		require.Equal(t, zk.EventNodeDataChanged, ev.Type)
		require.Equal(t, "/a", ev.Path)
	case <-ctx.Done():
		t.Fatal("no watch event")
	}

	require.NoError(t, c.Delete(ctx, "/a", -1))
	done, err := c.DeleteGuaranteed(ctx, "/a", -1)
	require.NoError(t, err, "a guaranteed delete of a missing node succeeds")
	<-done
	require.NoError(t, c.Close())
	_, _, err = c.Get(ctx, "/x")
	require.ErrorIs(t, err, zk.ErrClosed)
}

func TestClientStatesOnConnectionDrop(t *testing.T) {
	srv := zktest.Embedded(t)
	c, rec := zktest.ConnectRecorded(t, srv.ConnectString(), zk.WithSessionTimeout(4*time.Second))
	sid := c.SessionID()
	srv.DropConnections()
	rec.WaitFor(t, zk.Connected, zk.Suspended, zk.Reconnected)
	require.Equal(t, sid, c.SessionID(), "same session after a reconnect")
	_, _, err := c.Exists(zktest.Context(t), "/")
	require.NoError(t, err)
}

func TestClientStatesOnSessionExpiry(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	c, rec := zktest.ConnectRecorded(t, srv.ConnectString(), zk.WithSessionTimeout(4*time.Second))
	old := c.SessionID()
	_, err := c.Create(ctx, "/eph", nil, zk.ModeEphemeral, nil)
	require.NoError(t, err)
	require.True(t, srv.ExpireSession(old))
	rec.WaitFor(t, zk.Connected, zk.Suspended, zk.Lost, zk.Reconnected)
	require.NotEqual(t, old, c.SessionID(), "a new session after Lost")
	ok, _, err := c.Exists(ctx, "/eph")
	require.NoError(t, err)
	require.False(t, ok, "the old session's ephemeral node is gone")
}

func TestClientLostWhenServerDownPastSessionTimeout(t *testing.T) {
	srv := zktest.Embedded(t)
	c, rec := zktest.ConnectRecorded(t, srv.ConnectString(), zk.WithSessionTimeout(time.Second))
	old := c.SessionID()
	require.NoError(t, srv.Stop())
	// Nobody tells the client the session is gone: it decides on its own.
	rec.WaitFor(t, zk.Connected, zk.Suspended, zk.Lost)
	require.NoError(t, srv.Restart())
	rec.WaitFor(t, zk.Connected, zk.Suspended, zk.Lost, zk.Reconnected)
	require.NotEqual(t, old, c.SessionID())
}

func TestClientProtectedCreateAcrossLostReply(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	c, _ := zktest.ConnectRecorded(t, srv.ConnectString(), zk.WithSessionTimeout(4*time.Second),
		zk.WithRetryPolicy(retry.NTimes(5, 10*time.Millisecond)))
	require.NoError(t, c.EnsurePath(ctx, "/locks"))
	// The server applies the create, then the connection drops before the reply.
	srv.DropAfterApply(jute.OpCreate2)
	p, st, err := c.CreateWith(ctx, "/locks/lock-", nil, zk.CreateOptions{Mode: zk.ModeEphemeralSequential, Protected: true})
	require.NoError(t, err)
	children, _, err := c.Children(ctx, "/locks")
	require.NoError(t, err)
	require.Len(t, children, 1, "exactly one node, found again instead of leaked: %v", children)
	require.Equal(t, "/locks/"+children[0], p)
	require.Equal(t, c.SessionID(), st.EphemeralOwner)
}

func TestClientUnprotectedCreateRetryReportsNodeExists(t *testing.T) {
	// The contrast: without protection a retried create after a lost reply
	// cannot know it succeeded.
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	c, _ := zktest.ConnectRecorded(t, srv.ConnectString(), zk.WithRetryPolicy(retry.NTimes(5, 10*time.Millisecond)))
	srv.DropAfterApply(jute.OpCreate2)
	_, err := c.Create(ctx, "/plain", nil, zk.ModePersistent, nil)
	require.ErrorIs(t, err, zk.ErrNodeExists)
}

func TestClientGuaranteedDeleteWhileDisconnected(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	c, rec := zktest.ConnectCuttable(t, srv.ConnectString())
	_, err := c.Create(ctx, "/gd", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	srv.RejectConnections(2 * time.Second)
	srv.DropConnections()
	rec.WaitFor(t, zk.Connected, zk.Suspended)
	done, err := c.DeleteGuaranteed(ctx, "/gd", -1)
	require.Error(t, err, "the first attempt fails while no server answers")
	select {
	case <-done:
		t.Fatal("done before the delete happened")
	default:
	}
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("guaranteed delete never completed")
	}
	ok, _, err := c.Exists(ctx, "/gd")
	require.NoError(t, err)
	require.False(t, ok)
}

func TestClientSpansAndRetryEvents(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	c, _ := zktest.ConnectRecorded(t, srv.ConnectString(), zk.WithTracerProvider(tp),
		zk.WithRetryPolicy(retry.NTimes(5, 10*time.Millisecond)))
	_, err := c.Create(ctx, "/traced", []byte("x"), zk.ModePersistent, nil)
	require.NoError(t, err)
	srv.DropAfterApply(jute.OpGetData)
	_, _, err = c.Get(ctx, "/traced")
	require.NoError(t, err, "the get is retried after the lost reply")

	var get sdktrace.ReadOnlySpan
	for _, s := range sr.Ended() {
		if s.Name() == "zk.get" {
			get = s
		}
	}
	require.NotNil(t, get, "a span per operation")
	attrs := map[string]any{}
	for _, a := range get.Attributes() {
		attrs[string(a.Key)] = a.Value.AsInterface()
	}
	require.Equal(t, "/traced", attrs["zk.path"])
	require.Equal(t, int64(2), attrs["zk.attempts"])
	var retries int
	for _, e := range get.Events() {
		if e.Name == "retry" {
			retries++
		}
	}
	require.Equal(t, 1, retries, "one event per retry")
}

func TestClientMetrics(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	c, rec := zktest.ConnectRecorded(t, srv.ConnectString(), zk.WithMeterProvider(mp), zk.WithSessionTimeout(4*time.Second))
	_, _, err := c.Exists(ctx, "/")
	require.NoError(t, err)
	require.True(t, srv.ExpireSession(c.SessionID()))
	rec.WaitFor(t, zk.Connected, zk.Suspended, zk.Lost, zk.Reconnected)

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(ctx, &rm))
	sums := map[string]int64{}
	var histCount uint64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					sums[m.Name] += p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					histCount += p.Count
				}
			}
		}
	}
	require.Equal(t, int64(4), sums["zk.client.connection.state_changes"])
	require.Equal(t, int64(1), sums["zk.client.reconnects"])
	require.Equal(t, int64(1), sums["zk.client.session.expirations"])
	require.Equal(t, int64(0), sums["zk.client.operations.in_flight"])
	require.GreaterOrEqual(t, histCount, uint64(1), "operation latency recorded")
}

func TestClientListenSeesOnlyLaterStates(t *testing.T) {
	srv := zktest.Embedded(t)
	c, _ := zktest.ConnectRecorded(t, srv.ConnectString())
	late := &zktest.Recorder[zk.ConnectionState]{}
	unsubscribe := c.Listen(late.Add)
	srv.DropConnections()
	late.WaitFor(t, zk.Suspended, zk.Reconnected)
	unsubscribe()
	later := &zktest.Recorder[zk.ConnectionState]{}
	c.Listen(later.Add)
	srv.DropConnections()
	later.WaitFor(t, zk.Suspended, zk.Reconnected)
	require.Len(t, late.Items(), 2, "no states after unsubscribe")
}

// Real ZooKeeper: the same state sequences, produced without fault injection.

func TestClientStatesRealEnsembleFailover(t *testing.T) {
	e := zktest.RealEnsemble(t, 3)
	c, rec := zktest.ConnectRecorded(t, e.ConnectString(), zk.WithSessionTimeout(6*time.Second))
	sid := c.SessionID()
	server := c.Conn().Server()
	for i := range e.Size() {
		if e.Addr(i) == server {
			require.NoError(t, e.Kill(i))
		}
	}
	rec.WaitFor(t, zk.Connected, zk.Suspended, zk.Reconnected)
	require.Equal(t, sid, c.SessionID())
}

func TestClientStatesRealExpiry(t *testing.T) {
	zktest.RequireReal(t)
	e := zktest.RealEnsemble(t, 1)
	ctx := zktest.Context(t)
	c, rec := zktest.ConnectRecorded(t, e.ConnectString(), zk.WithSessionTimeout(4*time.Second))
	old := c.SessionID()
	// Expire the session the standard way: open it elsewhere and close it.
	other, err := zk.Dial(ctx, e.ConnectString(), zk.WithSession(old, c.Conn().Password()))
	require.NoError(t, err)
	require.NoError(t, other.Close())
	rec.WaitFor(t, zk.Connected, zk.Suspended, zk.Lost, zk.Reconnected)
	require.NotEqual(t, old, c.SessionID())
}

func TestClientStatesRealServerDown(t *testing.T) {
	e := zktest.RealEnsemble(t, 1)
	c, rec := zktest.ConnectRecorded(t, e.ConnectString(), zk.WithSessionTimeout(2*time.Second))
	require.NoError(t, e.Stop(0))
	rec.WaitFor(t, zk.Connected, zk.Suspended, zk.Lost)
	require.NoError(t, e.Restart(zktest.Context(t), 0))
	rec.WaitFor(t, zk.Connected, zk.Suspended, zk.Lost, zk.Reconnected)
	_, _, err := c.Exists(zktest.Context(t), "/")
	require.NoError(t, err)
}

func TestClientOpInFlightSurvivesLostSession(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	c, rec := zktest.ConnectRecorded(t, srv.ConnectString(), zk.WithSessionTimeout(time.Second),
		zk.WithRetryPolicy(retry.NTimes(50, 100*time.Millisecond)))
	_, err := c.Create(ctx, "/n", []byte("v"), zk.ModePersistent, nil)
	require.NoError(t, err)
	srv.Stall(3 * time.Second) // no answers: the Client suspends, then loses the session
	data, _, err := c.Get(ctx, "/n")
	require.NoError(t, err, "the get is retried on the new session")
	require.Equal(t, "v", string(data))
	rec.WaitFor(t, zk.Connected, zk.Suspended, zk.Lost, zk.Reconnected)
}
