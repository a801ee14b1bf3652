package jute_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

// headerOnly is a reader holding a frame length and nothing else; reading
// past it fails the test, proving ReadFrame rejected the length first.
type headerOnly struct {
	t   *testing.T
	hdr []byte
}

func (r *headerOnly) Read(p []byte) (int, error) {
	if len(r.hdr) == 0 {
		r.t.Errorf("ReadFrame read past a length it should have rejected")
		return 0, io.EOF
	}
	n := copy(p, r.hdr)
	r.hdr = r.hdr[n:]
	return n, nil
}

func TestReadFrameRejectsBadLengths(t *testing.T) {
	tests := []struct {
		name  string
		hdr   uint32
		limit int
	}{
		{"2GiB", 0x80000000, 0},
		{"max uint32", 0xffffffff, 0},
		{"minus one", 0xffffffff, 1 << 30},
		{"negative", 0xfffffff0, 0},
		{"max int32 default limit", 0x7fffffff, 0},
		{"over default limit", jute.DefaultMaxBuffer + 1, 0},
		{"over explicit limit", 101, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			per := bytesAllocated(5, func() {
				r := &headerOnly{t: t, hdr: jute.AppendInt(nil, int32(tt.hdr))}
				_, err = jute.ReadFrame(r, nil, tt.limit)
			})
			require.ErrorIs(t, err, jute.ErrCorrupt)
			require.Less(t, per, uint64(1024), "allocated %d bytes", per)

			_, err = jute.CheckFrameLength(int32(tt.hdr), tt.limit)
			require.ErrorIs(t, err, jute.ErrCorrupt)
		})
	}
}

func TestReadFrame(t *testing.T) {
	var stream []byte
	for _, body := range [][]byte{[]byte("first"), {}, bytes.Repeat([]byte{7}, 100)} {
		b, start := jute.BeginFrame(stream)
		stream = jute.EndFrame(append(b, body...), start)
	}
	r := bytes.NewReader(stream)

	buf := make([]byte, 0, 64)
	got, err := jute.ReadFrame(r, buf, 0)
	require.NoError(t, err)
	require.Equal(t, []byte("first"), got)
	require.Same(t, &buf[:1][0], &got[0], "a large enough buffer is reused")

	got, err = jute.ReadFrame(r, buf, 0)
	require.NoError(t, err)
	require.Empty(t, got)

	got, err = jute.ReadFrame(r, buf, 100) // exactly the limit is allowed
	require.NoError(t, err)
	require.Equal(t, bytes.Repeat([]byte{7}, 100), got)

	_, err = jute.ReadFrame(r, buf, 0)
	require.ErrorIs(t, err, io.EOF, "a clean end of stream between frames is io.EOF")
}

func TestReadFrameShortBody(t *testing.T) {
	b := jute.AppendInt(nil, 10)
	b = append(b, 1, 2, 3)
	_, err := jute.ReadFrame(bytes.NewReader(b), nil, 0)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)

	_, err = jute.ReadFrame(bytes.NewReader([]byte{0, 0}), nil, 0)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF, "a partial length prefix")
}

func TestReadFrameReaderError(t *testing.T) {
	boom := errors.New("boom")
	_, err := jute.ReadFrame(io.MultiReader(bytes.NewReader(jute.AppendInt(nil, 8)), &errReader{boom}), nil, 0)
	require.ErrorIs(t, err, boom)
}

type errReader struct{ err error }

func (r *errReader) Read([]byte) (int, error) { return 0, r.err }

func TestReadFrameLength(t *testing.T) {
	n, err := jute.ReadFrameLength(bytes.NewReader(jute.AppendInt(nil, 42)), 0)
	require.NoError(t, err)
	require.Equal(t, 42, n)

	n, err = jute.CheckFrameLength(jute.DefaultMaxBuffer, 0)
	require.NoError(t, err)
	require.Equal(t, jute.DefaultMaxBuffer, n)
}

func TestBeginEndFrame(t *testing.T) {
	b := []byte{9, 9}
	b, start := jute.BeginFrame(b)
	require.Equal(t, 2, start)
	b = jute.AppendString(b, "/abc")
	b = jute.EndFrame(b, start)
	require.Equal(t, []byte{9, 9, 0, 0, 0, 8, 0, 0, 0, 4, '/', 'a', 'b', 'c'}, b)
}
