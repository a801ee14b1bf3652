package cache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkcurator/zkcurator/internal/listeners"
	"github.com/zkcurator/zkcurator/internal/queue"
	"github.com/zkcurator/zkcurator/recipes/internal/lifecycle"
	"github.com/zkcurator/zkcurator/zk"
)

// Retry delays after a failed read or addWatch.
const (
	minRetryDelay = 100 * time.Millisecond
	maxRetryDelay = 5 * time.Second
)

// engine is the machinery behind every cache kind: the cached tree, one
// goroutine (loop) that owns all mutable state but the store's readers'
// lock, a bounded read pipeline, and the watch (persistent, or one-shot
// callback watches, see oneShotWatch).
type engine struct {
	c    *zk.Client
	root string
	cfg  config
	st   *store
	disp *listeners.Bus[Event]
	// initDelivered is closed once the listeners have been handed
	// Initialized (after primed).
	initDelivered chan struct{}
	hideRoot      bool // ChildrenCache: no events for the root itself

	inbox    *queue.Queue[any]
	ctx      context.Context // ends on Close
	cancel   context.CancelFunc
	wg       sync.WaitGroup // loop, reads, addWatch calls
	life     sync.Mutex     // serializes start and close
	state    lifecycle.State
	primed   chan struct{} // closed once the first sweep published Initialized, or Start must fail
	initErr  error         // set before primed is closed
	unlisten func()
	modeSeen atomic.Int32 // mode, for Mode()

	// Owned by loop.
	mode        WatchMode // WatchAuto until decided, then WatchPersistent or WatchOneShot
	watcher     *zk.Watcher
	wch         <-chan zk.Event
	needWatch   bool
	addingWatch bool
	connected   bool
	initialized bool
	seq         uint64
	pending     map[string]*pstate
	pendingHigh int
	todo        queue.FIFO[readReq]
	inflight    int
	sweep       sweepState
	gen         uint32 // connection generation: grows on Suspended and Lost
	// confirmed is non-nil while the cache is unverified (see
	// engine.unverified): the paths read by a read issued in the current
	// connection generation.
	confirmed  map[string]struct{}
	retry      retryState
	clientGone bool // the client was closed: no more reads or retries
	oneshot    oneShotState
	// orphans: nodes read before their parent was cached, by parent path;
	// read again when the parent is cached (the parent's own read may have
	// been served before they existed, and then it lists nothing).
	orphans map[string][]string
	events  []Event // node events emitted under st.mu, published by flush
}

// sweepState is a sweep (a re-read of the whole subtree) in progress.
type sweepState struct {
	running bool
	ops     int    // sweep reads queued or in flight
	failed  bool   // a sweep read failed: no Initialized or Synced, retry
	again   bool   // another resync was asked for while running: sweep again after
	gen     uint32 // the connection generation it started in
}

// oneShotState is the one-shot watches of the fallback mode (servers
// before 3.6).
type oneShotState struct {
	epoch  uint32           // session epoch of the watches; grows on Lost
	dataW  map[string]int32 // data/exist watches set or being set, by path
	childW map[string]int32 // child watches set or being set, by path
	sink   *oneShotSink     // where the watches' callbacks send their events
}

// retryState is the retry of a failed sweep or addWatch, with exponential
// delays from minRetryDelay to maxRetryDelay.
type retryState struct {
	timer *time.Timer
	armed bool // timer is running
	delay time.Duration
}

// Loop messages.
type (
	msgStart    struct{}
	msgTimer    struct{}
	msgState    struct{ s zk.ConnectionState }
	msgWatchSet struct {
		w   *zk.Watcher
		err error
	}
	msgOneShot struct {
		reg watchReg
		ev  zk.Event
	}
)

func newEngine(c *zk.Client, root string, cfg config, hideRoot bool) *engine {
	ctx, cancel := context.WithCancel(context.Background())
	e := &engine{
		c: c, root: root, cfg: cfg, st: newStore(root), disp: listeners.New[Event](), initDelivered: make(chan struct{}), hideRoot: hideRoot,
		inbox: queue.New[any](), ctx: ctx, cancel: cancel, primed: make(chan struct{}),
		connected: true, confirmed: make(map[string]struct{}),
		pending: make(map[string]*pstate), orphans: make(map[string][]string),
		oneshot: oneShotState{dataW: make(map[string]int32), childW: make(map[string]int32), sink: &oneShotSink{}},
		retry:   retryState{delay: minRetryDelay},
	}
	e.oneshot.sink.e.Store(e)
	return e
}

// start launches the loop and waits for the first priming to finish.
func (e *engine) start(ctx context.Context) error {
	e.life.Lock()
	if err := e.state.Start(ErrStarted, ErrClosed); err != nil {
		e.life.Unlock()
		return err
	}
	e.unlisten = e.c.Listen(func(s zk.ConnectionState) { e.inbox.Push(msgState{s}) })
	e.wg.Add(1)
	go e.loop()
	e.inbox.Push(msgStart{})
	e.life.Unlock()
	select {
	case <-e.primed:
	case <-ctx.Done():
		return fmt.Errorf("cache %q: start: %w", e.root, ctx.Err())
	case <-e.ctx.Done():
		return ErrClosed
	}
	if e.initErr != nil {
		return e.initErr
	}
	// Return once the listeners have been handed every event up to
	// Initialized.
	select {
	case <-e.initDelivered:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cache %q: start: %w", e.root, ctx.Err())
	case <-e.ctx.Done():
		return ErrClosed
	}
}

// listen adds a listener; a nil f is ignored (nothing to call).
func (e *engine) listen(f func(Event)) (unsubscribe func()) {
	if f == nil {
		return func() {}
	}
	return e.disp.Listen(f)
}

// close stops everything the engine started and waits for it.
func (e *engine) close() error {
	e.life.Lock()
	defer e.life.Unlock()
	if e.state.Close() == lifecycle.Closed {
		return nil
	}
	if e.unlisten != nil {
		e.unlisten()
	}
	e.cancel()
	e.oneshot.sink.e.Store(nil) // the Conn may keep unfired watches: they must not keep the tree
	e.wg.Wait()
	e.inbox.Close()
	var err error
	if e.watcher != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = e.watcher.Remove(ctx)
		cancel()
		if errors.Is(err, zk.ErrClosed) || errors.Is(err, context.DeadlineExceeded) ||
			errors.Is(err, zk.ErrConnectionLoss) || errors.Is(err, zk.ErrSessionExpired) {
			err = nil // the session's end removes it anyway
		}
	}
	e.disp.Stop() // events not yet delivered are dropped
	return err
}

func (e *engine) loop() {
	defer e.wg.Done()
	defer func() {
		if e.retry.timer != nil {
			e.retry.timer.Stop()
		}
	}()
	for {
		e.pump()
		select {
		case <-e.ctx.Done():
			return
		case <-e.inbox.Ready():
			for i := 0; ; i++ {
				m, ok, _ := e.inbox.TryPop()
				if !ok {
					break
				}
				e.handle(m)
				if i%64 == 63 {
					e.pump() // keep the pipeline full while draining
				}
			}
		case ev, ok := <-e.wch:
			if !ok {
				e.wch = nil
				e.watcherEnded()
				continue
			}
			e.onWatchEvent(ev)
		}
	}
}

func (e *engine) handle(m any) {
	switch m := m.(type) {
	case msgStart:
		if e.cfg.mode == WatchOneShot {
			e.setMode(WatchOneShot)
			e.beginSweep()
			return
		}
		e.needWatch = true
		e.setWatch()
	case msgState:
		e.onState(m.s)
	case msgWatchSet:
		e.onWatchSet(m.w, m.err)
	case msgResult:
		e.onResult(m)
	case msgOneShot:
		e.onOneShot(m.reg, m.ev)
	case msgTimer:
		e.retry.armed = false
		if e.connected {
			e.resync()
		}
	}
}

func (e *engine) onState(s zk.ConnectionState) {
	switch s {
	case zk.Suspended:
		e.connected = false
		e.newGen()
		e.disp.Publish(Event{Type: Suspended})
	case zk.Lost:
		e.connected = false
		e.newGen()
		e.disp.Publish(Event{Type: Lost})
		// Every watch of the old session is gone.
		e.oneshot.epoch++
		e.oneshot.dataW, e.oneshot.childW = make(map[string]int32), make(map[string]int32)
		if e.mode != WatchOneShot {
			e.watcher, e.wch = nil, nil
			e.needWatch = true
		}
	case zk.Reconnected, zk.ReadOnly:
		e.connected = true
		e.disp.Publish(Event{Type: Reconnected})
		e.resync()
	}
}

func (e *engine) setMode(m WatchMode) {
	e.mode = m
	e.modeSeen.Store(int32(m))
}

// resync brings the cache to the server's state: it sets the persistent
// watch again if it is gone, then re-reads the subtree.
func (e *engine) resync() {
	if e.mode == WatchAuto && !e.addingWatch && !e.needWatch {
		return // not decided yet and nothing to do (cannot happen after msgStart)
	}
	if e.mode != WatchOneShot && e.needWatch {
		e.setWatch()
		return
	}
	e.beginSweep()
}

// setWatch adds the persistent watch in the background; onWatchSet
// continues.
func (e *engine) setWatch() {
	if e.addingWatch {
		return
	}
	e.addingWatch = true
	mode := zk.AddWatchPersistentRecursive
	if e.cfg.maxDepth == 0 {
		mode = zk.AddWatchPersistent
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		w, err := e.c.AddWatch(e.ctx, e.root, mode)
		e.inbox.Push(msgWatchSet{w, err})
	}()
}

func (e *engine) onWatchSet(w *zk.Watcher, err error) {
	e.addingWatch = false
	switch {
	case err == nil:
		e.watcher, e.wch, e.needWatch = w, w.Events(), false
		e.setMode(WatchPersistent)
		e.beginSweep()
	case errors.Is(err, zk.ErrUnimplemented) && e.cfg.mode == WatchAuto:
		// ZooKeeper < 3.6: one-shot watches per node from now on.
		e.needWatch = false
		e.setMode(WatchOneShot)
		e.beginSweep()
	case errors.Is(err, zk.ErrUnimplemented):
		e.failStart(fmt.Errorf("cache %q: persistent watch: %w", e.root, err))
	case e.stopping(err):
	default:
		e.disp.Publish(Event{Type: Error, Path: e.root, Err: err})
		e.scheduleRetry()
	}
}

// watcherEnded handles the end of the current persistent watch outside a
// session loss (which onState handles).
func (e *engine) watcherEnded() {
	if e.watcher == nil {
		return
	}
	e.watcher, e.needWatch = nil, true
	if e.connected {
		e.setWatch()
	}
}

func (e *engine) failStart(err error) {
	e.disp.Publish(Event{Type: Error, Path: e.root, Err: err})
	if !e.initialized {
		e.initialized = true
		e.initErr = err
		close(e.primed)
	}
}

// stopping reports whether err only says the cache or the client is
// closing. A closed client ends the cache's work for good: a Start still
// waiting fails at once with an error wrapping zk.ErrClosed, and nothing
// is retried.
func (e *engine) stopping(err error) bool {
	if e.ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return true
	}
	if !errors.Is(err, zk.ErrClosed) {
		return false
	}
	if !e.clientGone {
		e.clientGone = true
		e.failStart(fmt.Errorf("cache %q: start: %w", e.root, err))
	}
	return true
}

func (e *engine) scheduleRetry() {
	if e.retry.armed || e.clientGone || e.ctx.Err() != nil {
		return
	}
	e.retry.armed = true
	d := e.retry.delay
	e.retry.delay = min(2*e.retry.delay, maxRetryDelay)
	if e.retry.timer == nil {
		e.retry.timer = time.AfterFunc(d, func() { e.inbox.Push(msgTimer{}) })
	} else {
		e.retry.timer.Reset(d)
	}
}

// beginSweep starts re-reading the whole subtree, or notes that another
// sweep must follow the one running.
func (e *engine) beginSweep() {
	if e.sweep.running {
		e.sweep.again = true
		return
	}
	e.sweep.running, e.sweep.failed, e.sweep.gen = true, false, e.gen
	e.enqueue(e.root, readData, true)
}

// sweepOpDone counts one sweep read applied and finishes the sweep after
// the last.
func (e *engine) sweepOpDone() {
	e.sweep.ops--
	if e.sweep.ops > 0 {
		return
	}
	e.sweep.running = false
	switch {
	case e.sweep.again:
		e.sweep.again = false
		e.resync()
	case e.sweep.gen != e.gen:
		// Disconnected meanwhile: Reconnected starts the next sweep.
	case e.sweep.failed:
		e.scheduleRetry()
	case !e.initialized:
		e.verified()
		e.initialized = true
		// A listener subscribed last, just before Initialized is published,
		// is handed Initialized after every earlier listener.
		var unsubscribe func()
		unsubscribe = e.disp.Listen(func(ev Event) {
			if ev.Type == Initialized {
				close(e.initDelivered)
				unsubscribe()
			}
		})
		e.disp.Publish(Event{Type: Initialized})
		close(e.primed)
	default:
		e.verified()
		e.disp.Publish(Event{Type: Synced})
	}
}

// newGen starts a connection generation: events may be missed from now
// until a sweep of the new generation completes.
func (e *engine) newGen() {
	e.gen++
	e.confirmed = make(map[string]struct{})
}

// verified ends an unverified period after a complete sweep.
func (e *engine) verified() {
	e.retry.delay = minRetryDelay
	e.confirmed = nil
	if len(e.orphans) > 0 {
		// The sweep read every parent that exists (and its children).
		e.orphans = make(map[string][]string)
	}
}

// inScope reports whether path belongs in the cache: the root, or a
// descendant within the depth limit accepted by the filter (with all its
// ancestors below the root).
func (e *engine) inScope(path string) bool {
	if path == e.root {
		return true
	}
	var rel string
	if e.root == "/" {
		if len(path) < 2 || path[0] != '/' {
			return false
		}
		rel = path
	} else {
		if !strings.HasPrefix(path, e.root) || len(path) <= len(e.root) || path[len(e.root)] != '/' {
			return false
		}
		rel = path[len(e.root):]
	}
	if d := strings.Count(rel, "/"); e.cfg.maxDepth >= 0 && d > e.cfg.maxDepth {
		return false
	}
	if e.cfg.filter == nil {
		return true
	}
	base := len(path) - len(rel)
	for i := 1; i <= len(rel); i++ {
		if i == len(rel) || rel[i] == '/' {
			if !e.cfg.filter(path[:base+i]) {
				return false
			}
		}
	}
	return true
}

// atMaxDepth reports whether path's children are out of scope.
func (e *engine) atMaxDepth(path string) bool {
	if e.cfg.maxDepth < 0 {
		return false
	}
	if path == e.root {
		return e.cfg.maxDepth == 0
	}
	rel := path[len(e.root):]
	if e.root == "/" {
		rel = path
	}
	return strings.Count(rel, "/") >= e.cfg.maxDepth
}

// unverified reports that watch events may have been missed (before the
// first priming completes, or since Suspended/Lost) and no sweep has
// completed since. Then a read may only add or re-create a node whose parent
// is confirmed: read by a read issued in the current connection generation
// — a parent cached before may be an incarnation deleted while we were
// away.
func (e *engine) unverified() bool { return e.confirmed != nil }

// emit queues a node event with n's current state; flush publishes it.
// Caller holds st.mu (see engine.locked).
func (e *engine) emit(t EventType, n *node) {
	if e.hideRoot && n.path == e.root {
		return
	}
	e.events = append(e.events, Event{Type: t, Path: n.path, Data: n.data, Stat: n.st.expand()})
}

// flush publishes the events emit queued, in order.
func (e *engine) flush() {
	for _, ev := range e.events {
		e.disp.Publish(ev)
	}
	clear(e.events)
	e.events = e.events[:0]
}
