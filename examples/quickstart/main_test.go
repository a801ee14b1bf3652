package main

import (
	"testing"

	"github.com/zkcurator/zkcurator/internal/zktest"
)

func TestMain(m *testing.M) { zktest.Main(m) }

// The README's first command must keep working.
func TestQuickstartOnEmbeddedServer(t *testing.T) {
	if err := run(""); err != nil {
		t.Fatal(err)
	}
}

func TestQuickstartOnRealServer(t *testing.T) {
	e := zktest.RealEnsemble(t, 1)
	if err := run(e.ConnectString()); err != nil {
		t.Fatal(err)
	}
}
