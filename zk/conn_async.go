package zk

import (
	"bufio"
	"context"
	"encoding/binary"
	"sync/atomic"

	"github.com/zkcurator/zkcurator/jute"
)

// The asynchronous API: GetAsync, SetAsync, CreateAsync, DeleteAsync,
// ExistsAsync and ChildrenAsync queue their request and return a future
// at once; the future's Result blocks until the reply. One goroutine can
// so keep many requests in flight without a goroutine per request (see
// the package doc, "Asynchronous calls").
//
// A future owns its request for its whole life (it is not pooled: the
// caller may read the result any number of times, or never). Completion
// costs no channel operation unless someone is waiting: the reader (or a
// failure path) sets the result and marks the future done; a channel is
// made only by a Done or Result call that finds the future not done yet,
// and that channel is closed on completion. A consumer that reads results
// in order parks only when the oldest future is not done yet, and since
// replies arrive in batches, one wake-up then serves all those that
// completed meanwhile.

// asyncWaiter is the channel a waiting Done or Result call parks on.
type asyncWaiter struct{ ch chan struct{} }

// asyncFired marks a done future in asyncCall.w (closedChan, of
// client_delete.go, is a closed channel).
var asyncFired = &asyncWaiter{ch: closedChan}

// asyncCall is the core of every future: its request, the op and path its
// errors are wrapped with, and its completion state.
type asyncCall struct {
	r        request
	op, path string
	early    error // the error the call failed with before queueing (already wrapped)

	// w is nil while nobody waits, a waiter once Done or Result is
	// waiting, asyncFired once done. The result (r.err, r.resp) is
	// written before w becomes asyncFired and read after.
	w atomic.Pointer[asyncWaiter]

	ctx     context.Context // the call's ctx when it can end, else nil
	ctxDone <-chan struct{} // ctx.Done(), nil when ctx cannot end
}

// fire marks a done and wakes whoever waits. Called exactly once, by the
// goroutine that moved r out of reqWaiting.
func (a *asyncCall) fire() {
	if w := a.w.Swap(asyncFired); w != nil && w != asyncFired {
		close(w.ch)
	}
}

// fireDeferred is fire on the reader goroutine, for a reply: a waiter's
// channel is not closed at once but added to wakes, which the reader
// closes before it next blocks on a read (link.flushWakes). A consumer
// that waits for results in order then wakes once for all the replies
// one read brought, instead of once per reply.
func (a *asyncCall) fireDeferred(wakes *[]chan struct{}) {
	if w := a.w.Swap(asyncFired); w != nil && w != asyncFired {
		*wakes = append(*wakes, w.ch)
	}
}

// wakeReply wakes the caller of r, claimed by the reader and given its
// result: at once for a blocking call, deferred for a future.
func (ln *link) wakeReply(r *request) {
	if r.fut != nil {
		r.fut.fireDeferred(&ln.wakes)
		return
	}
	r.wake()
}

// maxDeferredFrames bounds how many frames the reader reads before it
// wakes the waiters of futures it completed, even when more replies are
// buffered.
const maxDeferredFrames = 64

// flushWakesBeforeBlocking wakes the deferred waiters unless the next
// frame is already whole in br (reading it cannot block) and fewer than
// maxDeferredFrames frames were read since the last wake-up. k counts the
// frames read.
func (ln *link) flushWakesBeforeBlocking(br *bufio.Reader, k int) {
	if len(ln.wakes) == 0 {
		return
	}
	if n := br.Buffered(); n >= 4 && k%maxDeferredFrames != 0 {
		if b, err := br.Peek(4); err == nil && int64(n-4) >= int64(binary.BigEndian.Uint32(b)) {
			return
		}
	}
	ln.flushWakes()
}

// flushWakes closes the deferred waiters' channels.
func (ln *link) flushWakes() {
	for i, ch := range ln.wakes {
		close(ch)
		ln.wakes[i] = nil
	}
	ln.wakes = ln.wakes[:0]
}

// replied is the completion hook of a.r (request.wake): the reader or a
// failure path claimed a.r and set its result.
func (a *asyncCall) replied() { a.fire() }

// ctxEnded abandons a if its ctx has ended; the writer (before sending
// a.r) and the reader (before decoding its reply) ask, through
// request.abandoned, so a request whose ctx ended while nobody waited
// is not sent, or its reply is not decoded.
func (a *asyncCall) ctxEnded() {
	if a.ctxDone == nil {
		return
	}
	select {
	case <-a.ctxDone:
		a.abandon()
	default:
	}
}

// abandon gives up on a's request when its ctx has ended, as a blocking
// call's caller does (a late reply is discarded; a request not yet
// written is never sent) and completes a with ctx's error, unless a
// completed first.
func (a *asyncCall) abandon() {
	if a.r.state.CompareAndSwap(reqWaiting, reqAbandoned) {
		a.r.err = a.ctx.Err()
		a.fire()
	}
}

// done returns a channel closed once a is done.
func (a *asyncCall) done() <-chan struct{} {
	w := a.w.Load()
	if w == nil {
		nw := &asyncWaiter{ch: make(chan struct{})}
		if a.w.CompareAndSwap(nil, nw) {
			return nw.ch
		}
		w = a.w.Load() // done meanwhile, or another waiter's channel
	}
	return w.ch
}

// isDone reports whether a is done, without blocking.
func (a *asyncCall) isDone() bool { return a.w.Load() == asyncFired }

// wait blocks until a is done, or its ctx ends (then it abandons the
// request), and returns its error, wrapped with op and path as the
// blocking calls wrap theirs.
func (a *asyncCall) wait() error {
	if !a.isDone() {
		if a.ctxDone == nil {
			<-a.done()
		} else {
			select {
			case <-a.done():
			case <-a.ctxDone:
				a.abandon()
				<-a.done() // abandoned now, or completed concurrently
			}
		}
	}
	if a.early != nil {
		return a.early
	}
	return wrapErr(a.op, a.path, a.r.err)
}

// failEarly completes a, not yet queued, with err (already wrapped).
func (a *asyncCall) failEarly(err error) {
	a.early = err
	a.r.state.Store(reqDone)
	a.fire()
}

// start fills in a's request and queues it, or completes a at once with
// the error that stops it: no Conn, ctx already ended, a request over the
// size limit, an op the server refused before, a closed Conn — the same
// checks, and the same errors, as the blocking calls.
func (c *Conn) start(ctx context.Context, a *asyncCall, op, path string, opcode int32, body, resp jute.Record) {
	a.op, a.path = op, path
	r := &a.r
	r.opcode, r.body, r.resp, r.fut = opcode, body, resp, a
	if err := c.precheck(ctx, r); err != nil {
		a.failEarly(wrapErr(op, path, err))
		return
	}
	if done := ctx.Done(); done != nil {
		a.ctx, a.ctxDone = ctx, done
	}
	if err := c.out.push(r); err != nil {
		a.failEarly(wrapErr(op, path, err))
	}
}

// precheck returns the error a request fails with before it is queued
// (the blocking path's checks), nil when it may be queued.
func (c *Conn) precheck(ctx context.Context, r *request) error {
	if c.out == nil {
		return errNotDialed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.tooLarge(r.body); err != nil {
		return err
	}
	return c.refusedBefore(r.opcode)
}
