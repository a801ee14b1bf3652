package zk

import (
	"bufio"
	"fmt"
	"io"
	"time"

	"github.com/zkcurator/zkcurator/jute"
)

// maxSkippedFrame is the longest frame the reader reads past (and throws
// away) to keep a connection whose server answered one request with a
// reply over WithMaxBuffer; a longer declared length is taken for a
// corrupt stream and ends the connection.
const maxSkippedFrame = 256 << 20

// readBody reads a frame body of n bytes into buf (grown if needed).
func readBody(br *bufio.Reader, buf []byte, n int) ([]byte, error) {
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(br, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// skipOversized handles a frame of n bytes, over the client's frame limit:
// it reads the reply header, throws the body away (the read deadline kept
// fresh while bytes arrive), and fails the request it answers with
// ErrResponseTooLarge, so one large reply (a getChildren of a huge parent)
// costs that request, not the connection and everything in flight on it
// (the Java client drops the connection, and a retry asks again). A frame
// that answers no pending request is a protocol error.
func (c *Conn) skipOversized(ln *link, br *bufio.Reader, n int) error {
	const headerLen = 16 // xid, zxid, err
	var hdr [headerLen]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return err
	}
	for left := int64(n - headerLen); left > 0; {
		chunk := min(left, 1<<20)
		ln.nc.SetReadDeadline(time.Now().Add(ln.readTimeout))
		if _, err := io.CopyN(io.Discard, br, chunk); err != nil {
			return err
		}
		left -= chunk
	}
	var d jute.Decoder
	d.Reset(hdr[:])
	var h jute.ReplyHeader
	h.Decode(&d)
	if h.Xid < 0 {
		return protoErr("%d-byte frame with xid %d over the limit %d", n, h.Xid, c.cfg.maxBuffer)
	}
	if h.Zxid > 0 {
		c.lastZxid.Store(h.Zxid)
	}
	r, _ := c.pend.Pop()
	if r == nil || r.xid != h.Xid {
		perr := protoErr("%d-byte reply with xid %d over the limit %d answers no pending request", n, h.Xid, c.cfg.maxBuffer)
		if r != nil {
			r.complete(fmt.Errorf("%w: %w", ErrConnectionLoss, perr), 0)
		}
		return perr
	}
	c.heard(r.sentAt)
	err := fmt.Errorf("%w: reply of %d bytes, limit %d (WithMaxBuffer)", ErrResponseTooLarge, n, c.cfg.maxBuffer)
	if h.Err != 0 {
		err = codeError(h.Err)
	}
	if r.internal {
		c.log.Warn("zk: internal request failed", "op", r.opcode, "err", err)
		return nil
	}
	r.complete(err, h.Zxid)
	return nil
}
