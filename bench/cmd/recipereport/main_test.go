package main

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/bench/internal/harness"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	harness.ServeIfChild()
	goleak.VerifyTestMain(m)
}

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-servers", "embedded, real", "-parts", "tree", "-tree-nodes", "50", "-rounds", "2"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.servers, []harness.ServerKind{harness.ServerEmbedded, harness.ServerReal}) ||
		!cfg.parts["tree"] || cfg.parts["lock"] || cfg.treeNodes != 50 || cfg.rounds != 2 {
		t.Fatalf("parsed %+v", cfg)
	}
	for _, bad := range [][]string{{"-servers", "nope"}, {"-parts", "queue"}, {"-tree-nodes", "0"}, {"-rounds", "0"}, {"-parts", ""}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("parseFlags(%q) succeeded", bad)
		}
	}
}

func TestRotate(t *testing.T) {
	xs := []int{1, 2, 3}
	for r, want := range [][]int{{1, 2, 3}, {2, 3, 1}, {3, 1, 2}, {1, 2, 3}} {
		if got := rotate(xs, r); !slices.Equal(got, want) {
			t.Errorf("rotate(%v, %d) = %v, want %v", xs, r, got, want)
		}
	}
}

// TestRun runs the whole report on the embedded server with tiny sizes.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := parseFlags([]string{"-servers", "embedded", "-rounds", "2", "-dur", "20ms", "-tree-nodes", "40", "-tree-rounds", "1"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, cfg, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	md := out.String()
	for _, want := range []string{
		"| embedded | ", "Uncontended lock", "Contended hand-off latency, 8 waiters", "Tree priming: 40 nodes",
		"bound: 3.00 (create 1.00, delete 1.00, getChildren2 1.00)", "cache overhead < 300 B/node",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}
