package zk

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkcurator/zkcurator/internal/queue"
	"github.com/zkcurator/zkcurator/jute"
)

// link is one TCP connection of the session: it lives from the handshake
// until the connection drops (fail), while the session (the Conn) goes on.
type link struct {
	nc          net.Conn
	host        string
	readTimeout time.Duration
	done        chan struct{} // closed by fail
	once        sync.Once
	err         error // why the connection ended, set before done is closed
	// auth holds the auth packets (xid -4) written, awaiting their reply
	// (nil for a priming packet nobody waits for); pings the send times
	// (monoNow) of the pings. Both come back in order, outside pend.
	auth        queue.LockedFIFO[*request]
	pings       queue.LockedFIFO[int64]
	handshakeAt int64 // monoNow() before the ConnectRequest was written
	// move is set before fail when the connection ends to move the session
	// to another server (conn_readonly.go): no Disconnected unless the move
	// fails.
	move atomic.Pointer[linkMove]
	// dec decodes the reply frames; only the reader goroutine uses it. Kept
	// here rather than on the stack, where passing it to a Record's Decode
	// (an interface call) would make it escape: one allocation per reply.
	dec jute.Decoder
	// wakes are the channels of futures the reader completed whose waiters
	// it has not woken yet (only the reader goroutine uses it; conn_async.go).
	wakes []chan struct{}
}

// fail ends the connection with cause err (the first cause wins).
func (ln *link) fail(err error) {
	ln.once.Do(func() {
		ln.err = err
		close(ln.done)
		ln.nc.Close()
	})
}

// loop is the session loop: connect, run the connection until it drops,
// reconnect to the next host, until the session dies or the Conn closes.
func (c *Conn) loop() {
	defer close(c.loopDone)
	var mv *linkMove // set while the session moves to another server on purpose
	for attempt := 0; ; attempt++ {
		if attempt > 0 && mv == nil {
			// Like ClientCnxn: a random pause before every reconnect, so a
			// failed server's clients do not all land at once.
			t := time.NewTimer(rand.N(time.Second))
			select {
			case <-c.stopCtx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		if c.stopCtx.Err() != nil {
			return
		}
		var h Host
		if mv != nil && mv.to != "" {
			h = Host{Server: mv.to, Addrs: []string{mv.to}}
		} else {
			var err error
			spin := DefaultSpinDelay
			if attempt == 0 {
				spin = 0 // a new session starts at once
			}
			if h, err = c.hp.Next(c.stopCtx, spin); err != nil {
				return // the Conn is closing
			}
		}
		ln, resp, err := c.connect(h)
		if err != nil {
			if mv != nil {
				// The move failed: now the session is disconnected.
				mv = nil
				c.quietDisconnect(err)
			}
			if errors.Is(err, ErrSessionExpired) {
				c.log.Warn("zk: session expired", "server", h.Server)
				c.die(ErrSessionExpired, StateExpired)
				return
			}
			c.noteConnectErr(h.Server, err)
			if isTLSConfigError(err) {
				c.log.Error("zk: TLS handshake failed", "server", h.Server, "err", err)
				if c.failDial(fmt.Errorf("%s: %w", h.Server, err)) {
					return
				}
				continue
			}
			c.log.Info("zk: connect failed", "server", h.Server, "err", err)
			continue
		}
		mv = nil
		c.hp.OnConnected(h.Server)
		moved := c.runConn(ln, resp)
		if c.deadError() != nil {
			return
		}
		if c.closeSent.Load() {
			// closeSession went out: the session is over, do not reconnect.
			<-c.stopCtx.Done()
			return
		}
		mv = moved
		if mv != nil {
			// Moving on purpose: disconnected for now, but not reported
			// unless the move fails (quietDisconnect).
			c.setState(StateDisconnected)
		}
	}
}

// connect dials host and performs the handshake, bounded by the connect
// timeout (session timeout / number of hosts). A handshake reply with a
// timeout <= 0 means the session expired: the error wraps ErrSessionExpired.
func (c *Conn) connect(h Host) (*link, *jute.ConnectResponse, error) {
	host := h.Server
	c.mu.Lock()
	timeout := c.timeout
	if timeout <= 0 {
		timeout = c.cfg.sessionTimeout
	}
	sid, pw := c.sessionID, c.passwd
	if !c.ro.seenRW {
		// Like ClientCnxn: a session only ever served read-only is the
		// read-only server's own; ask for a real one.
		sid = 0
	}
	c.mu.Unlock()

	ctx, cancel := context.WithTimeout(c.stopCtx, timeout/time.Duration(max(len(c.hp.Servers()), 1)))
	defer cancel()
	nc, err := c.dialHost(ctx, h)
	if err != nil {
		return nil, nil, err
	}
	if c.cfg.tls != nil {
		cfg := c.cfg.tls.Clone()
		if cfg.ServerName == "" {
			if h, _, err := net.SplitHostPort(host); err == nil {
				cfg.ServerName = h
			}
		}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, nil, fmt.Errorf("tls handshake: %w", err)
		}
		nc = tc
	}
	// Unblock the handshake when the connect timeout passes or the Conn closes.
	stopWatch := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	sent := c.monoNow()
	resp, err := c.handshake(nc, sid, pw)
	if !stopWatch() && err == nil {
		err = ctx.Err()
	}
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	nc.SetDeadline(time.Time{})
	if resp.TimeOut <= 0 {
		nc.Close()
		return nil, nil, fmt.Errorf("%w (server %s)", ErrSessionExpired, host)
	}
	return &link{nc: nc, host: host, done: make(chan struct{}), handshakeAt: sent}, resp, nil
}

func (c *Conn) handshake(nc net.Conn, sid int64, pw []byte) (*jute.ConnectResponse, error) {
	req := jute.ConnectRequest{
		ProtocolVersion: jute.ProtocolVersion,
		LastZxidSeen:    c.lastZxid.Load(),
		TimeOut:         int32(c.cfg.sessionTimeout / time.Millisecond),
		SessionID:       sid,
		Passwd:          pw,
		ReadOnly:        c.cfg.readOnly,
	}
	b, start := jute.BeginFrame(make([]byte, 0, 64))
	b = jute.EndFrame(req.Encode(b), start)
	if _, err := nc.Write(b); err != nil {
		return nil, err
	}
	frame, err := jute.ReadFrame(nc, nil, c.cfg.maxBuffer)
	if err != nil {
		if errors.Is(err, jute.ErrCorrupt) {
			err = fmt.Errorf("%w: handshake: %w", ErrProtocol, err)
		}
		return nil, err
	}
	if err := readOnlyRefusal(frame); err != nil {
		return nil, err
	}
	resp := &jute.ConnectResponse{}
	if err := jute.Unmarshal(frame, resp); err != nil {
		return nil, fmt.Errorf("%w: handshake: %w", ErrProtocol, err)
	}
	resp.Passwd = append([]byte(nil), resp.Passwd...)
	return resp, nil
}

// runConn runs one established connection until it ends: it primes it
// (auth, then SetWatches), reports the state, starts the reader and writer,
// and on the way out fails every in-flight request.
func (c *Conn) runConn(ln *link, resp *jute.ConnectResponse) (moved *linkMove) {
	t := time.Duration(resp.TimeOut) * time.Millisecond
	ln.readTimeout = t * 2 / 3
	state := StateSyncConnected
	if resp.ReadOnly {
		state = StateConnectedReadOnly
	}
	c.mu.Lock()
	if c.deadErr != nil {
		c.mu.Unlock()
		ln.nc.Close()
		return nil
	}
	if resp.SessionID != 0 {
		c.sessionID = resp.SessionID
	}
	c.passwd, c.timeout, c.server = resp.Passwd, t, ln.host
	c.heard(ln.handshakeAt) // the server (re)attached the session on reading it
	c.mu.Unlock()
	c.cur.Store(ln)
	c.log.Info("zk: connected", "server", ln.host, "session", fmt.Sprintf("%#x", resp.SessionID),
		"timeout", t, "readOnly", resp.ReadOnly)

	auths, ok := c.admit(ln, state)
	if !ok {
		c.cur.Store(nil)
		return
	}
	c.prime(ln, auths)
	c.emitState(state, nil)
	if c.cfg.sasl != nil {
		c.emitState(StateSaslAuthenticated, nil)
	}
	c.mu.Lock()
	if c.phase == phaseDialing {
		if c.dialAuths = len(auths); c.dialAuths == 0 {
			c.setPhaseLocked(phaseLive) // Dial returns from here on
		} // else once the server accepted them (primedAuthAnswered)
	}
	c.mu.Unlock()

	// The writer runs on this goroutine (one goroutine fewer per session:
	// a process may hold a thousand idle ones); closing the Conn ends the
	// connection through a callback, not a waiting goroutine.
	stop := context.AfterFunc(c.stopCtx, func() { ln.fail(ErrClosed) })
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); c.readLoop(ln) }()
	if resp.ReadOnly {
		wg.Add(1)
		go func() { defer wg.Done(); c.probeRW(ln) }()
	}
	c.writeLoop(ln)
	ln.fail(ErrConnectionLoss) // no-op when the connection already failed, as the writer returns only then
	stop()
	wg.Wait()
	c.cur.Store(nil)
	c.refusals.linkEnded(ln)

	failErr := error(ErrConnectionLoss)
	dead := c.deadError()
	if dead != nil {
		failErr = dead
	}
	failAll(c.pend.Drain(), failErr)
	failAll(ln.auth.Drain(), failErr)
	c.watches.linkEnded() // no addWatch is in flight any more
	c.mu.Lock()
	closing := c.closing
	c.mu.Unlock()
	moved = ln.move.Load()
	if dead == nil && !closing && moved == nil {
		c.setState(StateDisconnected)
		c.log.Warn("zk: disconnected", "server", ln.host, "err", ln.err)
		c.emitState(StateDisconnected, ln.err)
	}
	return moved
}

// admit makes ln the session's connection in state, after the SASL
// exchange when WithSASL is set (it goes before anything else on the
// connection), and returns the credentials to prime it with. false: the
// exchange failed or the session ended meanwhile; ln is closed.
func (c *Conn) admit(ln *link, state State) ([]authCred, bool) {
	if c.cfg.sasl != nil && !c.authenticate(ln) {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.deadErr != nil { // Close (or expiry) came during the exchange
		ln.fail(c.deadErr)
		return nil, false
	}
	c.state = state
	c.ro.seenRW = c.ro.seenRW || state == StateSyncConnected
	return append([]authCred(nil), c.auths...), true
}

// prime writes, before any user request, every credential, then
// SetWatches for every watch, on a new connection. The writer has not
// started yet, so c.wbuf is free. Each SetWatches packet is written as
// soon as it is encoded, so the server works on one while the next is
// encoded, and the buffer stays one packet long (a hundred thousand
// watches are 20 packets, 2.5 MB).
func (c *Conn) prime(ln *link, auths []authCred) {
	buf := c.wbuf[:0]
	for i := range auths {
		pkt := jute.AuthPacket{Scheme: auths[i].scheme, Auth: auths[i].auth}
		buf = appendFrame(buf, jute.XidAuth, jute.OpAuth, &pkt)
		ln.auth.Push(nil)
	}
	reqs, dropped := c.watches.setWatchesRequests(c.lastZxid.Load())
	c.endUnrestorable(dropped)
	failed := false
	write := func() {
		if len(buf) > 0 && !failed {
			ln.nc.SetWriteDeadline(time.Now().Add(ln.readTimeout))
			if _, err := ln.nc.Write(buf); err != nil {
				ln.fail(err)
				failed = true
			}
		}
		buf = buf[:0]
	}
	for _, r := range reqs {
		buf = appendFrame(buf, r.xid, r.opcode, r.body)
		r.body = nil // its path lists can go; only the reply is matched
		c.pend.Push(r)
		write()
	}
	write() // the credentials, when there is no watch
	c.wbuf = buf
}

// appendFrame appends one request frame: length, header, body.
func appendFrame(b []byte, xid, opcode int32, body jute.Record) []byte {
	b, start := jute.BeginFrame(b)
	b = jute.AppendInt(b, xid)
	b = jute.AppendInt(b, opcode)
	if body != nil {
		b = body.Encode(b)
	}
	return jute.EndFrame(b, start)
}
