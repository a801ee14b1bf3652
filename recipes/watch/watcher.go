// Package watch holds PersistentWatcher, Apache Curator's PersistentWatcher:
// a persistent (optionally recursive) ZooKeeper watch that outlives sessions.
//
// A zk.Watcher set with zk.Client.AddWatch stays registered across
// reconnects of one session but ends when the session does. A
// PersistentWatcher sets it again on every new session (and whenever the
// watch ended for another reason while it was meant to stay), so its
// listeners keep hearing the path's events for as long as it is open. Events
// that happened while no watch was set are not replayed: listeners that
// need the state after a gap use Listen's Reset notification to re-read it.
//
// ZooKeeper 3.6+ is needed (addWatch). On an older server Start fails with
// zk.ErrUnimplemented and the watcher does not try again: every attempt
// would make the server drop the connection (the Client's other calls see
// a Suspended/Reconnected). A watch that ends because the session moved to
// such a server (its restore was refused) is reported to listeners as an
// EventNotWatching event with Err zk.ErrUnimplemented, and not set again.
package watch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/internal/listeners"
	"github.com/zkcurator/zkcurator/recipes/internal/lifecycle"
	"github.com/zkcurator/zkcurator/zk"
)

// ErrStarted is returned by Start on a watcher already started.
var ErrStarted = errors.New("watch: already started")

// Backoff between attempts to set the watch again.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 2 * time.Second
)

// removeTimeout bounds the server call that removes the watch in Close.
const removeTimeout = 5 * time.Second

// Event is what a PersistentWatcher's listeners receive: a watch event of
// the path (Reset false), or, with Reset true, the news that the watch has
// just been set (again): events may have been missed before it, so state
// derived from them should be re-read (Curator's reset listeners).
type Event struct {
	zk.Event
	Reset bool
}

// PersistentWatcher is a persistent watch on a path (recursive: on its whole
// subtree) that is set again after every new session. Create it with New,
// subscribe with Listen, then Start; Close removes the watch.
type PersistentWatcher struct {
	client   *zk.Client
	path     string
	mode     zk.AddWatchMode
	bus      *listeners.Bus[Event]
	kick     chan struct{}
	mu       sync.Mutex
	life     lifecycle.State
	cancel   context.CancelFunc
	done     chan struct{}
	unlisten func()
	current  *zk.Watcher
}

// New returns a watcher of path (of its subtree when recursive). It fails
// with zk.ErrInvalidArgument for a nil client and zk.ErrInvalidPath for a
// bad path.
func New(client *zk.Client, path string, recursive bool) (*PersistentWatcher, error) {
	if client == nil {
		return nil, fmt.Errorf("watch: new %s: nil client: %w", path, zk.ErrInvalidArgument)
	}
	if err := zk.ValidatePath(path, false); err != nil {
		return nil, fmt.Errorf("watch: new %s: %w", path, err)
	}
	mode := zk.AddWatchPersistent
	if recursive {
		mode = zk.AddWatchPersistentRecursive
	}
	return &PersistentWatcher{client: client, path: path, mode: mode,
		bus: listeners.New[Event](), kick: make(chan struct{}, 1)}, nil
}

// Path returns the watched path.
func (w *PersistentWatcher) Path() string { return w.path }

// Listen subscribes f to the watcher's events, delivered in order on one
// goroutine of the watcher (a slow f delays later events, never the
// session).
func (w *PersistentWatcher) Listen(f func(Event)) (unsubscribe func()) { return w.bus.Listen(f) }

// Start sets the watch and keeps it set until Close. It returns once the
// watch is set the first time, or with the error of that attempt (the
// watcher then keeps trying in the background; a Reset event tells when it
// succeeded) or when ctx ends. It fails with ErrStarted the second time,
// zk.ErrClosed after Close, and zk.ErrUnimplemented (for good: no retries)
// on a server before 3.6.
func (w *PersistentWatcher) Start(ctx context.Context) error {
	w.mu.Lock()
	if err := w.life.Start(ErrStarted, zk.ErrClosed); err != nil {
		w.mu.Unlock()
		return fmt.Errorf("watch: start %s: %w", w.path, err)
	}
	lctx, cancel := context.WithCancel(context.Background())
	w.cancel, w.done = cancel, make(chan struct{})
	w.unlisten = w.client.Listen(func(s zk.ConnectionState) {
		if s == zk.Reconnected || s == zk.Lost {
			select {
			case w.kick <- struct{}{}:
			default:
			}
		}
	})
	w.mu.Unlock()
	first, err := w.set(ctx)
	if errors.Is(err, zk.ErrUnimplemented) {
		close(w.done) // the server lacks addWatch: trying again cannot help
		return fmt.Errorf("watch: start %s: %w", w.path, err)
	}
	go w.run(lctx, first)
	if err != nil {
		return fmt.Errorf("watch: start %s: %w", w.path, err)
	}
	return nil
}

// set adds the watch and announces it with a Reset event.
func (w *PersistentWatcher) set(ctx context.Context) (*zk.Watcher, error) {
	zw, err := w.client.AddWatch(ctx, w.path, w.mode)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.current = zw
	w.mu.Unlock()
	w.bus.Publish(Event{Event: zk.Event{Type: zk.EventNone, Path: w.path}, Reset: true})
	return zw, nil
}

// run forwards events and sets the watch again whenever it has ended.
func (w *PersistentWatcher) run(ctx context.Context, zw *zk.Watcher) {
	defer close(w.done)
	backoff := minBackoff
	for {
		if zw == nil {
			var err error
			zw, err = w.set(ctx)
			if errors.Is(err, zk.ErrClosed) || ctx.Err() != nil {
				return
			}
			if errors.Is(err, zk.ErrUnimplemented) {
				// The session moved to a server without addWatch.
				w.bus.Publish(Event{Event: zk.Event{Type: zk.EventNotWatching, Path: w.path, Err: err}})
				return
			}
			if err != nil {
				select {
				case <-ctx.Done():
					return
				case <-w.kick:
				case <-time.After(backoff):
				}
				backoff = min(2*backoff, maxBackoff)
				continue
			}
			backoff = minBackoff
		}
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
			// A new session: the old watch ends by itself (its channel
			// closes); nothing to do until it does.
		case ev, ok := <-zw.Events():
			if !ok || ev.Type == zk.EventNotWatching {
				zw = nil // ended (session gone, removed): set it again
				continue
			}
			w.bus.Publish(Event{Event: ev})
		}
	}
}

// Close removes the watch and stops the watcher; listeners hear nothing
// more. Idempotent.
func (w *PersistentWatcher) Close() error {
	w.mu.Lock()
	was := w.life.Close()
	w.mu.Unlock()
	switch was {
	case lifecycle.Closed:
		return nil
	case lifecycle.New:
		w.bus.Stop()
		return nil
	}
	w.unlisten()
	w.cancel()
	<-w.done
	w.bus.Stop()
	w.mu.Lock()
	zw := w.current
	w.mu.Unlock()
	if zw == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), removeTimeout)
	defer cancel()
	if err := zw.Remove(ctx); err != nil && !errors.Is(err, zk.ErrClosed) && !errors.Is(err, zk.ErrNoWatcher) {
		return fmt.Errorf("watch: close %s: %w", w.path, err)
	}
	return nil
}
