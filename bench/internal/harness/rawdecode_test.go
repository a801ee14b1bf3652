package harness

import (
	"bytes"
	"testing"

	"github.com/zkcurator/zkcurator/jute"
)

// TestRawDecodeHandsOverResults checks that the raw-decode client decodes
// every reply: each result slot holds its own copy of the node's data and
// the node's Stat, for a reply that fits the read buffer (decoded in
// place) and one that does not (read into a frame buffer).
func TestRawDecodeHandsOverResults(t *testing.T) {
	ctx := testContext(t)
	srv, err := StartServer(ctx, ServerEmbedded)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	big := bytes.Repeat([]byte("0123456789abcdef"), 100<<10/16) // 100 KiB: larger than the 64 KiB read buffer
	setup, err := DialRaw(ctx, srv.Addr, NodePath, nil)
	if err != nil {
		t.Fatal(err)
	}
	acl := []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "world", ID: "anyone"}}}
	code, err := setup.Call(ctx, jute.OpCreate, &jute.CreateRequest{Path: "/big", Data: big, ACL: acl})
	setup.Close()
	if err != nil || code != 0 {
		t.Fatalf("create /big: code %d, %v", code, err)
	}

	for _, tc := range []struct {
		path string
		data []byte
	}{{NodePath, NodeData()}, {"/big", big}} {
		r, err := DialRawDecode(ctx, srv.Addr, tc.path, tc.data)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range []int{1, 7} {
			if err := r.Run(ctx, OpGet, g, 20); err != nil {
				t.Fatalf("%s g=%d: %v", tc.path, g, err)
			}
			if len(r.dec.results) != g {
				t.Fatalf("%s g=%d: %d result slots", tc.path, g, len(r.dec.results))
			}
			for i, res := range r.dec.results {
				if !bytes.Equal(res.data, tc.data) || res.stat.DataLength != int32(len(tc.data)) || res.stat.Czxid == 0 {
					t.Fatalf("%s g=%d slot %d: %d bytes, stat %+v", tc.path, g, i, len(res.data), res.stat)
				}
				if i > 0 && &res.data[0] == &r.dec.results[0].data[0] {
					t.Fatalf("%s g=%d: slots %d and 0 share their data", tc.path, g, i)
				}
			}
		}
		if err := r.Run(ctx, OpSet, 7, 20); err != nil {
			t.Fatalf("%s set: %v", tc.path, err)
		}
		if res := r.dec.results[0]; res.data != nil || res.stat.Version == 0 {
			t.Fatalf("%s set: result %d bytes, stat %+v", tc.path, len(res.data), res.stat)
		}
		r.Close()
	}

	missing, err := DialRawDecode(ctx, srv.Addr, "/missing", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer missing.Close()
	if err := missing.Run(ctx, OpGet, 64, 100); err == nil {
		t.Fatal("Run on a missing node succeeded")
	}
}

// TestRawDecodeReuseAllocatesNothing checks that raw-decode-reuse copies
// each reply's data into the buffers of the previous Run's results: same
// arrays, right data, no allocation per Get.
func TestRawDecodeReuseAllocatesNothing(t *testing.T) {
	ctx := testContext(t)
	srv, err := StartServer(ctx, ServerEmbeddedProc)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	r, err := DialRawDecodeReuse(ctx, srv.Addr, NodePath, NodeData())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Run(ctx, OpGet, 8, 8); err != nil {
		t.Fatal(err)
	}
	first := make([]*byte, len(r.dec.results))
	for i, res := range r.dec.results {
		first[i] = &res.data[0]
	}
	res, err := Measure(ctx, r, OpGet, 8, 4000)
	if err != nil {
		t.Fatal(err)
	}
	for i, slot := range r.dec.results {
		if &slot.data[0] != first[i] || !bytes.Equal(slot.data, NodeData()) {
			t.Fatalf("slot %d: new buffer or wrong data (%d bytes)", i, len(slot.data))
		}
	}
	if a := res.AllocsPerOp(); a > 0.1 { // the writer goroutine and its channel, per Run
		t.Fatalf("%.2f allocations per Get, want none", a)
	}
}
