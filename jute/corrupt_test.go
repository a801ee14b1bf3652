package jute_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

// Every record truncated at every byte offset must fail with ErrCorrupt and
// never panic. The handshake records may lose their trailing readOnly byte.
func TestTruncatedAtEveryOffset(t *testing.T) {
	for _, s := range samples() {
		t.Run(s.name, func(t *testing.T) {
			full := s.rec.Encode(nil)
			for i := range len(full) - s.optionalTail {
				err := jute.Unmarshal(full[:i], s.new())
				require.ErrorIs(t, err, jute.ErrCorrupt, "truncated to %d of %d bytes", i, len(full))
			}
			for i := len(full) - s.optionalTail; i <= len(full); i++ {
				require.NoError(t, jute.Unmarshal(full[:i], s.new()), "truncated to %d of %d bytes", i, len(full))
			}
		})
	}
}

// hostile is an int prefix followed by 10 bytes of padding.
func hostile(prefix int32) []byte {
	return append(jute.AppendInt(nil, prefix), make([]byte, 10)...)
}

func TestDecoderRejectsHugeLengths(t *testing.T) {
	reads := map[string]func(d *jute.Decoder) bool{
		"Buffer":  func(d *jute.Decoder) bool { return d.Buffer() == nil },
		"String":  func(d *jute.Decoder) bool { return d.String() == "" },
		"Strings": func(d *jute.Decoder) bool { return d.Strings() == nil },
		"ACLs":    func(d *jute.Decoder) bool { return d.ACLs() == nil },
		"VectorLen": func(d *jute.Decoder) bool {
			return d.VectorLen(1) == -1
		},
	}
	for name, read := range reads {
		for _, n := range []int32{0x7fffffff, 11, 1 << 20, -2, -1 << 31} {
			var d jute.Decoder
			d.Reset(hostile(n))
			require.True(t, read(&d), "%s(%d) returned a value", name, n)
			require.ErrorIs(t, d.Err(), jute.ErrCorrupt, "%s(%d)", name, n)
		}
	}
}

// A vector whose count cannot fit in the remaining bytes, given each element's
// smallest encoding, is rejected even if the count alone would fit.
func TestVectorCountCheckedAgainstElementSize(t *testing.T) {
	// 3 strings need at least 12 bytes; 10 remain.
	var d jute.Decoder
	d.Reset(hostile(3))
	require.Nil(t, d.Strings())
	require.ErrorIs(t, d.Err(), jute.ErrCorrupt)

	// 1 ACL needs at least 12 bytes; 10 remain.
	d.Reset(hostile(1))
	require.Nil(t, d.ACLs())
	require.ErrorIs(t, d.Err(), jute.ErrCorrupt)

	// 2 client infos need at least 16 bytes.
	var who jute.WhoAmIResponse
	require.ErrorIs(t, jute.Unmarshal(hostile(2), &who), jute.ErrCorrupt)
}

// Decoding a record whose length or count claims 0x7fffffff elements, with 10
// bytes left, must fail before allocating anything of that size.
func TestHugeLengthsDoNotAllocate(t *testing.T) {
	recs := map[string]func() jute.Record{
		"PathRecord":          func() jute.Record { return &jute.PathRecord{} },
		"GetDataResponse":     func() jute.Record { return &jute.GetDataResponse{} },
		"GetChildrenResponse": func() jute.Record { return &jute.GetChildrenResponse{} },
		"GetACLResponse":      func() jute.Record { return &jute.GetACLResponse{} },
		"WhoAmIResponse":      func() jute.Record { return &jute.WhoAmIResponse{} },
		"GetChildren2":        func() jute.Record { return &jute.GetChildren2Response{} },
	}
	for name, newRec := range recs {
		for _, n := range []int32{0x7fffffff, 0x7ffffff0, 1 << 24} {
			b := hostile(n)
			rec := newRec()
			var err error
			// The error message allocates a little; a vector would
			// allocate at least n elements.
			per := bytesAllocated(20, func() { err = jute.Unmarshal(b, rec) })
			require.ErrorIs(t, err, jute.ErrCorrupt, "%s(%#x)", name, n)
			require.Less(t, per, uint64(1024), "%s(%#x) allocated %d bytes", name, n, per)
		}
	}
}

func TestNegativeLengthsRejected(t *testing.T) {
	for _, n := range []int32{-2, -3, -100, -1 << 31} {
		var p jute.PathRecord
		require.ErrorIs(t, jute.Unmarshal(hostile(n), &p), jute.ErrCorrupt, "string length %d", n)
		var g jute.GetDataResponse
		require.ErrorIs(t, jute.Unmarshal(append(hostile(n), make([]byte, 100)...), &g), jute.ErrCorrupt, "buffer length %d", n)
		var c jute.GetChildrenResponse
		require.ErrorIs(t, jute.Unmarshal(hostile(n), &c), jute.ErrCorrupt, "vector count %d", n)
		var a jute.GetACLResponse
		require.ErrorIs(t, jute.Unmarshal(hostile(n), &a), jute.ErrCorrupt, "acl count %d", n)
		var w jute.WhoAmIResponse
		require.ErrorIs(t, jute.Unmarshal(hostile(n), &w), jute.ErrCorrupt, "whoami count %d", n)
	}
}

// A string inside a vector with a bad length fails the whole vector.
func TestCorruptElementFailsVector(t *testing.T) {
	b := jute.AppendInt(nil, 2)
	b = jute.AppendString(b, "/ok")
	b = jute.AppendInt(b, -7)
	b = append(b, make([]byte, 8)...)
	var r jute.GetChildrenResponse
	require.ErrorIs(t, jute.Unmarshal(b, &r), jute.ErrCorrupt)
	require.Nil(t, r.Items)
}

func TestDecoderStickyError(t *testing.T) {
	d := jute.NewDecoder([]byte{0, 0, 0, 1, 2})
	require.Equal(t, int32(1), d.Int())
	require.Zero(t, d.Long()) // 1 byte left: fails
	err := d.Err()
	require.ErrorIs(t, err, jute.ErrCorrupt)
	// Every later read returns zero, and the first error is kept.
	require.False(t, d.Bool())
	require.Zero(t, d.Int())
	require.Nil(t, d.Buffer())
	require.Equal(t, "", d.String())
	require.Nil(t, d.Strings())
	require.Nil(t, d.ACLs())
	require.Equal(t, -1, d.VectorLen(1))
	d.Fail("another %s", "error")
	require.Same(t, err, d.Err())
	require.Equal(t, 4, d.Offset())
	require.Equal(t, 1, d.Remaining())

	d.Reset([]byte{1})
	require.NoError(t, d.Err())
	require.True(t, d.Bool())
	require.Zero(t, d.Remaining())
}

func TestDecoderFailWrapsErrCorrupt(t *testing.T) {
	var d jute.Decoder
	d.Fail("bad thing %d", 42)
	require.ErrorIs(t, d.Err(), jute.ErrCorrupt)
	require.Contains(t, d.Err().Error(), "bad thing 42")
}

func TestZeroDecoder(t *testing.T) {
	var d jute.Decoder
	require.Zero(t, d.Remaining())
	require.Zero(t, d.Int())
	require.ErrorIs(t, d.Err(), jute.ErrCorrupt)
}

func TestBufferAliasesInput(t *testing.T) {
	b := jute.AppendBuffer(nil, []byte("abc"))
	b = append(b, 'z')
	d := jute.NewDecoder(b)
	v := d.Buffer()
	require.Equal(t, []byte("abc"), v)
	require.Equal(t, 3, cap(v), "capacity is clipped so appends cannot overwrite the input")
	v = append(v, 'x')
	require.Equal(t, byte('z'), b[len(b)-1])
	_ = v
}
