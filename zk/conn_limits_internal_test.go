package zk

import (
	"testing"

	"github.com/zkcurator/zkcurator/jute"
)

// TestBodySizeMatchesEncoding: the size tooLarge computes before a request
// is queued is the length of its encoding, for every body it claims to
// know, so the early ErrRequestTooLarge agrees with the writer's check.
func TestBodySizeMatchesEncoding(t *testing.T) {
	acl := []jute.ACL{{Perms: 31, ID: jute.Id{Scheme: "world", ID: "anyone"}}, {Perms: 1, ID: jute.Id{Scheme: "digest", ID: "u:xyz"}}}
	bodies := []jute.Record{
		&jute.CreateRequest{Path: "/a/b", Data: []byte("data"), ACL: acl, Flags: 2},
		&jute.CreateRequest{Path: "/n"},
		&jute.CreateTTLRequest{Path: "/t", Data: make([]byte, 100), ACL: acl, Flags: 5, TTL: 1000},
		&jute.SetDataRequest{Path: "/s", Data: []byte("x"), Version: -1},
		&jute.PathVersionRequest{Path: "/d", Version: 3},
		&jute.MultiRequest{Ops: []jute.MultiOp{
			{Type: jute.OpCreate2, Record: &jute.CreateRequest{Path: "/m", Data: []byte("1"), ACL: acl}},
			{Type: jute.OpSetData, Record: &jute.SetDataRequest{Path: "/m", Data: []byte("22")}},
			{Type: jute.OpCheck, Record: &jute.PathVersionRequest{Path: "/m", Version: 1}},
			{Type: jute.OpDelete, Record: &jute.PathVersionRequest{Path: "/m", Version: -1}},
		}},
		&jute.MultiRequest{},
	}
	for _, b := range bodies {
		n, ok := bodySize(b)
		if !ok {
			t.Fatalf("%T: size not known", b)
		}
		if want := len(b.Encode(nil)); n != want {
			t.Errorf("%T: bodySize %d, encoding %d bytes", b, n, want)
		}
	}
	if _, ok := bodySize(&jute.PathWatchRequest{Path: "/w"}); ok {
		t.Errorf("PathWatchRequest: size claimed known")
	}
}
