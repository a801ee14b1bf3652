package main

import (
	"testing"

	"github.com/zkcurator/zkcurator/internal/zktest"
)

func TestMain(m *testing.M) { zktest.Main(m) }

func TestCache(t *testing.T) { zktest.RunProgram(t, run) }
