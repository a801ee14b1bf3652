package main

import (
	"testing"

	"github.com/zkcurator/zkcurator/internal/zktest"
)

func TestMain(m *testing.M) { zktest.Main(m) }

func TestLock(t *testing.T) { zktest.RunProgram(t, run) }
