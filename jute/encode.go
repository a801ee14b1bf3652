package jute

import "encoding/binary"

// AppendInt appends a 4-byte big-endian int.
func AppendInt(b []byte, v int32) []byte {
	return binary.BigEndian.AppendUint32(b, uint32(v))
}

// AppendLong appends an 8-byte big-endian long.
func AppendLong(b []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(v))
}

// AppendBool appends a boolean as one byte (0 or 1).
func AppendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// AppendBuffer appends a length-prefixed byte buffer. A nil slice is encoded
// as length -1 (null); an empty non-nil slice as length 0.
func AppendBuffer(b []byte, v []byte) []byte {
	if v == nil {
		return AppendInt(b, -1)
	}
	b = AppendInt(b, int32(len(v)))
	return append(b, v...)
}

// AppendString appends a length-prefixed UTF-8 string (jute "ustring").
func AppendString(b []byte, s string) []byte {
	b = AppendInt(b, int32(len(s)))
	return append(b, s...)
}

// AppendStrings appends a vector of ustrings. A nil slice is encoded as an
// empty vector (count 0): ZooKeeper servers do not accept null vectors in
// requests.
func AppendStrings(b []byte, v []string) []byte {
	b = AppendInt(b, int32(len(v)))
	for _, s := range v {
		b = AppendString(b, s)
	}
	return b
}

// BeginFrame reserves the 4-byte length prefix of a frame at the end of b and
// returns the extended buffer and the offset of the prefix, to be passed to
// [EndFrame] once the frame's body has been appended.
func BeginFrame(b []byte) ([]byte, int) {
	start := len(b)
	return append(b, 0, 0, 0, 0), start
}

// EndFrame writes the length of the frame begun at start into its prefix.
func EndFrame(b []byte, start int) []byte {
	binary.BigEndian.PutUint32(b[start:], uint32(len(b)-start-4))
	return b
}
