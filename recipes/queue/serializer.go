package queue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Curator's ItemSerializer framing of a queue node's data: a 4-byte
// big-endian version, then per item the item opcode, a 4-byte big-endian
// length and the bytes, then the end opcode.
const (
	itemVersion = 0x00010001
	itemOpcode  = 0x01
	eofOpcode   = 0x02
)

// ErrCorrupt is wrapped by a consume error when an item node's data is not
// in Curator's ItemSerializer framing. The node has been removed from the
// queue (as Curator does); the error names it.
var ErrCorrupt = errors.New("queue: corrupt item node")

// encodeItems frames items as Curator's ItemSerializer.serialize does.
func encodeItems(items [][]byte) []byte {
	n := 4 + 1
	for _, it := range items {
		n += 1 + 4 + len(it)
	}
	b := make([]byte, 0, n)
	b = binary.BigEndian.AppendUint32(b, itemVersion)
	for _, it := range items {
		b = append(b, itemOpcode)
		b = binary.BigEndian.AppendUint32(b, uint32(len(it)))
		b = append(b, it...)
	}
	return append(b, eofOpcode)
}

// decodeItems parses Curator's ItemSerializer framing. Like Curator it
// stops at the end opcode and ignores anything after it.
func decodeItems(b []byte) ([][]byte, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("%w: %d bytes, no version", ErrCorrupt, len(b))
	}
	if v := binary.BigEndian.Uint32(b); v != itemVersion {
		return nil, fmt.Errorf("%w: version %#x, want %#x", ErrCorrupt, v, itemVersion)
	}
	b = b[4:]
	items := [][]byte{}
	for {
		if len(b) < 1 {
			return nil, fmt.Errorf("%w: no end marker", ErrCorrupt)
		}
		op := b[0]
		b = b[1:]
		if op == eofOpcode {
			return items, nil
		}
		if op != itemOpcode {
			return nil, fmt.Errorf("%w: opcode %d, want %d", ErrCorrupt, op, itemOpcode)
		}
		if len(b) < 4 {
			return nil, fmt.Errorf("%w: truncated item length", ErrCorrupt)
		}
		size := binary.BigEndian.Uint32(b)
		b = b[4:]
		if size > math.MaxInt32 || uint64(size) > uint64(len(b)) {
			return nil, fmt.Errorf("%w: item of %d bytes, %d left", ErrCorrupt, size, len(b))
		}
		items = append(items, b[:size:size])
		b = b[size:]
	}
}
