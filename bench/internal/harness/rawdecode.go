package harness

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/zkcurator/zkcurator/jute"
)

// rawResult is what a client hands its caller for one reply: the reply's
// data (a fresh slice the caller may keep; nil for setData) and Stat.
type rawResult struct {
	data []byte
	stat jute.Stat
}

// rawDecoder is the work the raw-decode client adds to the raw loop per
// reply: the minimum any client library does to hand a caller its result.
// It decodes the reply header with jute, checks the reply's xid against
// the request it answers (the oldest unanswered one: replies come back in
// order), decodes the getData (data + Stat) or setData (Stat) response and
// copies getData's data into a fresh slice, stored with the Stat in the
// request's result slot. No goroutine, channel or lock per request.
type rawDecoder struct {
	d       jute.Decoder
	big     []byte      // frame buffer for replies larger than the reader's buffer
	results []rawResult // one slot per request in flight, reused in order
	next    int         // slot of the next reply
	size    int         // the data length a getData reply must carry
	reuse   bool        // raw-decode-reuse: copy into the slot's previous data slice
}

// DialRawDecode is DialRaw for the raw-decode client: the same loop, each
// reply decoded and its result handed over as described at rawDecoder.
// A getData reply must carry len(data) bytes (path's data is data).
func DialRawDecode(ctx context.Context, addr, path string, data []byte) (*Raw, error) {
	r, err := DialRaw(ctx, addr, path, data)
	if err != nil {
		return nil, err
	}
	r.dec = &rawDecoder{size: len(data)}
	return r, nil
}

// DialRawDecodeReuse is DialRawDecode for the raw-decode-reuse client: a
// getData reply's data is copied into the data slice of the result its
// slot held before (as into a buffer the caller passes with each request,
// an API no Go ZooKeeper client has) instead of a fresh slice, so a Get
// allocates nothing. It measures what the per-reply allocation and the
// garbage collection it causes cost raw-decode.
func DialRawDecodeReuse(ctx context.Context, addr, path string, data []byte) (*Raw, error) {
	r, err := DialRawDecode(ctx, addr, path, data)
	if err == nil {
		r.dec.reuse = true
	}
	return r, err
}

// reset prepares one slot per request in flight (window of them).
func (dec *rawDecoder) reset(window int) {
	if cap(dec.results) < window {
		dec.results = make([]rawResult, window)
	}
	dec.results = dec.results[:window]
	dec.next = 0
}

// read reads and decodes the reply to request want (of op) from br and
// stores its result in the next slot.
func (dec *rawDecoder) read(br *bufio.Reader, op Op, want int32) error {
	n, err := jute.ReadFrameLength(br, 0)
	if err != nil {
		return err
	}
	body, err := br.Peek(n) // decode in place from the read buffer
	if err == bufio.ErrBufferFull {
		if cap(dec.big) < n {
			dec.big = make([]byte, n)
		}
		body = dec.big[:n]
		_, err = io.ReadFull(br, body)
		n = 0 // nothing left to discard
	}
	if err != nil {
		return err
	}
	d := &dec.d
	d.Reset(body)
	var rh jute.ReplyHeader
	rh.Decode(d)
	if d.Err() == nil && rh.Xid != want {
		return fmt.Errorf("reply xid %d, want %d", rh.Xid, want)
	}
	if d.Err() == nil && rh.Err != 0 {
		return fmt.Errorf("reply xid %d: error code %d", rh.Xid, rh.Err)
	}
	res := &dec.results[dec.next]
	switch op {
	case OpGet:
		var resp jute.GetDataResponse
		resp.Decode(d)
		if dec.reuse && cap(res.data) >= len(resp.Data) {
			res.data = res.data[:len(resp.Data)] // the buffer the caller handed in with the request
		} else {
			res.data = make([]byte, len(resp.Data)) // the caller's own copy
		}
		copy(res.data, resp.Data)
		res.stat = resp.Stat
	case OpSet:
		var resp jute.StatResponse
		resp.Decode(d)
		res.data, res.stat = nil, resp.Stat
	}
	if d.Err() != nil {
		return fmt.Errorf("reply xid %d: %w", want, d.Err())
	}
	if op == OpGet && len(res.data) != dec.size { // what the other clients' callers check
		return fmt.Errorf("reply xid %d: %d bytes of data, want %d", want, len(res.data), dec.size)
	}
	if dec.next++; dec.next == len(dec.results) {
		dec.next = 0
	}
	_, err = br.Discard(n)
	return err
}
