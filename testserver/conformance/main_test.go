package conformance

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver/realzk"
)

// update re-records the golden transcripts from the real server.
var update = flag.Bool("update", false, "rewrite testdata/*.golden from the real ZooKeeper (needs "+zktest.EnvReal+"=1)")

// shared is the one real ZooKeeper of the test binary, started on first use
// when zktest.EnvReal is 1 and stopped by TestMain.
var shared struct {
	once sync.Once
	e    *realzk.Ensemble
	err  error
}

// realServer returns the shared real server, or nil when zktest.EnvReal is
// not 1. With EnvReal=1 a server that cannot start fails the test.
func realServer(t *testing.T) *realzk.Ensemble {
	t.Helper()
	if os.Getenv(zktest.EnvReal) != "1" {
		return nil
	}
	zktest.RequireReal(t)
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		shared.e, shared.err = realzk.Start(ctx, realzk.Options{})
	})
	if shared.err != nil {
		t.Fatalf("conformance: start real ZooKeeper: %v", shared.err)
	}
	return shared.e
}

// sharedNoExt is a second real ZooKeeper, with extended types (TTL nodes)
// disabled as by default, for the noext_ scenarios; started on first use.
var sharedNoExt struct {
	once sync.Once
	e    *realzk.Ensemble
	err  error
}

// realServerNoExt returns the real server without extended types; call
// it only when realServer returned one.
func realServerNoExt(t *testing.T) *realzk.Ensemble {
	t.Helper()
	sharedNoExt.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		sharedNoExt.e, sharedNoExt.err = realzk.Start(ctx, realzk.Options{
			SystemProperties: map[string]string{"zookeeper.extendedTypesEnabled": "false"},
		})
	})
	if sharedNoExt.err != nil {
		t.Fatalf("conformance: start real ZooKeeper without extended types: %v", sharedNoExt.err)
	}
	return sharedNoExt.e
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	for _, e := range []*realzk.Ensemble{shared.e, sharedNoExt.e} {
		if e == nil {
			continue
		}
		if err := e.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "conformance: stopping the real ZooKeeper: %v\n", err)
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
