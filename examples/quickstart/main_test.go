package main

import (
	"testing"

	"github.com/zkcurator/zkcurator/internal/zktest"
)

func TestMain(m *testing.M) { zktest.Main(m) }

// The README's first command must keep working.
func TestQuickstart(t *testing.T) { zktest.RunProgram(t, run) }
