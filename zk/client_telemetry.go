package zk

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// instrumentationName names this library's tracer and meter.
const instrumentationName = "github.com/zkcurator/zkcurator/zk"

// telemetry holds a Client's OpenTelemetry tracer and instruments.
type telemetry struct {
	tracer       trace.Tracer
	opDuration   metric.Float64Histogram
	inFlight     metric.Int64UpDownCounter
	stateChanges metric.Int64Counter
	reconnects   metric.Int64Counter
	expirations  metric.Int64Counter
	opOpts       sync.Map // op name -> *opOptions
}

// opOptions are the metric options of one operation name, built once: an
// attribute set costs allocations that every call would otherwise pay.
// The options are kept as ready slices: passing a slice on to a
// variadic parameter does not allocate, building one per call does.
type opOptions struct {
	op      []metric.AddOption    // zk.op
	ok, err []metric.RecordOption // zk.op and zk.outcome
}

func (t *telemetry) options(op string) *opOptions {
	if o, ok := t.opOpts.Load(op); ok {
		return o.(*opOptions)
	}
	opAttr := attribute.String("zk.op", op)
	o := &opOptions{
		op:  []metric.AddOption{metric.WithAttributes(opAttr)},
		ok:  []metric.RecordOption{metric.WithAttributes(opAttr, attribute.String("zk.outcome", "ok"))},
		err: []metric.RecordOption{metric.WithAttributes(opAttr, attribute.String("zk.outcome", "error"))},
	}
	actual, _ := t.opOpts.LoadOrStore(op, o)
	return actual.(*opOptions)
}

func newTelemetry(tp trace.TracerProvider, mp metric.MeterProvider) *telemetry {
	m := mp.Meter(instrumentationName)
	t := &telemetry{tracer: tp.Tracer(instrumentationName)}
	// Instrument creation fails only for invalid names; ours are constants,
	// and the API returns a usable no-op instrument on error anyway.
	t.opDuration, _ = m.Float64Histogram("zk.client.operation.duration",
		metric.WithDescription("Duration of Client operations, retries included."), metric.WithUnit("s"))
	t.inFlight, _ = m.Int64UpDownCounter("zk.client.operations.in_flight",
		metric.WithDescription("Client operations in progress."))
	t.stateChanges, _ = m.Int64Counter("zk.client.connection.state_changes",
		metric.WithDescription("Connection state changes, by state."))
	t.reconnects, _ = m.Int64Counter("zk.client.reconnects",
		metric.WithDescription("Connections re-established after a suspension or a lost session."))
	t.expirations, _ = m.Int64Counter("zk.client.session.expirations",
		metric.WithDescription("Sessions lost (expired, or suspended past the session timeout)."))
	return t
}

// opSpan tracks one Client operation: its span, its start and its attempts.
type opSpan struct {
	t        *telemetry
	span     trace.Span
	opts     *opOptions
	start    time.Time
	attempts int
}

// startOp starts the span and metrics of one operation. Span attributes
// are only built when the span is recorded.
func (t *telemetry) startOp(ctx context.Context, op, path string) (context.Context, *opSpan) {
	ctx, span := t.tracer.Start(ctx, spanName(op), clientSpan...)
	if span.IsRecording() {
		span.SetAttributes(attribute.String("zk.op", op), attribute.String("zk.path", path))
	}
	o := t.options(op)
	t.inFlight.Add(ctx, 1, o.op...)
	return ctx, &opSpan{t: t, span: span, opts: o, start: time.Now()}
}

// clientSpan is the start option of every operation's span, built once.
var clientSpan = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}

// spanNames holds "zk."+op for the operations the Client has, so naming a
// span does not allocate.
var spanNames = map[string]string{}

func init() {
	for _, op := range []string{"create", "delete", "exists", "get", "set", "children", "getACL", "setACL",
		"sync", "multi", "getEphemerals", "allChildrenNumber", "addWatch", "removeWatches", "addAuth", "ensurePath"} {
		spanNames[op] = "zk." + op
	}
}

func spanName(op string) string {
	if n, ok := spanNames[op]; ok {
		return n
	}
	return "zk." + op
}

// attempt counts one attempt.
func (s *opSpan) attempt() { s.attempts++ }

// retry records a retry as a span event.
func (s *opSpan) retry(attempt int, err error, sleep time.Duration) {
	if !s.span.IsRecording() {
		return
	}
	attrs := []attribute.KeyValue{
		attribute.Int("zk.attempt", attempt),
		attribute.String("zk.error", err.Error()),
		attribute.Int64("zk.retry.sleep_ms", sleep.Milliseconds()),
	}
	if code, ok := CodeOf(err); ok {
		attrs = append(attrs, attribute.Int("zk.error_code", int(code)))
	}
	s.span.AddEvent("retry", trace.WithAttributes(attrs...))
}

// end finishes the span and records the operation's duration.
func (s *opSpan) end(ctx context.Context, err error) {
	if s.span.IsRecording() {
		s.span.SetAttributes(attribute.Int("zk.attempts", s.attempts))
		if err != nil {
			if code, ok := CodeOf(err); ok {
				s.span.SetAttributes(attribute.Int("zk.error_code", int(code)))
			}
			if !errors.Is(err, ErrNoNode) && !errors.Is(err, ErrNodeExists) {
				// NoNode and NodeExists are answers, not failures.
				s.span.SetStatus(codes.Error, err.Error())
			}
			s.span.RecordError(err)
		}
	}
	s.span.End()
	outcome := s.opts.ok
	if err != nil {
		outcome = s.opts.err
	}
	s.t.inFlight.Add(ctx, -1, s.opts.op...)
	s.t.opDuration.Record(ctx, time.Since(s.start).Seconds(), outcome...)
}

// stateChanged counts a connection state change.
func (t *telemetry) stateChanged(s ConnectionState) {
	ctx := context.Background()
	t.stateChanges.Add(ctx, 1, metric.WithAttributes(attribute.String("zk.state", s.String())))
	switch s {
	case Reconnected:
		t.reconnects.Add(ctx, 1)
	case Lost:
		t.expirations.Add(ctx, 1)
	}
}
