package election

import (
	"sync"
	"sync/atomic"

	"github.com/zkcurator/zkcurator/internal/queue"
)

// notifier delivers leadership changes (true: became leader, false: lost
// leadership) to listeners, in order, one at a time, on its own goroutine,
// so a slow listener never delays the election. Create it with
// newNotifier, start it, and close it.
type notifier struct {
	q    *queue.Queue[bool]
	mu   sync.Mutex
	next int
	subs []listenerSub
	busy atomic.Bool // a listener is running
	done chan struct{}
}

type listenerSub struct {
	id int
	f  func(isLeader bool)
}

func newNotifier() *notifier {
	return &notifier{q: queue.New[bool](), done: make(chan struct{})}
}

// start starts the goroutine; call it once, before close.
func (n *notifier) start() { go n.run() }

func (n *notifier) run() {
	defer close(n.done)
	for {
		v, ok := n.q.Pop()
		if !ok {
			return
		}
		n.mu.Lock()
		subs := n.subs
		n.mu.Unlock()
		n.busy.Store(true)
		for _, s := range subs {
			s.f(v)
		}
		n.busy.Store(false)
	}
}

func (n *notifier) publish(isLeader bool) { n.q.Push(isLeader) }

func (n *notifier) listen(f func(bool)) func() {
	n.mu.Lock()
	defer n.mu.Unlock()
	id := n.next
	n.next++
	subs := make([]listenerSub, len(n.subs), len(n.subs)+1)
	copy(subs, n.subs)
	n.subs = append(subs, listenerSub{id: id, f: f})
	var once sync.Once
	return func() {
		once.Do(func() {
			n.mu.Lock()
			defer n.mu.Unlock()
			subs := make([]listenerSub, 0, len(n.subs))
			for _, s := range n.subs {
				if s.id != id {
					subs = append(subs, s)
				}
			}
			n.subs = subs
		})
	}
}

// clear removes every listener: changes published later reach nobody.
func (n *notifier) clear() {
	n.mu.Lock()
	n.subs = nil
	n.mu.Unlock()
}

// close delivers what was published, then ends the goroutine (started
// before). It waits for that unless a listener is running (it may be the
// caller).
func (n *notifier) close() {
	n.q.Close()
	if !n.busy.Load() {
		<-n.done
	}
}
