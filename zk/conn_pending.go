package zk

import (
	"sync"
	"sync/atomic"

	"github.com/zkcurator/zkcurator/internal/queue"
	"github.com/zkcurator/zkcurator/jute"
)

// A request's life: waiting (queued or in flight), then either done (the
// reader or a failure path completed it and signalled done) or abandoned
// (the caller's context ended first). Exactly one CAS out of reqWaiting
// decides who owns the request afterwards.
const (
	reqWaiting uint32 = iota
	reqDone
	reqAbandoned
)

// request is one packet the Conn sends. Requests are pooled: a caller that
// received its result puts it back; an abandoned request is left to the GC,
// since the reader may still hold it.
type request struct {
	xid    int32       // assigned by the writer (normal requests)
	opcode int32       // jute.Op*
	body   jute.Record // request body, nil for none
	resp   jute.Record // reply body to decode into, nil for none

	watch *watchReg // watch to register when the reply allows it
	auth  *authCred // credential to remember once the server accepts it

	internal bool // sent by the Conn itself (SetWatches, priming auth): no waiter

	fut *asyncCall // the future that owns r (the asynchronous API), else nil

	state atomic.Uint32
	done  chan struct{} // cap 1; signalled once when state becomes reqDone (nil when fut is set)
	err   error         // result, valid after done
	zxid  int64         // zxid of the reply

	sentAt int64 // Conn.monoNow() just before it was written; 0 if never
}

var requestPool = sync.Pool{New: func() any { return &request{done: make(chan struct{}, 1)} }}

func newRequest(opcode int32, body, resp jute.Record) *request {
	r := requestPool.Get().(*request)
	r.opcode, r.body, r.resp = opcode, body, resp
	return r
}

// release returns a completed request to the pool. Only the caller that
// received from done may call it.
func (r *request) release() {
	r.xid, r.opcode, r.body, r.resp = 0, 0, nil, nil
	r.watch, r.auth, r.internal, r.fut = nil, nil, false, nil
	r.err, r.zxid, r.sentAt = nil, 0, 0
	r.state.Store(reqWaiting)
	requestPool.Put(r)
}

// abandoned reports whether the caller has given up on r. For a future's
// request it first checks the future's ctx: nobody may be waiting to see
// it end.
func (r *request) abandoned() bool {
	if r.fut != nil {
		r.fut.ctxEnded()
	}
	return r.state.Load() == reqAbandoned
}

// claim takes ownership of r's completion away from the caller's context:
// it returns false when r is internal or was abandoned, in which case the
// result must be dropped. After a successful claim, set the result and call
// wake exactly once.
func (r *request) claim() bool {
	return !r.internal && r.state.CompareAndSwap(reqWaiting, reqDone)
}

// wake signals the waiting caller (or completes r's future); r must not
// be touched afterwards.
func (r *request) wake() {
	if r.fut != nil {
		r.fut.replied()
		return
	}
	r.done <- struct{}{}
}

// complete records the result and wakes the caller, unless r is internal or
// abandoned. It reports whether the caller got the result.
func (r *request) complete(err error, zxid int64) bool {
	if !r.claim() {
		return false
	}
	r.err, r.zxid = err, zxid
	r.wake()
	return true
}

// outQueue holds requests not yet written. It outlives connections: requests
// queued while disconnected are written by the next connection's writer.
type outQueue struct {
	mu     sync.Mutex
	q      queue.FIFO[*request]
	err    error         // once set, push fails with it (session dead or closing)
	signal chan struct{} // cap 1: "something was queued"
}

func newOutQueue() *outQueue { return &outQueue{signal: make(chan struct{}, 1)} }

// push queues r unless the queue has been shut with an error.
func (o *outQueue) push(r *request) error { return o.add(r, nil, nil) }

// pushAll queues rs back to back (nothing can come between them), or
// none of them when the queue has been shut.
func (o *outQueue) pushAll(rs []*request) error { return o.add(nil, rs, nil) }

// pushLast queues r and shuts the queue with err in one step, so nothing
// can be queued behind r (closeSession).
func (o *outQueue) pushLast(r *request, err error) error { return o.add(r, nil, err) }

// add queues r (if not nil) then rs, and shuts the queue with shut (if not
// nil), all in one step; or does nothing and returns the error the queue
// was shut with.
func (o *outQueue) add(r *request, rs []*request, shut error) error {
	o.mu.Lock()
	if err := o.err; err != nil {
		o.mu.Unlock()
		return err
	}
	if r != nil {
		o.q.Push(r)
	}
	o.q.PushAll(rs)
	if shut != nil {
		o.err = shut
	}
	o.mu.Unlock()
	o.notify()
	return nil
}

func (o *outQueue) notify() {
	select {
	case o.signal <- struct{}{}:
	default:
	}
}

// take moves every queued request to dst.
func (o *outQueue) take(dst []*request) []*request {
	o.mu.Lock()
	dst = o.q.TakeAll(dst)
	o.mu.Unlock()
	return dst
}

// shut makes later pushes fail with err (the first error set wins unless
// force) and returns the requests still queued, for the caller to fail.
func (o *outQueue) shut(err error, force bool) []*request {
	o.mu.Lock()
	if o.err == nil || force {
		o.err = err
	}
	q := o.q.Drain()
	o.mu.Unlock()
	return q
}

// failAll completes every request in rs with err.
func failAll(rs []*request, err error) {
	for _, r := range rs {
		if r != nil {
			r.complete(err, 0)
		}
	}
}

// authCred is a credential sent with AddAuth or WithAuth, re-sent on every
// reconnect.
type authCred struct {
	scheme string
	auth   []byte
}
