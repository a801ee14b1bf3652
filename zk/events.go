package zk

import "sync"

// eventItem is one event and where it goes. Routing is decided by the
// reader goroutine when the notification arrives (so it is consistent with
// watch registrations made by earlier replies); delivery happens on the
// event goroutine.
type eventItem struct {
	ev       Event
	oneshots []*oneShot // each gets ev, with its own client path
	watchers []*Watcher // each gets ev queued
	final    bool       // ev is the watchers' last event: end them
	handler  bool       // pass ev to the event handler
}

// eventQueue is the unbounded queue between the producers (reader, session
// loop, callers removing watches) and the event goroutine, so a slow handler
// never blocks the reader or pings.
type eventQueue struct {
	mu     sync.Mutex
	q      []eventItem
	closed bool
	signal chan struct{} // cap 1
}

func newEventQueue() *eventQueue { return &eventQueue{signal: make(chan struct{}, 1)} }

func (e *eventQueue) push(it eventItem) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return
	}
	e.q = append(e.q, it)
	e.mu.Unlock()
	select {
	case e.signal <- struct{}{}:
	default:
	}
}

// close makes the event goroutine exit once it has delivered what is queued.
func (e *eventQueue) close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	select {
	case e.signal <- struct{}{}:
	default:
	}
}

// take moves the queued items to dst; closed reports that nothing more will
// ever be queued.
func (e *eventQueue) take(dst []eventItem) (items []eventItem, closed bool) {
	e.mu.Lock()
	dst = append(dst, e.q...)
	clear(e.q)
	e.q = e.q[:0]
	closed = e.closed
	e.mu.Unlock()
	return dst, closed
}

// eventLoop is the Conn's single event goroutine: it delivers session-state
// events and watch events in the order they were queued.
func (c *Conn) eventLoop() {
	defer c.wg.Done()
	var items []eventItem
	for {
		var closed bool
		items, closed = c.events.take(items[:0])
		for i := range items {
			c.deliver(&items[i])
		}
		clear(items)
		if len(items) == 0 {
			if closed {
				return
			}
			<-c.events.signal
		}
	}
}

func (c *Conn) deliver(it *eventItem) {
	for _, o := range it.oneshots {
		ev := it.ev
		ev.Path = o.path
		// Each one-shot channel has room for its single event.
		select {
		case o.ch <- ev:
		default:
		}
	}
	for _, w := range it.watchers {
		w.enqueue(it.ev, it.final)
	}
	if it.handler && c.cfg.handler != nil {
		c.cfg.handler(it.ev)
	}
}

// emitState queues a session-state event for the handler.
func (c *Conn) emitState(s State, err error) {
	c.events.push(eventItem{ev: Event{Type: EventNone, State: s, Err: err}, handler: true})
}
