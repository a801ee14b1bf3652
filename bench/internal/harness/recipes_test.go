package harness

import (
	"testing"
)

func startEmbeddedT(t *testing.T) *Server {
	t.Helper()
	srv, err := StartServer(testContext(t), ServerEmbedded)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return srv
}

// TestLocks runs uncontended cycles of every lock implementation and a
// short contended hand-off of each real lock (Handoffs checks mutual
// exclusion).
func TestLocks(t *testing.T) {
	srv := startEmbeddedT(t)
	ctx := testContext(t)
	for _, c := range LockClients {
		t.Run(string(c), func(t *testing.T) {
			path := LockPath("test", c)
			if err := PrepareLock(ctx, srv.Addr, path); err != nil {
				t.Fatal(err)
			}
			counter := NewOpCounter()
			l, err := DialLocker(ctx, c, srv.Addr, path, counter)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := l.Close(); err != nil {
					t.Error(err)
				}
			}()
			if err := Cycles(ctx, l, 1); err != nil { // first-use work (e.g. parent checks) excluded below
				t.Fatal(err)
			}
			before := counter.Snapshot()
			if err := Cycles(ctx, l, 20); err != nil {
				t.Fatal(err)
			}
			ops := SubCounts(counter.Snapshot(), before)
			t.Logf("requests per cycle: %s", Describe(ops, 20))
			var total int64
			for _, v := range ops {
				total += v
			}
			// A lock needs at least a create, a getChildren and a delete;
			// the bound is exactly that.
			if total < 60 || (c == LockBound && total != 60) {
				t.Errorf("%d requests for 20 cycles (%s)", total, Describe(ops, 20))
			}
		})
	}
	for _, c := range HandoffClients {
		t.Run("handoff/"+string(c), func(t *testing.T) {
			path := LockPath("test-handoff", c)
			if err := PrepareLock(ctx, srv.Addr, path); err != nil {
				t.Fatal(err)
			}
			cs, err := DialContenders(ctx, c, srv.Addr, path, 4, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if err := cs.Close(); err != nil {
					t.Error(err)
				}
			}()
			for round := range 2 { // the contenders can run again
				lat, err := cs.Handoffs(ctx, 25)
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				if len(lat) != 25 {
					t.Fatalf("round %d: %d latencies, want 25", round, len(lat))
				}
				for _, d := range lat {
					if d <= 0 {
						t.Fatalf("round %d: latency %v", round, d)
					}
				}
			}
		})
	}
	if _, err := DialContenders(ctx, LockBound, srv.Addr, "/x", 2, nil); err == nil {
		t.Error("DialContenders accepted the bound")
	}
}

// TestPrime builds a small tree and reads it with every method; Prime
// checks every node and byte was seen.
func TestPrime(t *testing.T) {
	srv := startEmbeddedT(t)
	ctx := testContext(t)
	for _, n := range []int{1, 2, 57} {
		tr := Tree{Nodes: n}
		if err := BuildTree(ctx, srv.Addr, tr); err != nil {
			t.Fatal(err)
		}
		if err := BuildTree(ctx, srv.Addr, tr); err != nil { // idempotent
			t.Fatal(err)
		}
		for _, m := range PrimeMethods {
			p, err := Prime(ctx, m, srv.Addr, tr)
			if err != nil {
				t.Fatalf("n=%d: %v", n, err)
			}
			want := 2 * tr.Total()
			switch m {
			case PrimePipelinedLean:
				want = tr.Total() + 1 + min(tr.Fanout(), n-tr.Fanout()) // getData each, getChildren of root and of parents with leaves
			case PrimeCache:
				want = 0
				if p.HeapBytes <= 0 {
					t.Errorf("n=%d: cache heap %d", n, p.HeapBytes)
				}
			}
			if p.Reads != want {
				t.Errorf("n=%d %s: %d reads, want %d", n, m, p.Reads, want)
			}
		}
	}
	if err := BuildTree(ctx, srv.Addr, Tree{}); err == nil {
		t.Error("BuildTree accepted an empty tree")
	}
}
