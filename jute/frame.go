package jute

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// ReadFrameLength reads a frame's 4-byte length prefix from r and checks it
// against limit (a limit <= 0 means DefaultMaxBuffer). A negative length or
// one above the limit is an error wrapping ErrCorrupt.
func ReadFrameLength(r io.Reader, limit int) (int, error) {
	if br, ok := r.(*bufio.Reader); ok {
		// Peek reads into br's own buffer: no 4-byte header escapes to the
		// heap through the io.Reader interface, as it does below (one
		// allocation per frame on a client's hot path).
		hdr, err := br.Peek(4)
		if err != nil {
			if err == io.EOF && len(hdr) > 0 {
				err = io.ErrUnexpectedEOF // as io.ReadFull says
			}
			return 0, err
		}
		n := int32(binary.BigEndian.Uint32(hdr))
		br.Discard(4)
		return CheckFrameLength(n, limit)
	}
	return readFrameLength(r, limit)
}

func readFrameLength(r io.Reader, limit int) (int, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, err
	}
	return CheckFrameLength(int32(binary.BigEndian.Uint32(hdr[:])), limit)
}

// CheckFrameLength validates a declared frame length against limit (<= 0
// means DefaultMaxBuffer).
func CheckFrameLength(n int32, limit int) (int, error) {
	if limit <= 0 {
		limit = DefaultMaxBuffer
	}
	if n < 0 || int64(n) > int64(limit) {
		return 0, fmt.Errorf("%w: frame length %d outside [0, %d]", ErrCorrupt, n, limit)
	}
	return int(n), nil
}

// ReadFrame reads one length-prefixed frame from r into buf (grown if
// needed) and returns the frame body. The length is checked against limit
// before anything is allocated.
func ReadFrame(r io.Reader, buf []byte, limit int) ([]byte, error) {
	n, err := ReadFrameLength(r, limit)
	if err != nil {
		return nil, err
	}
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}
