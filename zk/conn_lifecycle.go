package zk

import (
	"time"

	"github.com/zkcurator/zkcurator/jute"
)

// The end of a Conn: its session dies (expiry, failed authentication, Close)
// and Close shuts its goroutines down.

// die ends the session for good: later calls fail with err, queued
// requests fail with err, every watch gets EventNotWatching, and the state
// event is emitted. The current connection is dropped; the session loop
// fails in-flight requests with err and exits. Safe from any goroutine.
func (c *Conn) die(err error, s State) {
	c.mu.Lock()
	first := c.phase != phaseDead
	if first {
		c.deadErr = err
		c.setPhaseLocked(phaseDead)
	}
	if first || s == StateClosed {
		c.state = s
	}
	c.mu.Unlock()
	failAll(c.out.shut(err, s == StateClosed), err)
	if !first {
		if s == StateClosed {
			c.emitState(StateClosed, err)
		}
		return
	}
	c.emitState(s, err)
	os, paths, ws := c.watches.drain()
	if len(os) > 0 || len(ws) > 0 {
		for i, sp := range paths {
			paths[i] = stripChroot(c.chroot, sp)
		}
		c.events.Push(eventItem{ev: Event{Type: EventNotWatching, State: s, Err: err},
			oneshots: os, paths: paths, watchers: ws, final: true})
	}
	c.dropConn(err)
}

// dropConn ends the current connection, if any, with cause err.
func (c *Conn) dropConn(err error) {
	ln := c.cur.Load()
	if ln != nil {
		ln.fail(err)
	}
}

// Close ends the session: it sends closeSession and waits for the reply,
// so the server has deleted the session's ephemeral nodes when Close
// returns. The wait is bounded by the close timeout (WithCloseTimeout,
// default 2s) and by the read timeout (2/3 of the negotiated session
// timeout), whichever is shorter: a silent server cannot hold Close up.
// When the bound passes first, the session is left to expire on the
// server. Requests written before it are answered by the server; anything
// else still waiting gets ErrClosed. Every watch ends (EventNotWatching with
// ErrClosed) and every goroutine of the Conn has ended when Close returns.
// Later calls fail with ErrClosed. Close is idempotent and returns nil.
//
// Close waits for the event goroutine, so it must not be called from the
// event handler (WithEventHandler); call it from another goroutine.
func (c *Conn) Close() error {
	if c.out == nil {
		return nil // a zero Conn: nothing to close
	}
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		<-c.closed
		return nil
	}
	c.closing = true
	alive := c.phase == phaseLive
	wait := c.timeout * 2 / 3
	c.mu.Unlock()

	if alive {
		if wait <= 0 {
			wait = c.cfg.sessionTimeout * 2 / 3
		}
		wait = min(wait, c.cfg.closeTimeout)
		r := newRequest(jute.OpCloseSession, nil, nil)
		if err := c.out.pushLast(r, ErrClosed); err == nil {
			t := time.NewTimer(wait)
			select {
			case <-r.done:
				r.release()
			case <-t.C:
				r.state.CompareAndSwap(reqWaiting, reqAbandoned)
			case <-c.dead:
				r.state.CompareAndSwap(reqWaiting, reqAbandoned)
			}
			t.Stop()
		}
	}
	c.shutdown()
	return nil
}

// closeNoSession ends a Conn without sending closeSession: its Dial gave
// up, or its Client has declared the session Lost.
func (c *Conn) closeNoSession() {
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		<-c.closed
		return
	}
	c.closing = true
	c.mu.Unlock()
	c.shutdown()
}

func (c *Conn) shutdown() {
	c.die(ErrClosed, StateClosed)
	c.stopCancel()
	<-c.loopDone
	c.events.Close()
	c.wg.Wait()
	c.pumpMu.Lock()
	close(c.pumpsStop)
	c.pumpMu.Unlock()
	c.pumpWG.Wait()
	close(c.closed) // once: Close and closeNoSession call shutdown only when they set closing
}

// phase is how far a Conn's session got. It only moves forward:
// phaseDialing to phaseLive, phaseDialFailed or phaseDead, and on to
// phaseDead (Close, expiry, failed authentication).
type phase uint8

const (
	phaseDialing    phase = iota // Dial waits for the first session
	phaseLive                    // a session was established (it may be disconnected now)
	phaseDialFailed              // Dial must give up at once (dialErr)
	phaseDead                    // the session ended for good (deadErr)
)

// setPhaseLocked moves the lifecycle to p and closes the channels that
// announce it. Caller holds mu; p is later than the current phase.
func (c *Conn) setPhaseLocked(p phase) {
	if c.phase == phaseDialing {
		close(c.dialed)
	}
	if p == phaseDead {
		close(c.dead)
	}
	c.phase = p
}
