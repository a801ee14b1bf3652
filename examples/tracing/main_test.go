package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
)

func TestMain(m *testing.M) { zktest.Main(m) }

// span is the part of stdouttrace's JSON the test looks at.
type span struct {
	Name        string
	SpanContext struct{ SpanID string }
	Parent      struct{ SpanID string }
	Attributes  []attr
	Events      []struct {
		Name       string
		Attributes []attr
	}
}

type attr struct {
	Key   string
	Value struct{ Value any }
}

func value(attrs []attr, key string) any {
	for _, a := range attrs {
		if a.Key == key {
			return a.Value.Value
		}
	}
	return nil
}

// telemetryDump splits the exporters' output into spans and the names of
// the metrics.
func telemetryDump(t *testing.T, out []byte) (spans map[string][]span, metrics []string) {
	t.Helper()
	spans = map[string][]span{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var obj map[string]json.RawMessage
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			return spans, metrics
		}
		require.NoError(t, err)
		if raw, ok := obj["ScopeMetrics"]; ok {
			var sm []struct{ Metrics []struct{ Name string } }
			require.NoError(t, json.Unmarshal(raw, &sm))
			for _, s := range sm {
				for _, m := range s.Metrics {
					metrics = append(metrics, m.Name)
				}
			}
			continue
		}
		raw, err := json.Marshal(obj)
		require.NoError(t, err)
		var s span
		require.NoError(t, json.Unmarshal(raw, &s))
		spans[s.Name] = append(spans[s.Name], s)
	}
}

// The example's output has the shape the README shows: a zk.get span with
// one retry event, a lock.acquire span over the lock's zk operations, the
// connection states as events of the root span, and a metrics dump.
func TestTracingToStdout(t *testing.T) {
	var said, exported bytes.Buffer
	require.NoError(t, run(zktest.Context(t), config{out: &said, export: &exported}))
	require.Contains(t, said.String(), "Connection state: SUSPENDED.")
	require.Contains(t, said.String(), "Acquired the lock /locks/orders")

	spans, metrics := telemetryDump(t, exported.Bytes())
	var retried []span
	for _, s := range spans["zk.get"] {
		if value(s.Attributes, "zk.path") == "/greeting" {
			retried = append(retried, s)
		}
	}
	require.Len(t, retried, 1, "one zk.get span for the read, however many attempts")
	get := retried[0]
	require.EqualValues(t, 2, value(get.Attributes, "zk.attempts"))
	require.Len(t, get.Events, 1)
	require.Equal(t, "retry", get.Events[0].Name)
	require.EqualValues(t, 1, value(get.Events[0].Attributes, "zk.attempt"))
	require.Contains(t, value(get.Events[0].Attributes, "zk.error"), "connection loss")

	require.Len(t, spans["tracing-example"], 1)
	root := spans["tracing-example"][0]
	var states []any
	for _, ev := range root.Events {
		if ev.Name == "zk.connection.state" {
			states = append(states, value(ev.Attributes, "zk.state"))
		}
	}
	require.Equal(t, []any{"CONNECTED", "SUSPENDED", "RECONNECTED", "CLOSED"}, states, "CLOSED: the deferred Close runs before the root span ends")
	require.Equal(t, root.SpanContext.SpanID, get.Parent.SpanID, "operations are children of the caller's span")

	require.Len(t, spans["lock.acquire"], 1)
	acquire := spans["lock.acquire"][0].SpanContext.SpanID
	var children []string
	for name, ss := range spans {
		for _, s := range ss {
			if s.Parent.SpanID == acquire {
				children = append(children, name)
			}
		}
	}
	require.Contains(t, children, "zk.create", "the lock's create is a child of lock.acquire")

	for _, m := range []string{"zk.client.operation.duration", "zk.client.connection.state_changes", "zk.client.reconnects"} {
		require.Contains(t, metrics, m)
	}
}

// With an endpoint the spans and metrics go to an OTLP/HTTP collector.
func TestTracingToOTLP(t *testing.T) {
	var (
		mu    sync.Mutex
		posts []string
	)
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		posts = append(posts, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer collector.Close()
	var said, exported bytes.Buffer
	require.NoError(t, run(context.Background(), config{otlp: collector.URL, out: &said, export: &exported}))
	require.Empty(t, exported.String(), "nothing printed when exporting to a collector")
	require.Contains(t, said.String(), "OTLP/HTTP collector at "+collector.URL)
	mu.Lock()
	defer mu.Unlock()
	require.True(t, slices.Contains(posts, "POST /v1/traces application/x-protobuf"), "posts: %q", posts)
	require.True(t, slices.Contains(posts, "POST /v1/metrics application/x-protobuf"), "posts: %q", posts)
	require.False(t, strings.Contains(said.String(), "stdout"))
}
