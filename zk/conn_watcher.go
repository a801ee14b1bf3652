package zk

import (
	"context"
	"errors"
	"sync"

	"github.com/zkcurator/zkcurator/internal/queue"
	"github.com/zkcurator/zkcurator/jute"
)

// Watcher is a persistent (or persistent-recursive) watch set by AddWatch
// or AddWatchFunc. It stays registered across reconnects until Remove,
// session expiry or Close.
type Watcher struct {
	c     *Conn
	path  string // client path
	spath string // server path
	mode  AddWatchMode
	next  *Watcher // the next watcher of the registry's list for the same path and mode (registry's mu)

	fn      func(Event) // AddWatchFunc: called on the event goroutine; nil for AddWatch
	fnEnded bool        // AddWatchFunc: the final event was delivered (event goroutine only)

	*watchPump // AddWatch: the channel and the queue behind it; nil for AddWatchFunc
}

// watchPump is what a channel-form Watcher needs to hand its events to a
// reader of any speed: the channel, an unbounded queue and the state of
// the goroutine that moves events from one to the other.
type watchPump struct {
	ch chan Event

	mu      sync.Mutex
	q       queue.FIFO[Event]
	ended   bool // the final event has been queued
	started bool // registered: queued events are pumped to ch
	running bool // a pump goroutine runs (only while events are queued)
}

// newWatcher returns the Watcher of AddWatch (fn nil: events go to a
// channel) or of AddWatchFunc (events are passed to fn).
func newWatcher(c *Conn, path, spath string, mode AddWatchMode, fn func(Event)) *Watcher {
	w := &Watcher{c: c, path: path, spath: spath, mode: mode, fn: fn}
	if fn == nil {
		w.watchPump = &watchPump{ch: make(chan Event, 1)}
	}
	return w
}

// Path returns the watched path (relative to the chroot).
func (w *Watcher) Path() string { return w.path }

// Mode returns the watch mode.
func (w *Watcher) Mode() AddWatchMode { return w.mode }

// Events returns the channel the watch's events arrive on, in server order.
// An unbounded queue stands behind it: a slow reader never blocks the Conn.
// The channel is closed after the watch ends (Remove, session expiry, or
// RemoveWatches); its last event then has Type EventNotWatching (Err says
// why: nil after a removal, ErrSessionExpired, ErrClosed). After Conn.Close
// the channel is closed promptly and events not yet received may be dropped.
// A Watcher of AddWatchFunc has no channel: Events returns nil.
func (w *Watcher) Events() <-chan Event {
	if w.watchPump == nil {
		return nil
	}
	return w.ch
}

// Remove removes the watch. Unless another persistent watch of the same
// mode remains on the path, the server's watches of the path are removed
// too (removeWatches, type Any: before ZooKeeper 3.9 a session has one
// watch per path and table), and the other watches this session keeps on
// the path (one-shot watches, a persistent watch of the other mode) are
// set again on the server at once, relative to the removal: a one-shot
// watch set under this one still fires on the next change, even one made
// in between. The watch ends locally even if the server call fails; that
// error is returned (the watches left are then restored with the next
// connection).
func (w *Watcher) Remove(ctx context.Context) error {
	found, server := w.c.watches.removeWatcher(w)
	if !found {
		return nil
	}
	w.c.events.Push(eventItem{ev: Event{Type: EventNotWatching, State: w.c.State(), Path: w.path},
		watchers: []*Watcher{w}, final: true})
	if !server {
		return nil
	}
	err := w.c.removeWatchesResync(ctx, w.spath)
	if errors.Is(err, ErrNoWatcher) {
		err = nil
	}
	return wrapErr("removeWatch", w.path, err)
}

// start marks the watch registered (called by the reader when the server
// accepted it): from now on queued events are pumped to ch.
func (w *Watcher) start() {
	if w.watchPump == nil {
		return // AddWatchFunc: nothing queues
	}
	w.mu.Lock()
	w.started = true
	launch := w.q.Len() > 0 && !w.running
	w.running = w.running || launch
	w.mu.Unlock()
	if launch {
		w.launch()
	}
}

// launch starts a pump goroutine (w.running was set by the caller), unless
// the Conn has stopped its pumps: then the watcher ends at once.
//
// A pump runs only while events are queued, so an idle watch costs no
// goroutine: 100,000 persistent watches would otherwise hold 100,000
// parked goroutines and their stacks.
func (w *Watcher) launch() {
	c := w.c
	c.pumpMu.Lock()
	defer c.pumpMu.Unlock()
	select {
	case <-c.pumpsStop:
		w.stopped(nil)
		return
	default:
	}
	c.pumpWG.Add(1)
	go w.pump()
}

// enqueue adds ev to the queue (event goroutine) and starts a pump if none
// runs; for AddWatchFunc it calls the callback instead. Events after the
// final one are dropped.
func (w *Watcher) enqueue(ev Event, final bool) {
	if w.watchPump == nil {
		if !w.fnEnded {
			w.fnEnded = final
			w.fn(ev)
		}
		return
	}
	w.mu.Lock()
	if w.ended {
		w.mu.Unlock()
		return
	}
	w.q.Push(ev)
	w.ended = final
	started := w.started
	launch := started && !w.running
	w.running = w.running || launch
	w.mu.Unlock()
	if !started && final {
		// Never started (the Conn stopped pumps first): deliver what fits.
		w.closeNow()
		return
	}
	if launch {
		w.launch()
	}
}

// closeNow puts the last queued event in the channel if there is room and
// closes it. Used when no pump runs.
func (w *Watcher) closeNow() {
	w.mu.Lock()
	last, ok := w.q.Last()
	w.q.Drain()
	w.mu.Unlock()
	w.finish(last, ok)
}

// finish puts final in the channel, if ok and there is room, and closes
// the channel.
func (w *Watcher) finish(final Event, ok bool) {
	if ok {
		select {
		case w.ch <- final:
		default:
		}
	}
	close(w.ch)
}

func (w *Watcher) pump() {
	c := w.c
	defer c.pumpWG.Done()
	for {
		w.mu.Lock()
		if w.q.Len() == 0 {
			ended := w.ended
			w.running = ended // an ended watch never pumps again
			w.mu.Unlock()
			if ended {
				close(w.ch)
			}
			return // the next enqueue starts another pump
		}
		ev, _ := w.q.Pop()
		w.mu.Unlock()
		select {
		case w.ch <- ev:
		case <-c.pumpsStop:
			w.stopped(&ev)
			return
		}
	}
}

// stopped ends the watcher when the Conn closes: events not received are
// dropped, except that the final event is put in the channel if there is
// room. pending is the event the pump had taken from the queue, if any: it
// is the final one when the queue is now empty.
func (w *Watcher) stopped(pending *Event) {
	w.mu.Lock()
	final, ok := w.q.Last()
	if !ok && pending != nil {
		final, ok = *pending, true
	}
	ok = ok && w.ended
	w.q.Drain()
	w.ended = true
	w.mu.Unlock()
	w.finish(final, ok)
}

// removeWatchesServer sends removeWatches for a server path.
func (c *Conn) removeWatchesServer(ctx context.Context, spath string, typ WatcherType) error {
	body := &jute.RemoveWatchesRequest{Path: spath, Type: int32(typ)}
	r := newRequest(jute.OpRemoveWatches, body, nil)
	return c.do(ctx, r)
}
