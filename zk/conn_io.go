package zk

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/zkcurator/zkcurator/jute"
)

const (
	readBufferSize = 64 << 10 // bufio.Reader size of a busy connection
	// smallReadBuffer is the reader's size until replies queue up in it: an
	// idle session (1,000 of them in one process) keeps 4 KiB, not 64.
	smallReadBuffer = 4 << 10
	writeChunk      = 64 << 10 // flush the write buffer once it holds this much
	maxKeptBuffer   = 1 << 20  // a larger write buffer is not kept between batches

	// maxPingInterval caps the ping interval, as ClientCnxn's
	// MAX_SEND_PING_INTERVAL does for long session timeouts.
	maxPingInterval = 10 * time.Second
)

// protoErr returns an error wrapping ErrProtocol.
func protoErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrProtocol}, args...)...)
}

// readLoop reads and dispatches frames until the connection fails. No bytes
// for the read timeout ends the connection.
func (c *Conn) readLoop(ln *link) {
	br := bufio.NewReaderSize(ln.nc, smallReadBuffer)
	big, busy := false, false
	rt := ln.readTimeout
	var buf []byte
	var lastDeadline time.Time
	defer ln.flushWakes()
	for k := 0; ; k++ {
		ln.flushWakesBeforeBlocking(br, k)
		// Replies queued up behind the last one: switch to the large
		// buffer (fewer read calls under pipelining) once the small one is
		// empty, so that no buffered byte is lost.
		if busy && br.Buffered() == 0 {
			br = bufio.NewReaderSize(ln.nc, readBufferSize)
			big, busy = true, false
		}
		// Refreshing the deadline is cheap but not free: do it when an
		// eighth of the timeout has passed since the last refresh. Reading
		// the clock is not free either: while replies are buffered (the
		// next read is unlikely to block) look only every 32nd frame.
		if br.Buffered() == 0 || k%32 == 0 {
			if now := time.Now(); now.Sub(lastDeadline) > rt/8 {
				ln.nc.SetReadDeadline(now.Add(rt))
				lastDeadline = now
			}
		}
		n, err := jute.ReadFrameLength(br, maxSkippedFrame)
		if err == nil && n > c.cfg.maxBuffer {
			if err = c.skipOversized(ln, br, n); err != nil {
				c.log.Error("zk: reply over the frame limit", "server", ln.host, "err", err)
				ln.fail(err)
				return
			}
			continue
		}
		var frame []byte
		if err == nil {
			frame, err = readBody(br, buf, n)
		}
		if err != nil {
			if errors.Is(err, jute.ErrCorrupt) {
				err = fmt.Errorf("%w: %w", ErrProtocol, err)
				c.log.Error("zk: bad frame from server", "server", ln.host, "err", err)
			}
			ln.fail(err)
			return
		}
		if cap(frame) > cap(buf) {
			buf = frame[:0]
		}
		if err := c.handleFrame(ln, frame); err != nil {
			c.log.Error("zk: protocol error", "server", ln.host, "err", err)
			ln.fail(err)
			return
		}
		busy = busy || (!big && br.Buffered() >= smallReadBuffer/4)
	}
}

// handleFrame dispatches one reply frame. An error ends the connection.
func (c *Conn) handleFrame(ln *link, frame []byte) error {
	d := &ln.dec
	d.Reset(frame)
	defer d.Reset(nil) // keep no reference to the frame buffer
	var h jute.ReplyHeader
	h.Decode(d)
	if err := d.Err(); err != nil {
		return fmt.Errorf("%w: reply header: %w", ErrProtocol, err)
	}
	if h.Zxid > 0 && h.Xid != jute.XidNotification {
		// A 3.9 notification carries the zxid of the change that fired it,
		// which is not a zxid this session's reads have seen (the Java
		// client does not take it as lastZxid either).
		c.lastZxid.Store(h.Zxid)
	}
	if done, err := c.handleUnsolicited(ln, &h, d); done {
		return err
	}

	r, _ := c.pend.Pop()
	if r == nil {
		return protoErr("reply with xid %d but no request pending", h.Xid)
	}
	if r.xid != h.Xid {
		perr := protoErr("reply xid %d, expected %d", h.Xid, r.xid)
		if h.Err == jute.ErrUnimplemented && c.unimplementedOutOfOrder(ln, r, h.Xid, perr) {
			return fmt.Errorf("%w: server refused op (unimplemented) out of order", ErrConnectionLoss)
		}
		r.complete(fmt.Errorf("%w: %w", ErrConnectionLoss, perr), 0)
		return perr
	}
	c.heard(r.sentAt)
	if h.Err == jute.ErrUnimplemented {
		c.refused(ln, r)
	}
	if r.internal {
		if h.Err != 0 {
			c.log.Warn("zk: internal request failed", "op", r.opcode, "err", codeError(h.Err))
		}
		if r.watch != nil { // a resync's SetWatches
			c.watches.rearmDone(r.watch)
		}
		return nil
	}
	if h.Err == 0 && r.opcode == jute.OpCloseSession {
		c.closeSent.Store(true)
	}
	if r.watch != nil && r.watch.resync {
		// The server's watches of the path are gone, whatever the reply
		// says and whether or not the caller still waits.
		c.resync(ln, r.watch.spath, h.Zxid, tableData|tableChild, true)
		r.watch = nil
	}
	if r.abandoned() {
		if r.watch != nil {
			c.watches.settle(r.watch)
		}
		return nil // the caller gave up; nothing to decode or register
	}
	var err error
	if h.Err != 0 {
		err = codeError(h.Err)
	} else if r.resp != nil {
		if perr := decodeReply(d, r); perr != nil {
			r.complete(fmt.Errorf("%w: %w", ErrConnectionLoss, perr), 0)
			return perr
		}
	}
	if !r.claim() {
		return nil
	}
	if r.watch != nil {
		c.registerWatch(ln, r.watch, r.opcode, h.Err, h.Zxid)
	}
	r.err, r.zxid = err, h.Zxid
	ln.wakeReply(r)
	return nil
}

// handleUnsolicited handles the frames that answer no pending request:
// pings, auth replies and watch notifications. done is false for any
// other xid (a reply to the oldest pending request).
func (c *Conn) handleUnsolicited(ln *link, h *jute.ReplyHeader, d *jute.Decoder) (done bool, err error) {
	switch h.Xid {
	case jute.XidPing:
		if sent, ok := ln.pings.Pop(); ok {
			c.heard(sent)
		}
		return true, nil
	case jute.XidAuth:
		return true, c.handleAuthReply(ln, h.Err)
	case jute.XidNotification:
		var ev jute.WatcherEvent
		ev.Decode(d)
		if err := d.Err(); err != nil {
			return true, fmt.Errorf("%w: notification: %w", ErrProtocol, err)
		}
		c.dispatchNotification(&ev, h.Zxid)
		return true, nil
	}
	return false, nil
}

// decodeReply decodes the body of a successful reply into r.resp and
// copies what would alias the read buffer, which is reused. A body that
// does not decode is a protocol error.
func decodeReply(d *jute.Decoder, r *request) error {
	r.resp.Decode(d)
	if err := d.Err(); err != nil {
		return fmt.Errorf("%w: reply to op %d: %w", ErrProtocol, r.opcode, err)
	}
	switch g := r.resp.(type) {
	case *jute.GetDataResponse:
		if g.Data != nil {
			g.Data = bytes.Clone(g.Data)
		}
	case *jute.MultiResponse: // multiRead's getData results
		for _, res := range g.Results {
			if gd, ok := res.Record.(*jute.GetDataResponse); ok && gd.Data != nil {
				gd.Data = bytes.Clone(gd.Data)
			}
		}
	}
	return nil
}

// registerWatch registers the watch of a request answered with code (at
// zxid), when the reply allows it.
func (c *Conn) registerWatch(ln *link, w *watchReg, opcode, code int32, zxid int64) {
	kind, ok := w.kindFor(opcode, code)
	if !ok {
		c.watches.settle(w)
		return
	}
	added, tables := c.watches.add(w, kind)
	if !added {
		c.endLateWatch(w)
		return
	}
	if w.watcher != nil {
		w.watcher.start()
	}
	if tables != 0 {
		// Set the path's one-shots of those tables on the server again,
		// from what this reply saw.
		c.resync(ln, w.spath, zxid, tables, false)
	}
}

// endLateWatch ends a watch whose reply was read after the session ended
// (die drained the registry): it gets the same final EventNotWatching the
// drained watches got.
func (c *Conn) endLateWatch(w *watchReg) {
	c.mu.Lock()
	st, err := c.state, c.deadErr
	c.mu.Unlock()
	it := eventItem{ev: Event{Type: EventNotWatching, State: st, Path: w.path, Err: err}, final: true}
	if w.oneshot != nil {
		it.oneshots = []*oneShot{w.oneshot}
	}
	if w.watcher != nil {
		w.watcher.start()
		it.watchers = []*Watcher{w.watcher}
	}
	c.events.Push(it)
}

// handleAuthReply matches an auth reply (xid -4) to the oldest auth packet.
// AuthFailed kills the session.
func (c *Conn) handleAuthReply(ln *link, code int32) error {
	r, _ := ln.auth.Pop()
	if code == jute.ErrAuthFailed {
		if r != nil {
			r.complete(ErrAuthFailed, 0)
		}
		c.log.Error("zk: authentication failed", "server", ln.host)
		c.die(ErrAuthFailed, StateAuthFailed)
		return ErrAuthFailed
	}
	if r == nil {
		if code != 0 {
			c.log.Warn("zk: auth packet failed", "err", codeError(code))
		}
		c.primedAuthAnswered()
		return nil
	}
	if code == 0 && r.auth != nil && !r.abandoned() {
		c.rememberAuth(*r.auth)
	}
	r.complete(codeError(code), 0)
	return nil
}

// primedAuthAnswered counts the answer to a WithAuth credential primed on
// Dial's first connection: Dial returns once every one was accepted, so a
// credential the server refuses fails Dial (with ErrAuthFailed) instead of
// a session that dies right after Dial returned it.
func (c *Conn) primedAuthAnswered() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.phase != phaseDialing || c.dialAuths == 0 {
		return
	}
	if c.dialAuths--; c.dialAuths == 0 {
		c.setPhaseLocked(phaseLive)
	}
}

// rememberAuth stores a credential the server accepted, for reconnects.
func (c *Conn) rememberAuth(a authCred) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, x := range c.auths {
		if x.scheme == a.scheme && bytes.Equal(x.auth, a.auth) {
			return
		}
	}
	c.auths = append(c.auths, a)
}

// dispatchNotification routes a watch event to the watches it fires.
func (c *Conn) dispatchNotification(we *jute.WatcherEvent, zxid int64) {
	typ := EventType(we.Type)
	path := we.Path
	if path != "" {
		p, ok := underChroot(c.chroot, path)
		if !ok && path == ConfigNode {
			p, ok = path, true // read outside the chroot (GetConfigW)
		}
		if !ok {
			// Nothing of this client's lies outside its chroot: a server
			// event for such a path is dropped, never shown as if inside.
			c.log.Warn("zk: dropped event outside the chroot", "path", path, "chroot", c.chroot)
			return
		}
		path = p
	}
	ev := Event{Type: typ, State: State(we.State), Path: path}
	if zxid > 0 { // servers before 3.9 send -1
		ev.Zxid = zxid
	}
	os, ws := c.watches.route(typ, we.Path)
	it := eventItem{ev: ev, oneshots: os, watchers: ws}
	if len(os) == 0 && len(ws) == 0 {
		it.handler = true
	}
	c.events.Push(it)
}

// nextXid returns the next normal xid: 1.., wrapping from MaxInt32 to 1.
func (c *Conn) nextXid() int32 {
	x := c.xid
	if x == math.MaxInt32 {
		c.xid = 1
	} else {
		c.xid = x + 1
	}
	return x
}

// appendRequest gives r its xid, appends its frame to buf and queues r
// for its reply (sent is the batch's send time). A frame longer than the
// request limit (ZooKeeper's jute.maxbuffer, which the server answers by
// dropping the connection) is taken back, unsent, before it gets an xid
// or a place in a queue: r alone fails, with ErrRequestTooLarge.
func (c *Conn) appendRequest(ln *link, buf []byte, r *request, sent int64) []byte {
	mark, xid := len(buf), c.xid
	if w := r.watch; w != nil {
		if w.rearm != nil && w.rearm != ln {
			// A resync for a connection that ended: the restore of this
			// one (prime) has set every watch already.
			c.watches.rearmDone(w)
			return buf
		}
		c.watches.written(w, r.body)
	}
	if r.opcode == jute.OpAuth {
		r.xid = jute.XidAuth
	} else {
		r.xid = c.nextXid()
	}
	buf = appendFrame(buf, r.xid, r.opcode, r.body)
	if n := len(buf) - mark - 4; n > c.cfg.maxRequest {
		c.xid = xid
		if r.watch != nil {
			c.watches.settle(r.watch)
		}
		r.complete(fmt.Errorf("%w: %d bytes, limit %d (jute.maxbuffer)", ErrRequestTooLarge, n, c.cfg.maxRequest), 0)
		return buf[:mark]
	}
	r.sentAt = sent
	if r.opcode == jute.OpAuth {
		ln.auth.Push(r)
		return buf
	}
	c.pend.Push(r)
	if r.opcode == jute.OpCloseSession {
		c.closeSent.Store(true)
	}
	return buf
}

// writeLoop drains the outgoing queue, coalescing every queued request into
// one write, and pings when nothing was sent for half the read timeout.
func (c *Conn) writeLoop(ln *link) {
	pingEvery := min(ln.readTimeout/2, maxPingInterval)
	if pingEvery <= 0 {
		pingEvery = time.Second
	}
	timer := time.NewTimer(pingEvery)
	defer timer.Stop()
	lastSend := time.Now()
	buf, batch := c.wbuf[:0], c.wbatch[:0]
	defer func() {
		if cap(buf) > maxKeptBuffer {
			buf = nil
		}
		c.wbuf, c.wbatch = buf, batch[:0]
	}()

	write := func() bool {
		ln.nc.SetWriteDeadline(time.Now().Add(ln.readTimeout))
		_, err := ln.nc.Write(buf)
		buf = buf[:0]
		if err != nil {
			ln.fail(err)
			return false
		}
		lastSend = time.Now()
		return true
	}

	drain := true // requests may have been queued while disconnected
	for {
		if !drain {
			select {
			case <-ln.done:
				return
			case <-c.out.signal:
			case <-timer.C:
				idle := time.Since(lastSend)
				if idle >= pingEvery {
					ln.pings.Push(c.monoNow())
					buf = appendFrame(buf, jute.XidPing, jute.OpPing, nil)
					if !write() {
						return
					}
					idle = 0
				}
				timer.Reset(pingEvery - idle)
				continue
			}
		}
		drain = false
		// Let goroutines that are runnable right now (callers just woken by
		// replies) queue their next request first, so that one write
		// carries many requests instead of one: this halves the system
		// calls per request under load and costs little when idle.
		runtime.Gosched()
		batch = c.out.take(batch[:0])
		// Taken before the write: a send time never later than the real one.
		sent := c.monoNow()
		for _, r := range batch {
			if r.abandoned() {
				continue // its caller is gone and nothing was sent: drop it
			}
			buf = c.appendRequest(ln, buf, r, sent)
			if len(buf) >= writeChunk && !write() {
				clear(batch)
				return
			}
		}
		clear(batch)
		if len(buf) > 0 && !write() {
			return
		}
	}
}
