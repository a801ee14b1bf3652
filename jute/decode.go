package jute

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrCorrupt is wrapped by every decoding error: a truncated record, a
// negative or oversized length, trailing garbage where none is allowed.
var ErrCorrupt = errors.New("jute: corrupt record")

// Decoder reads jute primitives from a byte slice. The zero value reads from
// an empty slice; use [NewDecoder] or [Decoder.Reset]. After the first error
// every read returns a zero value and [Decoder.Err] reports that error.
type Decoder struct {
	buf []byte
	off int
	err error
}

// NewDecoder returns a Decoder reading b.
func NewDecoder(b []byte) *Decoder {
	return &Decoder{buf: b}
}

// Reset makes d read b from its start and clears any error.
func (d *Decoder) Reset(b []byte) {
	d.buf, d.off, d.err = b, 0, nil
}

// Err returns the first error met, or nil.
func (d *Decoder) Err() error { return d.err }

// Remaining returns the number of unread bytes.
func (d *Decoder) Remaining() int { return len(d.buf) - d.off }

// Offset returns the number of bytes read so far.
func (d *Decoder) Offset() int { return d.off }

// Fail records err (wrapped with ErrCorrupt unless it already is) if no error
// has been recorded yet. Record decoders use it for semantic checks.
func (d *Decoder) Fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
	}
}

func (d *Decoder) need(n int, what string) bool {
	if d.err != nil {
		return false
	}
	if n > len(d.buf)-d.off {
		d.Fail("%s needs %d bytes, %d remain at offset %d", what, n, len(d.buf)-d.off, d.off)
		return false
	}
	return true
}

// Int reads a 4-byte big-endian int.
func (d *Decoder) Int() int32 {
	if !d.need(4, "int") {
		return 0
	}
	v := int32(binary.BigEndian.Uint32(d.buf[d.off:]))
	d.off += 4
	return v
}

// Long reads an 8-byte big-endian long.
func (d *Decoder) Long() int64 {
	if !d.need(8, "long") {
		return 0
	}
	v := int64(binary.BigEndian.Uint64(d.buf[d.off:]))
	d.off += 8
	return v
}

// Bool reads a one-byte boolean; any non-zero byte is true.
func (d *Decoder) Bool() bool {
	if !d.need(1, "boolean") {
		return false
	}
	v := d.buf[d.off] != 0
	d.off++
	return v
}

// length reads a length prefix; -1 means null and is returned as -1.
func (d *Decoder) length(what string, elemSize int) int {
	n := d.Int()
	if d.err != nil {
		return -1
	}
	if n == -1 {
		return -1
	}
	if n < 0 {
		d.Fail("%s has negative length %d", what, n)
		return -1
	}
	if int64(n)*int64(elemSize) > int64(len(d.buf)-d.off) {
		d.Fail("%s declares %d elements, only %d bytes remain", what, n, len(d.buf)-d.off)
		return -1
	}
	return int(n)
}

// Buffer reads a length-prefixed byte buffer. Null (-1) is returned as nil,
// an empty buffer as a non-nil empty slice. The result aliases the input.
func (d *Decoder) Buffer() []byte {
	n := d.length("buffer", 1)
	if n < 0 {
		return nil
	}
	v := d.buf[d.off : d.off+n : d.off+n]
	d.off += n
	return v
}

// String reads a length-prefixed UTF-8 string; null is returned as "".
func (d *Decoder) String() string {
	n := d.length("ustring", 1)
	if n < 0 {
		return ""
	}
	v := string(d.buf[d.off : d.off+n])
	d.off += n
	return v
}

// VectorLen reads a vector's element count; null is returned as -1. minElem
// is the smallest encoded size of one element, used to reject counts the
// remaining bytes cannot hold before anything is allocated.
func (d *Decoder) VectorLen(minElem int) int {
	if minElem < 1 {
		minElem = 1
	}
	return d.length("vector", minElem)
}

// Strings reads a vector of ustrings; null is returned as nil.
func (d *Decoder) Strings() []string {
	n := d.VectorLen(4)
	if n < 0 {
		return nil
	}
	v := make([]string, n)
	for i := range v {
		v[i] = d.String()
	}
	if d.err != nil {
		return nil
	}
	return v
}
