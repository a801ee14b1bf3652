package zk

import "github.com/zkcurator/zkcurator/internal/queue"

// eventQueue is the unbounded queue between the producers (reader, session
// loop, callers removing watches) and the event goroutine, so a slow handler
// never blocks the reader or pings.
type eventQueue = queue.Queue[eventItem]

// eventItem is one event and where it goes. Routing is decided by the
// reader goroutine when the notification arrives (so it is consistent with
// watch registrations made by earlier replies); delivery happens on the
// event goroutine.
type eventItem struct {
	ev       Event
	oneshots []*oneShot // each gets ev
	paths    []string   // nil, or the client path of each one-shot (ev.Path is then unset)
	watchers []*Watcher // each gets ev queued
	final    bool       // ev is the watchers' last event: end them
	handler  bool       // pass ev to the event handler
}

// eventLoop is the Conn's single event goroutine: it delivers session-state
// events and watch events in the order they were queued.
func (c *Conn) eventLoop() {
	defer c.wg.Done()
	var items []eventItem
	for {
		var closed bool
		items, closed = c.events.TakeAll(items[:0])
		for i := range items {
			c.deliver(&items[i])
		}
		clear(items)
		if len(items) == 0 {
			if closed {
				return
			}
			<-c.events.Ready()
		}
	}
}

func (c *Conn) deliver(it *eventItem) {
	for i, o := range it.oneshots {
		ev := it.ev
		if it.paths != nil {
			ev.Path = it.paths[i]
		}
		o.fire(ev)
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
	c.events.Push(eventItem{ev: Event{Type: EventNone, State: s, Err: err}, handler: true})
}
