package zk

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/zkcurator/zkcurator/internal/queue"
)

// ConnectionState is a Client's connection state, with Apache Curator's
// meaning. Recipes react to it; see ErrorPolicy.
type ConnectionState int

// Connection states.
const (
	// Connected is sent once, for the first successful connection (ReadOnly
	// instead when that connection is to a read-only server).
	Connected ConnectionState = iota + 1
	// Suspended: the connection to the server was lost. The session may
	// still be alive; anything that depends on it (a lock, leadership) is
	// in doubt until Reconnected or Lost.
	Suspended
	// Reconnected: connected again after Suspended or Lost, to the same
	// session or (after Lost) to a new one.
	Reconnected
	// Lost: the session is gone — it expired, or the connection stayed
	// Suspended for longer than the negotiated session timeout. Ephemeral
	// nodes and watches of the old session must be considered gone; the
	// Client starts a new session by itself.
	Lost
	// ReadOnly: connected to a server in read-only mode; writes fail.
	ReadOnly
)

func (s ConnectionState) String() string {
	switch s {
	case Connected:
		return "CONNECTED"
	case Suspended:
		return "SUSPENDED"
	case Reconnected:
		return "RECONNECTED"
	case Lost:
		return "LOST"
	case ReadOnly:
		return "READ_ONLY"
	}
	return fmt.Sprintf("ConnectionState(%d)", int(s))
}

// IsConnected reports whether the state means the client can talk to a
// server (Connected, Reconnected, ReadOnly).
func (s ConnectionState) IsConnected() bool {
	return s == Connected || s == Reconnected || s == ReadOnly
}

// ErrorPolicy decides which connection states recipes must treat as the end
// of whatever they hold (a lock, leadership).
type ErrorPolicy interface {
	// IsError reports whether s ends a recipe's hold.
	IsError(s ConnectionState) bool
}

type standardPolicy struct{}

func (standardPolicy) IsError(s ConnectionState) bool { return s == Suspended || s == Lost }

type sessionPolicy struct{}

func (sessionPolicy) IsError(s ConnectionState) bool { return s == Lost }

// StandardErrorPolicy treats Suspended and Lost as errors (Curator's default):
// a hold ends as soon as the connection is in doubt.
var StandardErrorPolicy ErrorPolicy = standardPolicy{}

// SessionErrorPolicy treats only Lost as an error: a hold survives a short
// disconnection as long as the session does.
var SessionErrorPolicy ErrorPolicy = sessionPolicy{}

// stateBus delivers connection states to listeners, in order, on one
// goroutine; publishing never blocks.
type stateBus struct {
	q    *queue.Queue[stateItem]
	mu   sync.Mutex
	next int    // next subscriber id
	seq  uint64 // sequence number of the next published state
	subs []stateSub
	done chan struct{}
	busy atomic.Bool // a listener is running
}

type stateItem struct {
	seq uint64
	s   ConnectionState
}

type stateSub struct {
	id   int
	from uint64 // first state sequence number this subscriber sees
	f    func(ConnectionState)
}

// newStateBus starts a bus with initial listeners, which see every state.
func newStateBus(initial []func(ConnectionState)) *stateBus {
	b := &stateBus{q: queue.New[stateItem](), done: make(chan struct{})}
	for _, f := range initial {
		b.subs = append(b.subs, stateSub{id: b.next, f: f})
		b.next++
	}
	go b.run()
	return b
}

func (b *stateBus) run() {
	defer close(b.done)
	for {
		it, ok := b.q.Pop()
		if !ok {
			return
		}
		b.mu.Lock()
		subs := b.subs
		b.mu.Unlock()
		b.busy.Store(true)
		for _, sub := range subs {
			if sub.from <= it.seq {
				sub.f(it.s)
			}
		}
		b.busy.Store(false)
	}
}

func (b *stateBus) publish(s ConnectionState) {
	b.mu.Lock()
	it := stateItem{seq: b.seq, s: s}
	b.seq++
	b.q.Push(it) // under mu, so queue order is sequence order
	b.mu.Unlock()
}

// listen adds f and returns a function that removes it. f sees exactly the
// states published after listen returns.
func (b *stateBus) listen(f func(ConnectionState)) func() {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.next
	b.next++
	// Copy on write: run() iterates a snapshot without holding the lock.
	subs := make([]stateSub, len(b.subs), len(b.subs)+1)
	copy(subs, b.subs)
	b.subs = append(subs, stateSub{id: id, from: b.seq, f: f})
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			subs := make([]stateSub, 0, len(b.subs))
			for _, s := range b.subs {
				if s.id != id {
					subs = append(subs, s)
				}
			}
			b.subs = subs
		})
	}
}

// close delivers the states already published, then ends the goroutine.
// It waits for that unless a listener is running (it may be the caller:
// Client.Close called from a listener), in which case the goroutine ends
// as soon as the listener returns.
func (b *stateBus) close() {
	b.q.Close()
	if !b.busy.Load() {
		<-b.done
	}
}
