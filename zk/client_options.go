package zk

import (
	"log/slog"
	"strings"
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

// clientConfig holds the options only a Client uses; Dial rejects them.
type clientConfig struct {
	retry             retry.Policy
	errorPolicy       ErrorPolicy
	namespace         string
	connectionTimeout time.Duration
	defaultData       []byte
	tracerProvider    trace.TracerProvider
	meterProvider     metric.MeterProvider
	listeners         []func(ConnectionState)
	ensembleTracker   bool // WithEnsembleTracker (client_ensemble.go)
}

// WithRetryPolicy sets the policy a Client retries failed operations with
// (default DefaultRetryPolicy; nil is invalid). Client only.
func WithRetryPolicy(p retry.Policy) Option {
	return clientOption("WithRetryPolicy", func(c *connConfig) {
		if p == nil {
			c.invalid("WithRetryPolicy", "nil policy")
		}
		c.client.retry = p
	})
}

// WithErrorPolicy sets which connection states recipes treat as the end of
// a hold (default StandardErrorPolicy; nil is invalid). Client only.
func WithErrorPolicy(p ErrorPolicy) Option {
	return clientOption("WithErrorPolicy", func(c *connConfig) {
		if p == nil {
			c.invalid("WithErrorPolicy", "nil policy")
		}
		c.client.errorPolicy = p
	})
}

// WithNamespace makes every path of a Client relative to /ns, like
// Curator's namespace: "app" or "app/v1" ("" means none; a leading slash is
// allowed). "/"+ns must be a valid path. The namespace node and its parents
// are created on Connect, as containers where the server supports them
// (Curator 5 does the same). Client only.
func WithNamespace(ns string) Option {
	return clientOption("WithNamespace", func(c *connConfig) {
		ns = strings.TrimPrefix(ns, "/")
		if ns != "" {
			if err := ValidatePath("/"+ns, false); err != nil {
				c.invalid("WithNamespace", "%v", err)
			}
		}
		c.client.namespace = ns
	})
}

// WithConnectionTimeout bounds how long the client waits for a
// connection: Connect and Dial fail when no session is established within
// it, and a Client operation whose attempt waits longer for a connection
// fails that attempt with ErrConnectionLoss, which the retry policy may
// retry (default DefaultConnectionTimeout; it must be positive). Conn and
// Client.
func WithConnectionTimeout(d time.Duration) Option {
	return func(c *connConfig) {
		if d <= 0 {
			c.invalid("WithConnectionTimeout", "must be positive, got %v", d)
		}
		c.client.connectionTimeout = d
	}
}

// WithDefaultData sets the data Client.Create stores when given nil data
// (default: none), like Curator's defaultData. Client only.
func WithDefaultData(b []byte) Option {
	return clientOption("WithDefaultData", func(c *connConfig) {
		c.client.defaultData = append([]byte(nil), b...)
	})
}

// WithTracerProvider sets the OpenTelemetry TracerProvider for the Client's
// spans (default: the global one, a no-op unless the application set one;
// nil is invalid). Client only.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return clientOption("WithTracerProvider", func(c *connConfig) {
		if tp == nil {
			c.invalid("WithTracerProvider", "nil provider")
		}
		c.client.tracerProvider = tp
	})
}

// WithMeterProvider sets the OpenTelemetry MeterProvider for the Client's
// metrics (default: the global one; nil is invalid). Client only.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return clientOption("WithMeterProvider", func(c *connConfig) {
		if mp == nil {
			c.invalid("WithMeterProvider", "nil provider")
		}
		c.client.meterProvider = mp
	})
}

// WithStateListener subscribes f to the Client's connection states from the
// start, so it also sees the first Connected (a listener added later with
// Client.Listen sees only the states after it). Client only.
func WithStateListener(f func(ConnectionState)) Option {
	return clientOption("WithStateListener", func(c *connConfig) {
		if f == nil {
			c.invalid("WithStateListener", "nil listener")
		}
		c.client.listeners = append(c.client.listeners, f)
	})
}

// newClientConfig applies opts, checks them and fills in the Client's
// defaults for the options not given.
func newClientConfig(opts []Option) (*connConfig, error) {
	cfg := &connConfig{}
	if err := applyOptions(cfg, opts, false); err != nil {
		return nil, err
	}
	cc := &cfg.client
	if cc.retry == nil {
		cc.retry = DefaultRetryPolicy()
	}
	if cc.errorPolicy == nil {
		cc.errorPolicy = StandardErrorPolicy
	}
	if cc.connectionTimeout == 0 {
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
	return cfg, nil
}
