package jute_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

// sampleMultiRequest holds every op type a multi (op 14) accepts.
func sampleMultiRequest() *jute.MultiRequest {
	return &jute.MultiRequest{Ops: []jute.MultiOp{
		{Type: jute.OpCreate, Record: &jute.CreateRequest{Path: "/m/a", Data: []byte("a"), ACL: sampleACL[:1], Flags: jute.FlagPersistent}},
		{Type: jute.OpCreate2, Record: &jute.CreateRequest{Path: "/m/b", Data: nil, ACL: sampleACL[:1], Flags: jute.FlagEphemeral}},
		{Type: jute.OpCreateContainer, Record: &jute.CreateRequest{Path: "/m/c", Data: []byte{}, ACL: sampleACL[:1], Flags: jute.FlagContainer}},
		{Type: jute.OpCreateTTL, Record: &jute.CreateTTLRequest{Path: "/m/t", Data: []byte("t"), ACL: sampleACL[:1], Flags: jute.FlagPersistentWithTTL, TTL: 60000}},
		{Type: jute.OpDelete, Record: &jute.DeleteRequest{Path: "/m/d", Version: -1}},
		{Type: jute.OpSetData, Record: &jute.SetDataRequest{Path: "/m/s", Data: []byte("new"), Version: 4}},
		{Type: jute.OpCheck, Record: &jute.CheckVersionRequest{Path: "/m", Version: 9}},
	}}
}

// sampleMultiReadRequest holds both op types a multiRead (op 22) accepts.
func sampleMultiReadRequest() *jute.MultiRequest {
	return &jute.MultiRequest{Ops: []jute.MultiOp{
		{Type: jute.OpGetChildren, Record: &jute.GetChildrenRequest{Path: "/m", Watch: false}},
		{Type: jute.OpGetData, Record: &jute.GetDataRequest{Path: "/m/a", Watch: true}},
	}}
}

// sampleMultiResponse holds every result type of a successful multi.
func sampleMultiResponse() *jute.MultiResponse {
	return &jute.MultiResponse{Results: []jute.MultiResult{
		{Type: jute.OpCreate, Record: &jute.CreateResponse{Path: "/m/a"}},
		{Type: jute.OpCreate2, Record: &jute.Create2Response{Path: "/m/b", Stat: sampleStat}},
		{Type: jute.OpCreateContainer, Record: &jute.Create2Response{Path: "/m/c", Stat: sampleStat}},
		{Type: jute.OpCreateTTL, Record: &jute.Create2Response{Path: "/m/t", Stat: sampleStat}},
		{Type: jute.OpDelete},
		{Type: jute.OpSetData, Record: &jute.SetDataResponse{Stat: sampleStat}},
		{Type: jute.OpCheck},
	}}
}

// sampleFailedMultiResponse is what a server sends for a multi whose third
// op failed: every result is an error, earlier ones 0, later ones -2.
func sampleFailedMultiResponse() *jute.MultiResponse {
	return &jute.MultiResponse{Results: []jute.MultiResult{
		{Type: jute.OpError, Err: jute.ErrOK},
		{Type: jute.OpError, Err: jute.ErrOK},
		{Type: jute.OpError, Err: jute.ErrNodeExists},
		{Type: jute.OpError, Err: jute.ErrRuntimeInconsistency},
	}}
}

// sampleMultiReadResponse mixes read results with a per-op error.
func sampleMultiReadResponse() *jute.MultiResponse {
	return &jute.MultiResponse{Results: []jute.MultiResult{
		{Type: jute.OpGetChildren, Record: &jute.GetChildrenResponse{Items: []string{"a", "b"}}},
		{Type: jute.OpGetData, Record: &jute.GetDataResponse{Data: []byte("x"), Stat: sampleStat}},
		{Type: jute.OpError, Err: jute.ErrNoNode},
		{Type: jute.OpGetData, Record: &jute.GetDataResponse{Data: nil, Stat: sampleStat}},
	}}
}

func TestMultiEmpty(t *testing.T) {
	// An empty multi is just the end marker {-1, true, -1}.
	end := []byte{0xff, 0xff, 0xff, 0xff, 1, 0xff, 0xff, 0xff, 0xff}
	require.Equal(t, end, (&jute.MultiRequest{}).Encode(nil))
	require.Equal(t, end, (&jute.MultiResponse{}).Encode(nil))

	var req jute.MultiRequest
	require.NoError(t, jute.Unmarshal(end, &req))
	require.Empty(t, req.Ops)
	var resp jute.MultiResponse
	require.NoError(t, jute.Unmarshal(end, &resp))
	require.Empty(t, resp.Results)
}

func TestMultiRequestHeaders(t *testing.T) {
	// Each op is preceded by MultiHeader{type, false, -1}.
	b := (&jute.MultiRequest{Ops: []jute.MultiOp{
		{Type: jute.OpDelete, Record: &jute.DeleteRequest{Path: "/x", Version: 2}},
	}}).Encode(nil)
	d := jute.NewDecoder(b)
	var h jute.MultiHeader
	h.Decode(d)
	require.Equal(t, jute.MultiHeader{Type: jute.OpDelete, Done: false, Err: -1}, h)
	var del jute.DeleteRequest
	del.Decode(d)
	require.Equal(t, jute.DeleteRequest{Path: "/x", Version: 2}, del)
	h.Decode(d)
	require.Equal(t, jute.MultiHeader{Type: -1, Done: true, Err: -1}, h)
	require.NoError(t, d.Err())
	require.Zero(t, d.Remaining())
}

func TestMultiErrorResultEncoding(t *testing.T) {
	// An error result is MultiHeader{-1, false, err} + ErrorResponse{err}.
	b := (&jute.MultiResponse{Results: []jute.MultiResult{{Type: jute.OpError, Err: jute.ErrBadVersion}}}).Encode(nil)
	want := []byte{
		0xff, 0xff, 0xff, 0xff, 0, 0xff, 0xff, 0xff, 0x99, // header: -1, false, -103
		0xff, 0xff, 0xff, 0x99, // ErrorResponse -103
		0xff, 0xff, 0xff, 0xff, 1, 0xff, 0xff, 0xff, 0xff, // end
	}
	require.Equal(t, want, b)
}

func TestMultiRequestRejectsUnknownOp(t *testing.T) {
	for _, op := range []int32{jute.OpExists, jute.OpGetACL, jute.OpMulti, jute.OpPing, 9999, -5} {
		b := (&jute.MultiHeader{Type: op, Done: false, Err: -1}).Encode(nil)
		b = (&jute.PathRecord{Path: "/x"}).Encode(b)
		var r jute.MultiRequest
		err := jute.Unmarshal(b, &r)
		require.ErrorIs(t, err, jute.ErrCorrupt, "op %d", op)
		require.Nil(t, jute.NewMultiOpRecord(op))
	}
}

func TestMultiResponseRejectsUnknownResult(t *testing.T) {
	for _, op := range []int32{jute.OpExists, jute.OpGetACL, jute.OpGetChildren2, 77} {
		b := (&jute.MultiHeader{Type: op, Done: false, Err: 0}).Encode(nil)
		b = append(b, make([]byte, 100)...)
		var r jute.MultiResponse
		require.ErrorIs(t, jute.Unmarshal(b, &r), jute.ErrCorrupt, "op %d", op)
	}
}

func TestMultiMissingEndMarker(t *testing.T) {
	full := sampleMultiResponse().Encode(nil)
	var r jute.MultiResponse
	require.ErrorIs(t, jute.Unmarshal(full[:len(full)-jute.MultiHeaderSize], &r), jute.ErrCorrupt)
}

func TestNewMultiOpRecordTypes(t *testing.T) {
	for op, want := range map[int32]jute.Record{
		jute.OpCreate:          &jute.CreateRequest{},
		jute.OpCreate2:         &jute.CreateRequest{},
		jute.OpCreateContainer: &jute.CreateRequest{},
		jute.OpCreateTTL:       &jute.CreateTTLRequest{},
		jute.OpDelete:          &jute.PathVersionRequest{},
		jute.OpCheck:           &jute.PathVersionRequest{},
		jute.OpSetData:         &jute.SetDataRequest{},
		jute.OpGetChildren:     &jute.PathWatchRequest{},
		jute.OpGetData:         &jute.PathWatchRequest{},
	} {
		require.IsType(t, want, jute.NewMultiOpRecord(op), "op %d", op)
	}
}
