package shared

import (
	"context"
	"errors"
	"fmt"

	"github.com/zkcurator/zkcurator/internal/listeners"
	"github.com/zkcurator/zkcurator/recipes/internal/pause"
	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/zk"
)

// CountListener is told of a Count's changes (Curator's
// SharedCountListener). Either function may be nil, not both. They are
// called in order, one at a time, on a goroutine of the Count; they should
// return quickly.
type CountListener struct {
	// Changed is called with the new value and the node's version each
	// time the count changes (also when it is set to the same value).
	Changed func(value, version int32)
	// StateChanged is called with each connection state the client
	// publishes: after Suspended or Lost the value may have changed
	// unseen until Reconnected, when Changed reports it if it did.
	StateChanged func(zk.ConnectionState)
}

// countEvent is what the Count's bus carries: a change, or (state != 0) a
// connection state.
type countEvent struct {
	value, version int32
	state          zk.ConnectionState
}

// follower watches the count node for its listeners.
type follower struct {
	bus      *listeners.Bus[countEvent]
	cancel   context.CancelFunc
	done     chan struct{} // closed when the goroutine has ended
	unlisten func()        // the client state listener
}

// Listen subscribes l to the count's changes and returns the function
// that unsubscribes it. The first Listen reads the count (creating the
// node with the seed if missing; ctx bounds that read) and starts the
// Count's goroutine, which keeps a watch on the node until Close; changes
// after that read are reported. It fails with ErrInvalidArgument when
// both of l's functions are nil, with zk.ErrClosed after Close, or with
// the first read's error.
func (c *Count) Listen(ctx context.Context, l CountListener) (unsubscribe func(), err error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	if l.Changed == nil && l.StateChanged == nil {
		return nil, fmt.Errorf("shared: count %s: listen: %w", c.path, seqnode.Invalid("listener without functions"))
	}
	f, err := c.follower(ctx)
	if err != nil {
		return nil, fmt.Errorf("shared: count %s: listen: %w", c.path, err)
	}
	return f.bus.Listen(func(e countEvent) {
		switch {
		case e.state != 0 && l.StateChanged != nil:
			l.StateChanged(e.state)
		case e.state == 0 && l.Changed != nil:
			l.Changed(e.value, e.version)
		}
	}), nil
}

// follower returns the Count's follower, starting it on first use.
func (c *Count) follower(ctx context.Context) (*follower, error) {
	c.mu.Lock()
	f := c.follow
	c.mu.Unlock()
	if f != nil {
		return f, nil
	}
	// The first read and watch, on the caller's ctx (without holding the
	// lock, so Close is not held up): changes after it are reported.
	_, st, ch, err := c.get(ctx, true)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, zk.ErrClosed
	}
	if c.follow != nil {
		return c.follow, nil // started by a concurrent Listen
	}
	fctx, cancel := context.WithCancel(context.Background())
	f = &follower{bus: listeners.New[countEvent](), cancel: cancel, done: make(chan struct{})}
	f.unlisten = c.client.Listen(func(s zk.ConnectionState) { f.bus.Publish(countEvent{state: s}) })
	c.follow = f
	go f.run(fctx, c, st, ch)
	return f, nil
}

// run re-reads the count each time its watch fires and publishes the
// changes, until ctx ends or the client is closed.
func (f *follower) run(ctx context.Context, c *Count, last *zk.Stat, ch <-chan zk.Event) {
	defer close(f.done)
	bo := pause.New()
	for {
		select {
		case <-ch:
		case <-ctx.Done():
			return
		}
		for {
			v, st, next, err := c.get(ctx, true)
			if ctx.Err() != nil || errors.Is(err, zk.ErrClosed) {
				return
			}
			if err != nil {
				// A bad value, or the retry policy gave up: try again.
				if !bo.Wait(ctx) {
					return
				}
				continue
			}
			bo.Reset()
			// The node's version, or (deleted and made again) its czxid.
			if st.Version != last.Version || st.Czxid != last.Czxid {
				last = st
				f.bus.Publish(countEvent{value: v, version: st.Version})
			}
			ch = next
			break
		}
	}
}

// stop ends the goroutine and the bus; it waits for the goroutine.
func (f *follower) stop() {
	f.cancel()
	<-f.done
	f.unlisten()
	f.bus.Close()
}
