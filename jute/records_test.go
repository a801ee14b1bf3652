package jute_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

// sampleStat has a distinct value in every field, so a swapped field shows.
var sampleStat = jute.Stat{
	Czxid:          0x0102030405060708,
	Mzxid:          0x1112131415161718,
	Ctime:          1_700_000_000_000,
	Mtime:          1_700_000_000_123,
	Version:        7,
	Cversion:       -3,
	Aversion:       2,
	EphemeralOwner: 0x7fedcba987654321,
	DataLength:     1024,
	NumChildren:    65536,
	Pzxid:          -42,
}

var sampleACL = []jute.ACL{
	{Perms: jute.PermAll, ID: jute.Id{Scheme: "world", ID: "anyone"}},
	{Perms: jute.PermRead | jute.PermWrite, ID: jute.Id{Scheme: "digest", ID: "bob:x1y2z3="}},
	{Perms: jute.PermAdmin, ID: jute.Id{Scheme: "", ID: ""}},
}

// sample is a valid record and a constructor for an empty one of its type.
type sample struct {
	name string
	rec  jute.Record
	new  func() jute.Record
	// optionalTail is the number of trailing bytes a decoder accepts as
	// missing (the readOnly byte of the handshake records).
	optionalTail int
}

// samples returns one or more valid instances of every record in jute. They
// seed the round-trip, truncation and fuzz tests.
func samples() []sample {
	pathRec := func() jute.Record { return &jute.PathRecord{} }
	return []sample{
		{name: "Id", rec: &jute.Id{Scheme: "digest", ID: "user:hash"}, new: func() jute.Record { return &jute.Id{} }},
		{name: "ACL", rec: &sampleACL[1], new: func() jute.Record { return &jute.ACL{} }},
		{name: "Stat", rec: new(sampleStat), new: func() jute.Record { return &jute.Stat{} }},
		{name: "Stat/zero", rec: &jute.Stat{}, new: func() jute.Record { return &jute.Stat{} }},
		{name: "RequestHeader", rec: &jute.RequestHeader{Xid: 17, Type: jute.OpGetData}, new: func() jute.Record { return &jute.RequestHeader{} }},
		{name: "RequestHeader/ping", rec: &jute.RequestHeader{Xid: jute.XidPing, Type: jute.OpPing}, new: func() jute.Record { return &jute.RequestHeader{} }},
		{name: "ReplyHeader", rec: &jute.ReplyHeader{Xid: 17, Zxid: 0x100000002, Err: jute.ErrNoNode}, new: func() jute.Record { return &jute.ReplyHeader{} }},
		{name: "ConnectRequest", rec: &jute.ConnectRequest{
			ProtocolVersion: jute.ProtocolVersion, LastZxidSeen: 0x500000001, TimeOut: 30000,
			SessionID: 0x1000abcd0000, Passwd: []byte("0123456789abcdef"), ReadOnly: true,
		}, new: func() jute.Record { return &jute.ConnectRequest{} }, optionalTail: 1},
		{name: "ConnectResponse", rec: &jute.ConnectResponse{
			ProtocolVersion: 0, TimeOut: 20000, SessionID: 0x1000abcd0000,
			Passwd: []byte("fedcba9876543210"), ReadOnly: true,
		}, new: func() jute.Record { return &jute.ConnectResponse{} }, optionalTail: 1},
		{name: "ConnectResponse/expired", rec: &jute.ConnectResponse{Passwd: []byte{}},
			new: func() jute.Record { return &jute.ConnectResponse{} }, optionalTail: 1},
		{name: "AuthPacket", rec: &jute.AuthPacket{Type: 0, Scheme: "digest", Auth: []byte("user:password")}, new: func() jute.Record { return &jute.AuthPacket{} }},
		{name: "WatcherEvent", rec: &jute.WatcherEvent{Type: jute.EventNodeDataChanged, State: jute.StateSyncConnected, Path: "/app/config"}, new: func() jute.Record { return &jute.WatcherEvent{} }},
		{name: "WatcherEvent/session", rec: &jute.WatcherEvent{Type: jute.EventNone, State: jute.StateExpired, Path: ""}, new: func() jute.Record { return &jute.WatcherEvent{} }},
		{name: "SetWatches", rec: &jute.SetWatches{
			RelativeZxid: 99, DataWatches: []string{"/a", "/b"}, ExistWatches: []string{"/c"}, ChildWatches: []string{},
		}, new: func() jute.Record { return &jute.SetWatches{} }},
		{name: "SetWatches2", rec: &jute.SetWatches2{
			RelativeZxid: 99, DataWatches: []string{"/a"}, ExistWatches: []string{}, ChildWatches: []string{"/c", "/d"},
			PersistentWatches: []string{"/p"}, PersistentRecursiveWatches: []string{"/r", "/r/s", "/"},
		}, new: func() jute.Record { return &jute.SetWatches2{} }},
		{name: "MultiHeader", rec: &jute.MultiHeader{Type: jute.OpCheck, Done: false, Err: -1}, new: func() jute.Record { return &jute.MultiHeader{} }},
		{name: "PathRecord", rec: &jute.PathRecord{Path: "/zk/ünïcode"}, new: pathRec},
		{name: "PathRecord/empty", rec: &jute.PathRecord{Path: ""}, new: pathRec},
		{name: "SyncRequest", rec: &jute.SyncRequest{Path: "/sync"}, new: pathRec},
		{name: "GetACLRequest", rec: &jute.GetACLRequest{Path: "/acl"}, new: pathRec},
		{name: "CreateResponse", rec: &jute.CreateResponse{Path: "/lock/_c_1-lock-0000000001"}, new: pathRec},
		{name: "GetEphemeralsRequest", rec: &jute.GetEphemeralsRequest{Path: "/e"}, new: pathRec},
		{name: "GetAllChildrenNumberRequest", rec: &jute.GetAllChildrenNumberRequest{Path: "/n"}, new: pathRec},
		{name: "GetDataRequest", rec: &jute.GetDataRequest{Path: "/data", Watch: true}, new: func() jute.Record { return &jute.GetDataRequest{} }},
		{name: "ExistsRequest", rec: &jute.ExistsRequest{Path: "/x", Watch: false}, new: func() jute.Record { return &jute.ExistsRequest{} }},
		{name: "DeleteRequest", rec: &jute.DeleteRequest{Path: "/d", Version: -1}, new: func() jute.Record { return &jute.DeleteRequest{} }},
		{name: "CheckVersionRequest", rec: &jute.CheckVersionRequest{Path: "/v", Version: 12}, new: func() jute.Record { return &jute.CheckVersionRequest{} }},
		{name: "AddWatchRequest", rec: &jute.AddWatchRequest{Path: "/w", Type: jute.AddWatchPersistentRecursive}, new: func() jute.Record { return &jute.AddWatchRequest{} }},
		{name: "RemoveWatchesRequest", rec: &jute.RemoveWatchesRequest{Path: "/w", Type: jute.WatcherAny}, new: func() jute.Record { return &jute.RemoveWatchesRequest{} }},
		{name: "SetDataResponse", rec: &jute.SetDataResponse{Stat: sampleStat}, new: func() jute.Record { return &jute.SetDataResponse{} }},
		{name: "CreateRequest", rec: &jute.CreateRequest{Path: "/c", Data: []byte("hello"), ACL: sampleACL, Flags: jute.FlagEphemeralSequential},
			new: func() jute.Record { return &jute.CreateRequest{} }},
		{name: "CreateRequest/nulldata", rec: &jute.CreateRequest{Path: "/c", Data: nil, ACL: sampleACL[:1], Flags: jute.FlagContainer},
			new: func() jute.Record { return &jute.CreateRequest{} }},
		{name: "CreateTTLRequest", rec: &jute.CreateTTLRequest{Path: "/t", Data: []byte{}, ACL: sampleACL[:1], Flags: jute.FlagPersistentWithTTL, TTL: jute.MaxTTL},
			new: func() jute.Record { return &jute.CreateTTLRequest{} }},
		{name: "Create2Response", rec: &jute.Create2Response{Path: "/c0000000001", Stat: sampleStat}, new: func() jute.Record { return &jute.Create2Response{} }},
		{name: "GetDataResponse", rec: &jute.GetDataResponse{Data: []byte("payload"), Stat: sampleStat}, new: func() jute.Record { return &jute.GetDataResponse{} }},
		{name: "GetDataResponse/null", rec: &jute.GetDataResponse{Data: nil, Stat: sampleStat}, new: func() jute.Record { return &jute.GetDataResponse{} }},
		{name: "GetDataResponse/empty", rec: &jute.GetDataResponse{Data: []byte{}, Stat: sampleStat}, new: func() jute.Record { return &jute.GetDataResponse{} }},
		{name: "SetDataRequest", rec: &jute.SetDataRequest{Path: "/s", Data: []byte{0, 1, 2, 255}, Version: 3}, new: func() jute.Record { return &jute.SetDataRequest{} }},
		{name: "GetACLResponse", rec: &jute.GetACLResponse{ACL: sampleACL, Stat: sampleStat}, new: func() jute.Record { return &jute.GetACLResponse{} }},
		{name: "SetACLRequest", rec: &jute.SetACLRequest{Path: "/a", ACL: sampleACL, Version: -1}, new: func() jute.Record { return &jute.SetACLRequest{} }},
		{name: "GetChildrenResponse", rec: &jute.GetChildrenResponse{Items: []string{"a", "b", "lock-0000000001"}}, new: func() jute.Record { return &jute.GetChildrenResponse{} }},
		{name: "GetEphemeralsResponse", rec: &jute.GetEphemeralsResponse{Items: []string{"/e/1"}}, new: func() jute.Record { return &jute.GetEphemeralsResponse{} }},
		{name: "GetChildren2Response", rec: &jute.GetChildren2Response{Children: []string{"x", "y"}, Stat: sampleStat}, new: func() jute.Record { return &jute.GetChildren2Response{} }},
		{name: "ErrorResponse", rec: &jute.ErrorResponse{Value: jute.ErrNoNode}, new: func() jute.Record { return &jute.ErrorResponse{} }},
		{name: "GetAllChildrenNumberResponse", rec: &jute.GetAllChildrenNumberResponse{Value: 123456}, new: func() jute.Record { return &jute.GetAllChildrenNumberResponse{} }},
		{name: "WhoAmIResponse", rec: &jute.WhoAmIResponse{ClientInfo: []jute.ClientInfo{{AuthScheme: "ip", User: "127.0.0.1"}, {AuthScheme: "digest", User: "bob"}}},
			new: func() jute.Record { return &jute.WhoAmIResponse{} }},
		{name: "MultiRequest", rec: sampleMultiRequest(), new: func() jute.Record { return &jute.MultiRequest{} }},
		{name: "MultiRequest/read", rec: sampleMultiReadRequest(), new: func() jute.Record { return &jute.MultiRequest{} }},
		{name: "MultiResponse", rec: sampleMultiResponse(), new: func() jute.Record { return &jute.MultiResponse{} }},
		{name: "MultiResponse/failed", rec: sampleFailedMultiResponse(), new: func() jute.Record { return &jute.MultiResponse{} }},
		{name: "MultiResponse/read", rec: sampleMultiReadResponse(), new: func() jute.Record { return &jute.MultiResponse{} }},
	}
}

func TestRoundTripEveryRecord(t *testing.T) {
	for _, s := range samples() {
		t.Run(s.name, func(t *testing.T) {
			roundTrip(t, s.rec, s.new())
		})
	}
}

// Decoding into a record that already holds values must overwrite all of
// them (records are reused by the session's reader).
func TestDecodeOverwritesReusedRecord(t *testing.T) {
	for _, s := range samples() {
		t.Run(s.name, func(t *testing.T) {
			b := s.rec.Encode(nil)
			out := s.new()
			require.NoError(t, jute.Unmarshal(b, out))
			require.NoError(t, jute.Unmarshal(b, out))
			require.Equal(t, s.rec, out)
		})
	}
}

func TestUnmarshalIgnoresTrailingBytes(t *testing.T) {
	b := (&jute.ReplyHeader{Xid: 1, Zxid: 2, Err: 3}).Encode(nil)
	b = append(b, 0xff, 0xff)
	var h jute.ReplyHeader
	require.NoError(t, jute.Unmarshal(b, &h))
	require.Equal(t, jute.ReplyHeader{Xid: 1, Zxid: 2, Err: 3}, h)
}

func TestNullAndEmptyBuffers(t *testing.T) {
	// null (-1) decodes to nil, empty (0) to a non-nil empty slice.
	var r jute.GetDataResponse
	require.NoError(t, jute.Unmarshal((&jute.GetDataResponse{Data: nil}).Encode(nil), &r))
	require.Nil(t, r.Data)
	require.NoError(t, jute.Unmarshal((&jute.GetDataResponse{Data: []byte{}}).Encode(nil), &r))
	require.NotNil(t, r.Data)
	require.Empty(t, r.Data)

	require.Equal(t, []byte{0xff, 0xff, 0xff, 0xff}, jute.AppendBuffer(nil, nil))
	require.Equal(t, []byte{0, 0, 0, 0}, jute.AppendBuffer(nil, []byte{}))
}

func TestNullVectorsDecodeToNil(t *testing.T) {
	null := jute.AppendInt(nil, -1)

	var sr jute.StringsResponse
	require.NoError(t, jute.Unmarshal(null, &sr))
	require.Nil(t, sr.Items)

	var acl jute.GetACLResponse
	require.NoError(t, jute.Unmarshal(append(append([]byte(nil), null...), sampleStat.Encode(nil)...), &acl))
	require.Nil(t, acl.ACL)
	require.Equal(t, sampleStat, acl.Stat)

	var who jute.WhoAmIResponse
	require.NoError(t, jute.Unmarshal(null, &who))
	require.Nil(t, who.ClientInfo)

	// A null string decodes as "".
	var p jute.PathRecord
	require.NoError(t, jute.Unmarshal(null, &p))
	require.Equal(t, "", p.Path)

	// Empty (count 0) vectors decode to non-nil empty slices.
	zero := jute.AppendInt(nil, 0)
	require.NoError(t, jute.Unmarshal(zero, &sr))
	require.NotNil(t, sr.Items)
	require.Empty(t, sr.Items)
}

func TestNilVectorsEncodeAsEmpty(t *testing.T) {
	// Servers reject null vectors in requests: nil is sent as count 0.
	require.Equal(t, []byte{0, 0, 0, 0}, jute.AppendStrings(nil, nil))
	require.Equal(t, []byte{0, 0, 0, 0}, jute.AppendACLs(nil, nil))
	b := (&jute.SetWatches{RelativeZxid: 1}).Encode(nil)
	require.Len(t, b, 8+3*4)
	var sw jute.SetWatches
	require.NoError(t, jute.Unmarshal(b, &sw))
	require.Equal(t, []string{}, sw.DataWatches)
	require.Equal(t, []string{}, sw.ExistWatches)
	require.Equal(t, []string{}, sw.ChildWatches)
	require.Equal(t, []byte{0, 0, 0, 0}, (&jute.WhoAmIResponse{}).Encode(nil))
}

func TestConnectRequestPasswd(t *testing.T) {
	// A nil password is sent as 16 zero bytes (a new session).
	b := (&jute.ConnectRequest{TimeOut: 10000}).Encode(nil)
	var r jute.ConnectRequest
	require.NoError(t, jute.Unmarshal(b, &r))
	require.Equal(t, make([]byte, jute.PasswordLen), r.Passwd)
	require.Equal(t, int32(10000), r.TimeOut)
}

func TestConnectRecordsReadOnlyOptional(t *testing.T) {
	t.Run("response without readOnly", func(t *testing.T) {
		in := jute.ConnectResponse{TimeOut: 4000, SessionID: 5, Passwd: []byte("0123456789abcdef"), ReadOnly: false}
		b := in.Encode(nil)
		var out jute.ConnectResponse
		require.NoError(t, jute.Unmarshal(b[:len(b)-1], &out)) // an old server
		require.Equal(t, in, out)
	})
	t.Run("response with readOnly", func(t *testing.T) {
		in := jute.ConnectResponse{TimeOut: 4000, SessionID: 5, Passwd: []byte("0123456789abcdef"), ReadOnly: true}
		var out jute.ConnectResponse
		require.NoError(t, jute.Unmarshal(in.Encode(nil), &out))
		require.True(t, out.ReadOnly)
	})
	t.Run("request without readOnly", func(t *testing.T) {
		in := jute.ConnectRequest{TimeOut: 4000, SessionID: 5, Passwd: []byte("0123456789abcdef"), ReadOnly: true}
		b := in.Encode(nil)
		var out jute.ConnectRequest
		require.NoError(t, jute.Unmarshal(b[:len(b)-1], &out)) // an old client
		in.ReadOnly = false
		require.Equal(t, in, out)
	})
	t.Run("non-zero byte is true", func(t *testing.T) {
		in := jute.ConnectResponse{Passwd: []byte{}}
		b := in.Encode(nil)
		b[len(b)-1] = 7
		var out jute.ConnectResponse
		require.NoError(t, jute.Unmarshal(b, &out))
		require.True(t, out.ReadOnly)
	})
}

func TestStatDecodeFailureZeroesStat(t *testing.T) {
	var r jute.SetDataResponse
	r.Stat = sampleStat
	err := jute.Unmarshal(sampleStat.Encode(nil)[:jute.StatSize-1], &r)
	require.ErrorIs(t, err, jute.ErrCorrupt)
	require.Equal(t, jute.Stat{}, r.Stat)
}
