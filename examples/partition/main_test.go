package main

import (
	"testing"

	"github.com/zkcurator/zkcurator/internal/zktest"
)

func TestMain(m *testing.M) { zktest.Main(m) }

func TestPartitionOnEmbeddedServer(t *testing.T) {
	if err := run(""); err != nil {
		t.Fatal(err)
	}
}

func TestPartitionOnRealServer(t *testing.T) {
	e := zktest.RealEnsemble(t, 1)
	if err := run(e.ConnectString()); err != nil {
		t.Fatal(err)
	}
}
