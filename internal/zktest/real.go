package zktest

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/zkcurator/zkcurator/testserver/realzk"
)

// RequireReal skips the test unless EnvReal=1. With EnvReal=1 it also checks
// that Java and ZooKeeper are installed (realzk.Find) and calls t.Fatal if
// they are not: in CI a missing server is a failure, never a skip.
func RequireReal(t testing.TB) {
	t.Helper()
	if os.Getenv(EnvReal) != "1" {
		t.Skipf("needs a real Apache ZooKeeper: set %s=1 (with Java and ZooKeeper installed, e.g. Debian packages default-jre-headless zookeeper)", EnvReal)
	}
	if _, err := realzk.Find(); err != nil {
		if errors.Is(err, realzk.ErrNotInstalled) {
			t.Fatalf("zktest: %s=1 but no real ZooKeeper: %v", EnvReal, err)
		}
		t.Fatalf("zktest: %v", err)
	}
}

// RealEnsemble calls RequireReal, then starts a fresh real ZooKeeper of
// members servers (1: standalone) on loopback ports for this test only, and
// closes it when the test ends. Startup progress goes to t.Logf; t.Fatal if
// it does not start.
func RealEnsemble(t testing.TB, members int) *realzk.Ensemble {
	t.Helper()
	return RealEnsembleWith(t, realzk.Options{Members: members})
}

// RealEnsembleWith is RealEnsemble with the launcher's options (zoo.cfg
// keys, JVM properties...); Logf defaults to t.Logf.
func RealEnsembleWith(t testing.TB, opts realzk.Options) *realzk.Ensemble {
	t.Helper()
	RequireReal(t)
	members := max(opts.Members, 1)
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	ctx, cancel := context.WithTimeout(context.Background(), realStartTimeout)
	defer cancel()
	e, err := realzk.Start(ctx, opts)
	if err != nil {
		t.Fatalf("zktest: start real ZooKeeper (%d members): %v", members, err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("zktest: %v", err)
		}
	})
	return e
}

// RealConnectString returns the connect string of a real ZooKeeper for a
// test that needs one whatever EnvTarget says (Curator interoperability):
// the shared server when EnvTarget=real, else a standalone server of the
// test's own. It calls RequireReal first.
func RealConnectString(t testing.TB) string {
	t.Helper()
	RequireReal(t)
	if os.Getenv(EnvTarget) == KindReal {
		return Server(t).ConnectString()
	}
	return RealEnsemble(t, 1).ConnectString()
}
