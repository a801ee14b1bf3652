// Package zktest is the one shared test-helper package of zkcurator: every
// package's tests get their ZooKeeper server, their goroutine-leak check and
// their polling helpers from here, so the switch between the embedded server
// and a real Apache ZooKeeper lives in one place.
//
// Environment:
//
//	ZKCURATOR_REAL_ZK=1            run the tests that need a real ZooKeeper
//	                               (RequireReal, RealEnsemble); a real server
//	                               that cannot start is then a test failure.
//	                               Unset: those tests skip.
//	ZKCURATOR_TEST_SERVER=real     Server(t) returns one real standalone
//	                               server shared by the test binary instead of
//	                               an embedded server per test.
//
// A package using Server or RealEnsemble calls Main from its TestMain.
package zktest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/testserver/realzk"
	"github.com/zkcurator/zkcurator/zk"
)

// EnvReal is the variable that enables tests needing a real ZooKeeper when
// set to "1". CI sets it; then a real server that cannot start fails the
// test instead of skipping it.
const EnvReal = "ZKCURATOR_REAL_ZK"

// EnvTarget selects the server Server(t) returns: "embedded" (the default
// when unset) or "real".
const EnvTarget = "ZKCURATOR_TEST_SERVER"

// Kinds of Target.
const (
	KindEmbedded = "embedded"
	KindReal     = "real"
)

// realStartTimeout bounds starting a real server or ensemble.
const realStartTimeout = 90 * time.Second

// Target is a server a test talks to.
type Target interface {
	// ConnectString is the connect string to give a client.
	ConnectString() string
	// Kind is "embedded" or "real".
	Kind() string
}

// embeddedTarget is an embedded server seen as a Target.
type embeddedTarget struct{ *testserver.Server }

func (embeddedTarget) Kind() string { return KindEmbedded }

// realTarget is a real ZooKeeper seen as a Target.
type realTarget struct{ e *realzk.Ensemble }

func (r realTarget) ConnectString() string { return r.e.ConnectString() }
func (realTarget) Kind() string            { return KindReal }

// Server returns the server for an integration test, chosen by EnvTarget:
// by default a fresh embedded server closed when the test ends; with
// EnvTarget=real, one real standalone ZooKeeper shared by every test of the
// binary (started on first use, stopped by Main), so tests must keep to
// their own paths (see UniquePath). It calls t.Fatal if the server cannot
// start or EnvTarget has an unknown value.
func Server(t testing.TB) Target {
	t.Helper()
	switch v := os.Getenv(EnvTarget); v {
	case "", KindEmbedded:
		return embeddedTarget{Embedded(t)}
	case KindReal:
		e, err := sharedReal()
		if err != nil {
			t.Fatalf("zktest: %s=real but the real ZooKeeper did not start: %v", EnvTarget, err)
		}
		return realTarget{e}
	default:
		t.Fatalf("zktest: %s=%q: want %q or %q", EnvTarget, v, KindEmbedded, KindReal)
		return nil
	}
}

// Embedded starts an embedded server with opts for tests that need one
// whatever EnvTarget says (fault injection, version emulation). It is closed
// when the test ends; t.Fatal if it cannot start. Like the real servers the
// launcher starts, it has TTL nodes enabled and checks for empty
// containers often (EmbeddedDefaults); opts override those.
func Embedded(t testing.TB, opts ...testserver.Option) *testserver.Server {
	t.Helper()
	all := append(EmbeddedDefaults(), opts...)
	return testserver.New(t, all...) // New registers Close with t.Cleanup
}

// EmbeddedContainerCheck is how often an Embedded server deletes empty
// containers and expired TTL nodes (a real server: 60s by default; the
// realzk launcher: 1s).
const EmbeddedContainerCheck = 100 * time.Millisecond

// EmbeddedDefaults returns the options Embedded starts a server with, for
// tests that start one with testserver.Start themselves: TTL nodes enabled
// (zookeeper.extendedTypesEnabled, which realzk sets too), every
// four-letter word (realzk's whitelist is "*" too) and a container check
// every EmbeddedContainerCheck.
func EmbeddedDefaults() []testserver.Option {
	return []testserver.Option{
		testserver.WithFourLetterWords("*"),
		testserver.WithExtendedTypes(true),
		testserver.WithContainerCheckInterval(EmbeddedContainerCheck),
	}
}

// shared is the real server behind Server with EnvTarget=real.
var shared struct {
	mu      sync.Mutex
	started bool // a start was attempted; err or e holds the result
	e       *realzk.Ensemble
	err     error
}

// sharedReal starts the shared real server once and returns it, or the
// error of that one attempt.
func sharedReal() (*realzk.Ensemble, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.started {
		shared.started = true
		ctx, cancel := context.WithTimeout(context.Background(), realStartTimeout)
		shared.e, shared.err = realzk.Start(ctx, realzk.Options{})
		cancel()
	}
	return shared.e, shared.err
}

// stopShared stops the shared real server, if it was started.
func stopShared() error {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	var err error
	if shared.e != nil {
		err = shared.e.Close()
	}
	shared.started, shared.e, shared.err = false, nil, nil
	return err
}

// Main runs the tests of a package: call it as the whole body of TestMain.
// After m.Run it stops the shared real server, then, if the tests passed,
// fails the binary when goroutines are left over (goleak.VerifyTestMain's
// semantics; no goroutines are ignored). It does not return.
func Main(m *testing.M) { MainAfter(m) }

// MainAfter is Main for a test binary that also starts servers of its own:
// after m.Run it calls each stop as well (before the leak check); an error
// from one fails the binary.
func MainAfter(m *testing.M, stops ...func() error) {
	code := m.Run()
	for _, stop := range append([]func() error{stopShared}, stops...) {
		if err := stop(); err != nil {
			fmt.Fprintf(os.Stderr, "zktest: stopping a real ZooKeeper: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: Errors on successful test run: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// SetupEmbedded is Setup on a fresh embedded server started with opts (see
// Embedded), which it returns as well for fault injection.
func SetupEmbedded(t testing.TB, opts ...testserver.Option) (ctx context.Context, srv *testserver.Server, c *zk.Client, path string) {
	t.Helper()
	srv = Embedded(t, opts...)
	c = Connect(t, srv.ConnectString())
	return Context(t), srv, c, UniquePath(t)
}

// SetupEmbedded2 is SetupEmbedded with two Clients, each its own session
// (two processes), on the one fresh embedded server.
func SetupEmbedded2(t testing.TB, opts ...testserver.Option) (ctx context.Context, srv *testserver.Server, c1, c2 *zk.Client, path string) {
	t.Helper()
	ctx, srv, c1, path = SetupEmbedded(t, opts...)
	return ctx, srv, c1, Connect(t, srv.ConnectString()), path
}
