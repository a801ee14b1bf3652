package jute_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

// unhex decodes a hex string; spaces and newlines are ignored so the golden
// bytes can be laid out field by field.
func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	require.NoError(t, err)
	return b
}

// The golden encodings below were written by hand from zookeeper.jute: ints
// and longs big-endian, buffers and strings int-length-prefixed, booleans one
// byte, records' fields in declaration order.
func TestGoldenBytes(t *testing.T) {
	tests := []struct {
		name string
		rec  jute.Record
		new  func() jute.Record
		hex  string
	}{
		{
			// 45 bytes: the size the Java client announces for a handshake.
			name: "ConnectRequest",
			rec: &jute.ConnectRequest{
				ProtocolVersion: 0, LastZxidSeen: 0x0102030405060708, TimeOut: 30000,
				SessionID: 0, Passwd: make([]byte, 16), ReadOnly: false,
			},
			new: func() jute.Record { return &jute.ConnectRequest{} },
			hex: `00000000          protocolVersion
			      0102030405060708  lastZxidSeen
			      00007530          timeOut 30000
			      0000000000000000  sessionId
			      00000010 00000000000000000000000000000000  passwd
			      00                readOnly`,
		},
		{
			name: "ConnectResponse",
			rec: &jute.ConnectResponse{
				ProtocolVersion: 0, TimeOut: 4000, SessionID: 0x0100000123450001,
				Passwd: []byte{0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf}, ReadOnly: true,
			},
			new: func() jute.Record { return &jute.ConnectResponse{} },
			hex: `00000000 00000fa0 0100000123450001
			      00000010 a0a1a2a3a4a5a6a7a8a9aaabacadaeaf
			      01`,
		},
		{
			name: "RequestHeader/ping",
			rec:  &jute.RequestHeader{Xid: jute.XidPing, Type: jute.OpPing},
			new:  func() jute.Record { return &jute.RequestHeader{} },
			hex:  `fffffffe 0000000b`,
		},
		{
			name: "ReplyHeader",
			rec:  &jute.ReplyHeader{Xid: 1, Zxid: 0x10, Err: jute.ErrNoNode},
			new:  func() jute.Record { return &jute.ReplyHeader{} },
			hex:  `00000001 0000000000000010 ffffff9b`,
		},
		{
			name: "Stat",
			rec: &jute.Stat{
				Czxid: 1, Mzxid: 2, Ctime: 3, Mtime: 4, Version: 5, Cversion: 6, Aversion: 7,
				EphemeralOwner: 8, DataLength: 9, NumChildren: 10, Pzxid: 11,
			},
			new: func() jute.Record { return &jute.Stat{} },
			hex: `0000000000000001 0000000000000002 0000000000000003 0000000000000004
			      00000005 00000006 00000007
			      0000000000000008
			      00000009 0000000a
			      000000000000000b`,
		},
		{
			name: "GetDataRequest",
			rec:  &jute.GetDataRequest{Path: "/a", Watch: true},
			new:  func() jute.Record { return &jute.GetDataRequest{} },
			hex:  `00000002 2f61 01`,
		},
		{
			name: "CreateRequest",
			rec: &jute.CreateRequest{Path: "/n", Data: []byte("hi"), Flags: jute.FlagEphemeral,
				ACL: []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "world", ID: "anyone"}}}},
			new: func() jute.Record { return &jute.CreateRequest{} },
			hex: `00000002 2f6e
			      00000002 6869
			      00000001 0000001f 00000005 776f726c64 00000006 616e796f6e65
			      00000001`,
		},
		{
			name: "WatcherEvent",
			rec:  &jute.WatcherEvent{Type: jute.EventNodeDeleted, State: jute.StateSyncConnected, Path: "/x"},
			new:  func() jute.Record { return &jute.WatcherEvent{} },
			hex:  `00000002 00000003 00000002 2f78`,
		},
		{
			name: "SetWatches",
			rec:  &jute.SetWatches{RelativeZxid: 5, DataWatches: []string{"/d"}, ExistWatches: []string{}, ChildWatches: []string{"/c", "/"}},
			new:  func() jute.Record { return &jute.SetWatches{} },
			hex: `0000000000000005
			      00000001 00000002 2f64
			      00000000
			      00000002 00000002 2f63 00000001 2f`,
		},
		{
			name: "MultiRequest/check",
			rec:  &jute.MultiRequest{Ops: []jute.MultiOp{{Type: jute.OpCheck, Record: &jute.CheckVersionRequest{Path: "/a", Version: 3}}}},
			new:  func() jute.Record { return &jute.MultiRequest{} },
			hex: `0000000d 00 ffffffff   header: check, not done, -1
			      00000002 2f61 00000003
			      ffffffff 01 ffffffff   end`,
		},
		{
			name: "AuthPacket",
			rec:  &jute.AuthPacket{Type: 0, Scheme: "digest", Auth: []byte("u:p")},
			new:  func() jute.Record { return &jute.AuthPacket{} },
			hex:  `00000000 00000006 646967657374 00000003 753a70`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := unhex(t, stripComments(tt.hex))
			require.Equal(t, want, tt.rec.Encode(nil))
			got := tt.new()
			require.NoError(t, jute.Unmarshal(want, got))
			require.Equal(t, tt.rec, got)
		})
	}
}

// stripComments removes the words in s that are not hex, so golden strings
// can carry field names.
func stripComments(s string) string {
	var out []string
	for _, w := range strings.Fields(s) {
		if _, err := hex.DecodeString(w); err == nil && len(w)%2 == 0 {
			out = append(out, w)
		}
	}
	return strings.Join(out, "")
}

func TestGoldenSizes(t *testing.T) {
	require.Len(t, (&jute.Stat{}).Encode(nil), 68)
	require.Equal(t, 68, jute.StatSize)
	require.Len(t, (&jute.ReplyHeader{}).Encode(nil), jute.ReplyHeaderSize)
	require.Equal(t, 16, jute.ReplyHeaderSize)
	require.Len(t, (&jute.MultiHeader{}).Encode(nil), jute.MultiHeaderSize)
	require.Len(t, (&jute.ConnectRequest{}).Encode(nil), 45)
}

func TestGoldenFrames(t *testing.T) {
	// A ping as the Java client writes it: length 8, xid -2, op 11.
	b, start := jute.BeginFrame(nil)
	b = (&jute.RequestHeader{Xid: jute.XidPing, Type: jute.OpPing}).Encode(b)
	b = jute.EndFrame(b, start)
	require.Equal(t, unhex(t, "00000008 fffffffe 0000000b"), b)

	// Two frames coalesced into one buffer, as the writer does.
	b, start = jute.BeginFrame(b)
	b = (&jute.RequestHeader{Xid: 1, Type: jute.OpGetData}).Encode(b)
	b = (&jute.GetDataRequest{Path: "/a", Watch: false}).Encode(b)
	b = jute.EndFrame(b, start)
	require.Equal(t, unhex(t, `00000008 fffffffe 0000000b
		0000000f 00000001 00000004 00000002 2f61 00`), b)
}

func TestGoldenPrimitives(t *testing.T) {
	require.Equal(t, unhex(t, "80000000"), jute.AppendInt(nil, -1<<31))
	require.Equal(t, unhex(t, "7fffffff"), jute.AppendInt(nil, 1<<31-1))
	require.Equal(t, unhex(t, "ffffffffffffffff"), jute.AppendLong(nil, -1))
	require.Equal(t, unhex(t, "0000000000000100"), jute.AppendLong(nil, 256))
	require.Equal(t, []byte{1, 0}, jute.AppendBool(jute.AppendBool(nil, true), false))
	require.Equal(t, unhex(t, "00000003 e282ac"), jute.AppendString(nil, "€"))
	require.Equal(t, unhex(t, "00000000"), jute.AppendString(nil, ""))
}
