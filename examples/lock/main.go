// Command lock shows a distributed lock with zkcurator: several workers,
// each with its own client, take turns holding one lock; then (on the
// embedded server) a holder's connection is cut and its held context tells
// it to stop at once.
//
//	go run ./examples/lock                         # embedded test server, no ZooKeeper needed
//	go run ./examples/lock -servers 127.0.0.1:2181 # a real ensemble
package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/examples/internal/program"
	"github.com/zkcurator/zkcurator/recipes/lock"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// about is what -h says the program shows.
const about = `Shows a distributed lock (recipes/lock.Mutex, Curator's
InterProcessMutex layout): three workers, each with its own client and
session, take turns holding one lock, and the program checks that no two
ever hold it at once. Each holder prints its fencing token, which grows
with every hold. Then (embedded server only) the server cuts the holder's
connection, and the context the lock returned tells the holder to stop at
once, before anybody else can take the lock. Without -servers it starts the
embedded ZooKeeper test server, so no ZooKeeper or Java is needed.`

func main() { program.Main("lock", about, run) }

var sayMu sync.Mutex

func say(format string, args ...any) {
	sayMu.Lock()
	defer sayMu.Unlock()
	fmt.Printf(format+"\n", args...)
}

// run is the whole program; each part is a function below.
func run(servers string) error {
	names := []string{"alice", "bob", "carol"}
	ctx, env, clients, done, err := program.Setup(servers, 60*time.Second, len(names), zk.WithSessionTimeout(5*time.Second))
	defer done()
	if err != nil {
		return err
	}
	path := program.Path("lock")
	if err := takeTurns(ctx, clients, names, path); err != nil {
		return err
	}
	if env.Server == nil {
		return nil
	}
	return holdUntilCut(ctx, env.Server, clients, path)
}

// turns checks that the workers never hold the lock together.
type turns struct {
	mu      sync.Mutex
	inside  string
	counter int
	errs    []error
}

func (t *turns) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.errs = append(t.errs, err)
}

// enter notes that name holds the lock and returns the counter.
func (t *turns) enter(name string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.inside != "" {
		t.errs = append(t.errs, fmt.Errorf("%s got the lock while %s held it", name, t.inside))
	}
	t.inside = name
	t.counter++
	return t.counter
}

func (t *turns) leave() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.inside = ""
}

// takeTurns is part 1: three workers each take the lock twice. The lock is
// fair, so they queue in the order they asked.
func takeTurns(ctx context.Context, clients []*zk.Client, names []string, path string) error {
	say("Three workers each take the lock %s twice.", path)
	var (
		wg sync.WaitGroup
		t  turns
	)
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := lock.NewMutex(clients[i], path, lock.WithData([]byte(name)))
			if err != nil {
				t.fail(err)
				return
			}
			for range 2 {
				if err := work(ctx, m, name, &t); err != nil {
					t.fail(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(t.errs...); err != nil {
		return err
	}
	say("All done: the counter is %d, and nobody ever held the lock at the same time as someone else.", t.counter)
	return nil
}

// work is one turn of one worker: acquire, work while the hold is safe,
// release.
func work(ctx context.Context, m *lock.Mutex, name string, t *turns) error {
	held, err := m.Acquire(ctx)
	if err != nil {
		return err
	}
	n := t.enter(name)
	waiting, _ := m.Participants(ctx)
	say("%s: I hold the lock (fencing token %d); the counter is now %d. In line: %v.", name, m.FencingToken(), n, waiting[min(1, len(waiting)):])
	if held.Err() != nil {
		say("%s: my hold ended early (%v), so I stop.", name, context.Cause(held))
	}
	t.leave()
	if err := m.Release(ctx); err != nil {
		return err
	}
	say("%s: released the lock.", name)
	return nil
}

// holdUntilCut is part 2: the lock tells its holder when holding is no
// longer safe. The server cuts alice's connection while she holds the
// lock; her held context ends at once.
func holdUntilCut(ctx context.Context, srv *testserver.Server, clients []*zk.Client, path string) error {
	m, err := lock.NewMutex(clients[0], path)
	if err != nil {
		return err
	}
	held, err := m.Acquire(ctx)
	if err != nil {
		return err
	}
	say("alice holds the lock again. Now the server cuts her connection...")
	srv.DropSession(clients[0].SessionID())
	select {
	case <-held.Done():
		say("alice: my held context ended (%v): I stop touching the resource right away.", context.Cause(held))
	case <-ctx.Done():
		return errors.New("the held context did not end after the connection was cut")
	}
	if err := m.Release(ctx); err != nil {
		return err
	}
	say("alice: released the lock; its node is deleted as soon as the connection is back, then bob can take it.")
	b, err := lock.NewMutex(clients[1], path)
	if err != nil {
		return err
	}
	if _, err := b.Acquire(ctx); err != nil {
		return err
	}
	say("bob: I hold the lock (fencing token %d, larger than any before).", b.FencingToken())
	return b.Release(ctx)
}
