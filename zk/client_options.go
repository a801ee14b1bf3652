package zk

import (
	"log/slog"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/zkcurator/zkcurator/retry"
)

// DefaultConnectionTimeout is how long a Client operation waits for a
// connection before failing the attempt with ErrConnectionLoss (which the
// retry policy may retry), when WithConnectionTimeout is not given.
const DefaultConnectionTimeout = 15 * time.Second

// DefaultRetryPolicy is the Client's retry policy when WithRetryPolicy is
// not given: exponential backoff from 100ms, at most 10 retries, sleeps
// capped at 2s.
func DefaultRetryPolicy() retry.Policy {
	return retry.ExponentialBackoff(100*time.Millisecond, 10, 2*time.Second)
}

// clientConfig holds the options only a Client uses; Dial ignores them.
type clientConfig struct {
	retry             retry.Policy
	errorPolicy       ErrorPolicy
	namespace         string
	connectionTimeout time.Duration
	defaultData       []byte
	tracerProvider    trace.TracerProvider
	meterProvider     metric.MeterProvider
	listeners         []func(ConnectionState)
}

// WithRetryPolicy sets the policy a Client retries failed operations with
// (default DefaultRetryPolicy). Client option; Dial ignores it.
func WithRetryPolicy(p retry.Policy) Option {
	return func(c *connConfig) { c.client.retry = p }
}

// WithErrorPolicy sets which connection states recipes treat as the end of
// a hold (default StandardErrorPolicy). Client option.
func WithErrorPolicy(p ErrorPolicy) Option {
	return func(c *connConfig) { c.client.errorPolicy = p }
}

// WithNamespace makes every path of a Client relative to /ns (created on
// Connect if missing), like Curator's namespace. Client option.
func WithNamespace(ns string) Option {
	return func(c *connConfig) { c.client.namespace = ns }
}

// WithConnectionTimeout bounds how long Dial and Connect try to reach a
// server when their ctx has no earlier deadline, and how long a Client
// operation waits for a connection before its attempt fails with
// ErrConnectionLoss (default 15s). Valid for Dial and Connect.
func WithConnectionTimeout(d time.Duration) Option {
	return func(c *connConfig) { c.client.connectionTimeout = d }
}

// WithDefaultData sets the data Client.Create stores when given nil data
// (default: none), like Curator's defaultData. Client option.
func WithDefaultData(b []byte) Option {
	return func(c *connConfig) { c.client.defaultData = append([]byte(nil), b...) }
}

// WithTracerProvider sets the OpenTelemetry TracerProvider for the Client's
// spans (default: the global one, a no-op unless the application set one).
// Client option.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *connConfig) { c.client.tracerProvider = tp }
}

// WithMeterProvider sets the OpenTelemetry MeterProvider for the Client's
// metrics (default: the global one). Client option.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *connConfig) { c.client.meterProvider = mp }
}

// WithStateListener subscribes f to the Client's connection states from the
// start, so it also sees the first Connected (a listener added later with
// Client.Listen sees only the states after it). Client option.
func WithStateListener(f func(ConnectionState)) Option {
	return func(c *connConfig) { c.client.listeners = append(c.client.listeners, f) }
}

// newClientConfig applies opts and fills in the Client's defaults.
func newClientConfig(opts []Option) *connConfig {
	cfg := &connConfig{}
	for _, o := range opts {
		o(cfg)
	}
	cc := &cfg.client
	if cc.retry == nil {
		cc.retry = DefaultRetryPolicy()
	}
	if cc.errorPolicy == nil {
		cc.errorPolicy = StandardErrorPolicy
	}
	if cc.connectionTimeout <= 0 {
		cc.connectionTimeout = DefaultConnectionTimeout
	}
	if cc.tracerProvider == nil {
		cc.tracerProvider = otel.GetTracerProvider()
	}
	if cc.meterProvider == nil {
		cc.meterProvider = otel.GetMeterProvider()
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}
