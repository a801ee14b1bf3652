package conformance

import (
	"context"
	"flag"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver/realzk"
)

// update re-records the golden transcripts from the real server.
var update = flag.Bool("update", false, "rewrite testdata/*.golden from the real ZooKeeper (needs "+zktest.EnvReal+"=1)")

// lazyReal is a real ZooKeeper of the test binary, started on first use
// and stopped by TestMain.
type lazyReal struct {
	what string // for the error: "" or " without extended types"
	opts realzk.Options
	once sync.Once
	e    *realzk.Ensemble
	err  error
}

// get starts the server on the first call; a server that cannot start
// fails the test.
func (l *lazyReal) get(t *testing.T) *realzk.Ensemble {
	t.Helper()
	l.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		l.e, l.err = realzk.Start(ctx, l.opts)
	})
	if l.err != nil {
		t.Fatalf("conformance: start real ZooKeeper%s: %v", l.what, l.err)
	}
	return l.e
}

// stop stops the server if it was started.
func (l *lazyReal) stop() error {
	if l.e == nil {
		return nil
	}
	return l.e.Close()
}

// shared is the one real ZooKeeper of the test binary, used when
// zktest.EnvReal is 1; sharedNoExt is a second one with extended types
// (TTL nodes) disabled as by default, for the noext_ scenarios.
var (
	shared      = &lazyReal{}
	sharedNoExt = &lazyReal{what: " without extended types", opts: realzk.Options{
		SystemProperties: map[string]string{"zookeeper.extendedTypesEnabled": "false"},
	}}
)

// realServer returns the shared real server, or nil when zktest.EnvReal is
// not 1. With EnvReal=1 a server that cannot start fails the test.
func realServer(t *testing.T) *realzk.Ensemble {
	t.Helper()
	if os.Getenv(zktest.EnvReal) != "1" {
		return nil
	}
	zktest.RequireReal(t)
	return shared.get(t)
}

// realServerNoExt returns the real server without extended types; call
// it only when realServer returned one.
func realServerNoExt(t *testing.T) *realzk.Ensemble {
	t.Helper()
	return sharedNoExt.get(t)
}

func TestMain(m *testing.M) {
	flag.Parse()
	zktest.MainAfter(m, shared.stop, sharedNoExt.stop)
}
