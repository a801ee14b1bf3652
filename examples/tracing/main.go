// Command tracing shows what a zkcurator Client reports through
// OpenTelemetry: one span per operation, a "retry" event on the span for
// every attempt that failed and was retried, the connection state changes,
// and the Client's metrics.
//
//	cd examples/tracing && go run .                               # spans and metrics printed as JSON
//	cd examples/tracing && go run . -otlp http://localhost:4318    # sent to an OTLP/HTTP collector
//	OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 go run .      # the same, configured the standard way
//
// It runs on the embedded ZooKeeper test server (or a real ensemble with
// -servers) and does two things: a read whose reply is lost because the
// server drops the connection right after answering (the Client reconnects
// and retries it: one zk.get span with a retry event), and a lock acquire
// (a lock.acquire span over the zk operations the lock sends). The
// connection states (SUSPENDED, RECONNECTED) are events of the
// program's root span. At the end the metrics are dumped.
//
// This directory is its own Go module, so the OpenTelemetry exporters it
// uses stay out of the library's go.mod.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/recipes/lock"
	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// config is what main reads from the command line.
type config struct {
	servers string    // ZooKeeper connect string; "" starts the embedded server
	otlp    string    // OTLP/HTTP endpoint URL; "" prints the telemetry instead
	out     io.Writer // what the program says it does
	export  io.Writer // where the stdout exporters print spans and metrics
}

func main() {
	cfg := config{out: os.Stdout, export: os.Stdout}
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), `Usage: go run . [flags]

Shows the OpenTelemetry spans and metrics of a zkcurator Client: a read
retried across an injected connection drop (one zk.get span with a "retry"
event per failed attempt), a lock acquire (a lock.acquire span over the
ZooKeeper operations it sends), the connection state changes (events on the
root span) and, at the end, a dump of the Client's metrics. Spans and
metrics are printed as JSON, or sent to an OTLP/HTTP collector given by
-otlp or by the standard OTEL_EXPORTER_OTLP_ENDPOINT variable.

Flags:
`)
		flag.PrintDefaults()
	}
	flag.StringVar(&cfg.servers, "servers", "", "ZooKeeper connect string; empty starts the embedded test server (needed for the injected fault)")
	flag.StringVar(&cfg.otlp, "otlp", os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT"),
		"OTLP/HTTP endpoint URL, e.g. http://localhost:4318; empty prints spans and metrics to stdout")
	flag.Parse()
	if err := run(context.Background(), cfg); err != nil {
		fmt.Fprintln(os.Stderr, "tracing:", err)
		os.Exit(1)
	}
}

// run is the whole program, in four steps: telemetry, server and client,
// the retried read, the lock. Spans and metrics are flushed when it
// returns.
func run(ctx context.Context, cfg config) (err error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	say := func(format string, args ...any) { fmt.Fprintf(cfg.out, format+"\n", args...) }

	// Step 1: OpenTelemetry providers; shutting them down flushes the
	// spans and dumps the metrics.
	tel, err := newTelemetry(ctx, cfg.otlp, cfg.export)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, tel.shutdown(context.Background())) }()
	say("Exporting spans and metrics to %s.", tel.dest)
	tracer := tel.tp.Tracer("github.com/zkcurator/zkcurator/examples/tracing")
	ctx, root := tracer.Start(ctx, "tracing-example")
	defer root.End()

	// Step 2: a server (embedded unless -servers) and a traced Client whose
	// connection states become events of the root span.
	var srv *testserver.Server
	if cfg.servers == "" {
		if srv, err = testserver.Start(); err != nil {
			return err
		}
		defer srv.Close()
		cfg.servers = srv.ConnectString()
		say("Started the embedded ZooKeeper test server on %s.", cfg.servers)
	}
	states := make(chan zk.ConnectionState, 16)
	c, err := zk.Connect(ctx, cfg.servers,
		zk.WithSessionTimeout(5*time.Second),
		zk.WithRetryPolicy(retry.ExponentialBackoff(50*time.Millisecond, 5, time.Second)),
		zk.WithNamespace("tracing-example"),
		zk.WithTracerProvider(tel.tp),
		zk.WithMeterProvider(tel.mp),
		zk.WithStateListener(func(s zk.ConnectionState) {
			root.AddEvent("zk.connection.state", trace.WithAttributes(attribute.String("zk.state", s.String())))
			states <- s
		}))
	if err != nil {
		return err
	}
	defer c.Close()
	say("Connection state: %s (session 0x%x).", <-states, c.SessionID())

	// Step 3: a read retried across a dropped connection.
	if err := retriedRead(ctx, c, srv, states, say); err != nil {
		return err
	}
	// Step 4: a lock acquire and release, each in a span of its own.
	return lockAcquire(ctx, c, tracer, say)
}

// retriedRead creates a node, makes the server drop the connection right
// after it answers the next read, and reads: the first attempt fails with
// a connection loss, the Client reconnects and the second succeeds. The
// zk.get span carries one retry event. Without the embedded server there
// is no fault to inject, and the read succeeds at once.
func retriedRead(ctx context.Context, c *zk.Client, srv *testserver.Server, states <-chan zk.ConnectionState, say func(string, ...any)) error {
	_ = c.Delete(ctx, "/greeting", -1) // a clean slate on a real ensemble
	if _, err := c.Create(ctx, "/greeting", []byte("hello"), zk.ModePersistent, nil); err != nil {
		return err
	}
	if srv != nil {
		srv.DropAfterApply(jute.OpGetData)
		say("Injected a fault: the connection drops right after the server answers the next read.")
	}
	data, _, err := c.Get(ctx, "/greeting")
	if err != nil {
		return err
	}
	say("Read /greeting = %q; its zk.get span shows the retry.", data)
	if srv == nil {
		return nil
	}
	for _, want := range []zk.ConnectionState{zk.Suspended, zk.Reconnected} {
		select {
		case s := <-states:
			say("Connection state: %s.", s)
			if s != want {
				return fmt.Errorf("connection state %s, want %s", s, want)
			}
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", want, ctx.Err())
		}
	}
	return c.Delete(ctx, "/greeting", -1)
}

// lockAcquire takes and releases a lock, each step in a span of its own;
// the zk operations the lock sends are its children.
func lockAcquire(ctx context.Context, c *zk.Client, tracer trace.Tracer, say func(string, ...any)) error {
	m, err := lock.NewMutex(c, "/locks/orders")
	if err != nil {
		return err
	}
	actx, span := tracer.Start(ctx, "lock.acquire")
	_, err = m.Acquire(actx)
	span.End()
	if err != nil {
		return err
	}
	say("Acquired the lock /locks/orders (fencing token %d).", m.FencingToken())
	rctx, span := tracer.Start(ctx, "lock.release")
	err = m.Release(rctx)
	span.End()
	if err != nil {
		return err
	}
	say("Released the lock.")
	return nil
}

// telemetry is the program's tracer and meter providers.
type telemetry struct {
	tp   *sdktrace.TracerProvider
	mp   *sdkmetric.MeterProvider
	dest string // where the data goes, for the narration
}

// newTelemetry builds the providers: OTLP/HTTP exporters when endpoint is
// set, else exporters that print JSON to w. Spans are exported as they
// end (to a collector in batches); metrics once, at shutdown.
func newTelemetry(ctx context.Context, endpoint string, w io.Writer) (*telemetry, error) {
	var (
		spans   sdktrace.SpanExporter
		metrics sdkmetric.Exporter
		err     error
	)
	t := &telemetry{dest: "stdout"}
	if endpoint != "" {
		t.dest = "the OTLP/HTTP collector at " + endpoint
		// The base URL, as in OTEL_EXPORTER_OTLP_ENDPOINT: each signal
		// goes to its own path below it.
		base := strings.TrimSuffix(endpoint, "/")
		if spans, err = otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(base+"/v1/traces")); err != nil {
			return nil, fmt.Errorf("otlp trace exporter: %w", err)
		}
		if metrics, err = otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpointURL(base+"/v1/metrics")); err != nil {
			return nil, errors.Join(fmt.Errorf("otlp metric exporter: %w", err), spans.Shutdown(ctx))
		}
	} else {
		if spans, err = stdouttrace.New(stdouttrace.WithWriter(w), stdouttrace.WithPrettyPrint()); err != nil {
			return nil, err
		}
		if metrics, err = stdoutmetric.New(stdoutmetric.WithWriter(w), stdoutmetric.WithPrettyPrint()); err != nil {
			return nil, err
		}
	}
	res := resource.NewSchemaless(attribute.String("service.name", "zkcurator-tracing-example"))
	spanProcessor := sdktrace.WithSyncer(spans) // printed as each span ends
	if endpoint != "" {
		spanProcessor = sdktrace.WithBatcher(spans)
	}
	t.tp = sdktrace.NewTracerProvider(spanProcessor, sdktrace.WithResource(res))
	// A reader that never fires on its own: Shutdown collects and exports
	// once, the dump at the end.
	reader := sdkmetric.NewPeriodicReader(metrics, sdkmetric.WithInterval(time.Hour))
	t.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader), sdkmetric.WithResource(res))
	return t, nil
}

// shutdown flushes the spans and exports the metrics.
func (t *telemetry) shutdown(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return errors.Join(t.tp.Shutdown(ctx), t.mp.Shutdown(ctx))
}
