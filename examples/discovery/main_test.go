package main

import (
	"testing"

	"github.com/zkcurator/zkcurator/internal/zktest"
)

func TestMain(m *testing.M) { zktest.Main(m) }

func TestDiscovery(t *testing.T) { zktest.RunProgram(t, run) }
