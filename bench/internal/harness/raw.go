package harness

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/jute"
)

// RawBatch is the largest number of request frames the raw loop puts into
// one write.
const RawBatch = 64

// rawSessionTimeout is the session timeout the raw loop asks for.
const rawSessionTimeout = 30 * time.Second

// rawReplyHeader is the part of a reply the raw loop looks at: the frame
// length followed by the ReplyHeader (xid, zxid, err).
const rawReplyHeader = 4 + jute.ReplyHeaderSize

// errRawBroken reports a Run on a Raw whose connection failed earlier.
var errRawBroken = errors.New("raw: connection unusable after an earlier error")

// Raw is a minimal pipelining ZooKeeper session used as the per-connection
// ceiling of a server: after the handshake it writes pre-encoded getData or
// setData frames in batches of up to RawBatch frames per write and reads the
// replies through a bufio.Reader, decoding only each frame's length, xid and
// error code. It implements Driver; Run's g is the number of requests kept
// in flight (g=1 is a strict request/reply loop in one goroutine).
//
// A Raw is not safe for concurrent use: one Run at a time.
type Raw struct {
	nc     net.Conn
	br     *bufio.Reader
	frames [numOps][]byte // one encoded request frame per Op; xid at offset 4
	wbuf   []byte
	xid    int32
	broken bool
	dec    *rawDecoder // raw-decode client: decode each reply (nil: the raw loop)
}

// DialRaw opens a TCP connection to addr ("host:port"), completes the
// session handshake and prepares the request frames for path (getData) and
// path+data (setData, any version).
func DialRaw(ctx context.Context, addr, path string, data []byte) (*Raw, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("raw: dial %s: %w", addr, err)
	}
	r := &Raw{nc: nc, br: bufio.NewReaderSize(nc, 64<<10), xid: 1}
	if err := r.handshake(ctx); err != nil {
		nc.Close()
		return nil, err
	}
	r.frames[OpGet] = requestFrame(jute.OpGetData, &jute.GetDataRequest{Path: path})
	r.frames[OpSet] = requestFrame(jute.OpSetData, &jute.SetDataRequest{Path: path, Data: data, Version: -1})
	return r, nil
}

// requestFrame encodes one length-prefixed request with xid 0.
func requestFrame(op int32, body jute.Record) []byte {
	b, start := jute.BeginFrame(nil)
	hdr := jute.RequestHeader{Type: op}
	b = hdr.Encode(b)
	b = body.Encode(b)
	return jute.EndFrame(b, start)
}

func (r *Raw) handshake(ctx context.Context) error {
	defer r.watchContext(ctx)()
	b, start := jute.BeginFrame(nil)
	req := jute.ConnectRequest{TimeOut: int32(rawSessionTimeout / time.Millisecond)}
	b = jute.EndFrame(req.Encode(b), start)
	if _, err := r.nc.Write(b); err != nil {
		return fmt.Errorf("raw: handshake: %w", err)
	}
	body, err := jute.ReadFrame(r.br, nil, 0)
	if err != nil {
		return fmt.Errorf("raw: handshake: %w", err)
	}
	var resp jute.ConnectResponse
	if err := jute.Unmarshal(body, &resp); err != nil {
		return fmt.Errorf("raw: handshake: %w", err)
	}
	if resp.TimeOut <= 0 || resp.SessionID == 0 {
		return fmt.Errorf("raw: handshake: server refused the session (timeout %d)", resp.TimeOut)
	}
	return nil
}

// watchContext makes blocked reads and writes on r fail when ctx ends; the
// returned function stops watching.
func (r *Raw) watchContext(ctx context.Context) func() {
	stop := context.AfterFunc(ctx, func() { r.nc.SetDeadline(time.Unix(1, 0)) })
	return func() { stop() }
}

// nextXid returns the next request xid, wrapping from MaxInt32 to 1.
func (r *Raw) nextXid() int32 {
	x := r.xid
	if r.xid == math.MaxInt32 {
		r.xid = 1
	} else {
		r.xid++
	}
	return x
}

// Call sends one request (op, body) and waits for its reply, returning the
// reply's error code. It is for setup (creating the benchmark node), not
// for measuring.
func (r *Raw) Call(ctx context.Context, op int32, body jute.Record) (int32, error) {
	if r.broken {
		return 0, errRawBroken
	}
	defer r.watchContext(ctx)()
	b, start := jute.BeginFrame(r.wbuf[:0])
	hdr := jute.RequestHeader{Xid: r.nextXid(), Type: op}
	b = hdr.Encode(b)
	if body != nil {
		b = body.Encode(b)
	}
	r.wbuf = jute.EndFrame(b, start)
	if _, err := r.nc.Write(r.wbuf); err != nil {
		r.broken = true
		return 0, fmt.Errorf("raw: call op %d: %w", op, err)
	}
	reply, err := jute.ReadFrame(r.br, nil, 0)
	if err != nil {
		r.broken = true
		return 0, fmt.Errorf("raw: call op %d: %w", op, err)
	}
	var rh jute.ReplyHeader
	d := jute.NewDecoder(reply)
	rh.Decode(d)
	if d.Err() != nil || rh.Xid != hdr.Xid {
		r.broken = true
		return 0, fmt.Errorf("raw: call op %d: bad reply header (xid %d, want %d)", op, rh.Xid, hdr.Xid)
	}
	return rh.Err, nil
}

// Run implements Driver: n requests of op with at most g in flight.
func (r *Raw) Run(ctx context.Context, op Op, g, n int) error {
	if r.broken {
		return errRawBroken
	}
	if op < 0 || op >= numOps {
		return fmt.Errorf("raw: unknown op %d", op)
	}
	if g < 1 {
		g = 1
	}
	defer r.watchContext(ctx)()
	if r.dec != nil {
		r.dec.reset(g)
	}
	var err error
	if g == 1 {
		err = r.runSync(op, n)
	} else {
		err = r.runPipelined(op, g, n)
	}
	if err != nil {
		r.broken = true
		return fmt.Errorf("raw: %s: %w", op, err)
	}
	return nil
}

// runSync writes one request and reads its reply, n times.
func (r *Raw) runSync(op Op, n int) error {
	frame := r.frames[op]
	for range n {
		xid := r.nextXid()
		binary.BigEndian.PutUint32(frame[4:], uint32(xid))
		if _, err := r.nc.Write(frame); err != nil {
			return err
		}
		if err := r.readNext(op, xid); err != nil {
			return err
		}
	}
	return nil
}

// runPipelined keeps up to window requests in flight: a writer goroutine
// sends batches of frames as credits come back, the calling goroutine reads
// replies and returns credits once it has drained what bufio already holds.
func (r *Raw) runPipelined(op Op, window, n int) error {
	batch := min(window, RawBatch)
	frame := r.frames[op]
	if need := batch * len(frame); cap(r.wbuf) < need {
		r.wbuf = make([]byte, 0, need)
	}
	first := r.xid
	freed := make(chan int, window) // total unread credits <= window, each message >= 1
	done := make(chan struct{})
	var werr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		werr = r.writeLoop(frame, window, batch, n, freed, done)
	}()

	var rerr error
	xid, credits := first, 0
	for range n {
		if rerr = r.readNext(op, xid); rerr != nil {
			break
		}
		xid = nextOf(xid)
		credits++
		if credits == batch || r.br.Buffered() < rawReplyHeader {
			freed <- credits
			credits = 0
		}
	}
	close(done)
	if rerr != nil {
		r.nc.SetDeadline(time.Unix(1, 0)) // unblock a writer stuck in Write
	}
	wg.Wait()
	return errors.Join(rerr, werr)
}

// writeLoop sends n frames, never more than window unanswered, at most
// batch per write.
func (r *Raw) writeLoop(frame []byte, window, batch, n int, freed <-chan int, done <-chan struct{}) error {
	inflight := 0
	for sent := 0; sent < n; {
		// Collect credits the reader has returned, blocking only when the window is full.
		for more := true; more; {
			select {
			case c := <-freed:
				inflight -= c
			default:
				more = false
			}
		}
		k := min(window-inflight, batch, n-sent)
		if k == 0 {
			select {
			case c := <-freed:
				inflight -= c
			case <-done:
				return nil
			}
			continue
		}
		b := r.wbuf[:0]
		for range k {
			off := len(b)
			b = append(b, frame...)
			binary.BigEndian.PutUint32(b[off+4:], uint32(r.nextXid()))
		}
		r.wbuf = b
		if _, err := r.nc.Write(b); err != nil {
			return err
		}
		inflight += k
		sent += k
	}
	return nil
}

// readNext reads the reply to request want (of op): the raw loop skips it
// (readReply), the raw-decode client decodes it (rawDecoder.read).
func (r *Raw) readNext(op Op, want int32) error {
	if r.dec != nil {
		return r.dec.read(r.br, op, want)
	}
	return r.readReply(want)
}

// readReply reads one reply frame, checking only its length, xid and error
// code, and discards the body.
func (r *Raw) readReply(want int32) error {
	h, err := r.br.Peek(rawReplyHeader)
	if err != nil {
		return err
	}
	n, err := jute.CheckFrameLength(int32(binary.BigEndian.Uint32(h)), 0)
	if err != nil {
		return err
	}
	if n < jute.ReplyHeaderSize {
		return fmt.Errorf("reply frame of %d bytes, shorter than a reply header", n)
	}
	xid := int32(binary.BigEndian.Uint32(h[4:]))
	code := int32(binary.BigEndian.Uint32(h[16:]))
	if xid != want {
		return fmt.Errorf("reply xid %d, want %d", xid, want)
	}
	if code != 0 {
		return fmt.Errorf("reply xid %d: error code %d", xid, code)
	}
	_, err = r.br.Discard(4 + n)
	return err
}

// nextOf is the xid after x.
func nextOf(x int32) int32 {
	if x == math.MaxInt32 {
		return 1
	}
	return x + 1
}

// Close ends the session (closeSession, best effort, 2s at most) and closes
// the connection.
func (r *Raw) Close() error {
	if !r.broken {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		r.Call(ctx, jute.OpCloseSession, nil) //nolint:errcheck // best effort; the socket is closed next
		cancel()
	}
	return r.nc.Close()
}

// SendAll writes pre-encoded request frames in one write and reads one
// reply per frame, each with xid want and no error. It is the bound of a
// client restoring watches: nothing but the frames and their replies.
func (r *Raw) SendAll(ctx context.Context, frames [][]byte, want int32) error {
	if r.broken {
		return errRawBroken
	}
	defer r.watchContext(ctx)()
	b := r.wbuf[:0]
	for _, f := range frames {
		b = append(b, f...)
	}
	r.wbuf = b
	if _, err := r.nc.Write(b); err != nil {
		r.broken = true
		return fmt.Errorf("raw: send: %w", err)
	}
	for range frames {
		if err := r.readReply(want); err != nil {
			r.broken = true
			return fmt.Errorf("raw: send: %w", err)
		}
	}
	return nil
}
