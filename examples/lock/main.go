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
	"flag"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/recipes/lock"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

func main() {
	servers := flag.String("servers", "", "ZooKeeper connect string; empty starts the embedded test server")
	flag.Parse()
	if err := run(*servers); err != nil {
		fmt.Fprintln(os.Stderr, "lock:", err)
		os.Exit(1)
	}
}

var sayMu sync.Mutex

func say(format string, args ...any) {
	sayMu.Lock()
	defer sayMu.Unlock()
	fmt.Printf(format+"\n", args...)
}

func run(servers string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var srv *testserver.Server
	if servers == "" {
		var err error
		srv, err = testserver.Start()
		if err != nil {
			return err
		}
		defer srv.Close()
		servers = srv.ConnectString()
		say("Started the embedded ZooKeeper test server on %s.", servers)
	}
	path := fmt.Sprintf("/examples/lock-%d", time.Now().UnixNano())

	names := []string{"alice", "bob", "carol"}
	clients := make([]*zk.Client, 0, len(names))
	defer func() {
		for _, c := range clients {
			_ = c.Close()
		}
	}()
	for range names {
		c, err := zk.Connect(ctx, servers, zk.WithSessionTimeout(5*time.Second))
		if err != nil {
			return err
		}
		clients = append(clients, c)
	}

	// Part 1: three workers take turns; the lock is fair, so they queue in
	// the order they asked.
	say("Three workers each take the lock %s twice.", path)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		inside  string
		errs    []error
		counter int
	)
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := lock.NewMutex(clients[i], path, lock.WithData([]byte(name)))
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				return
			}
			for range 2 {
				held, err := m.Acquire(ctx)
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				mu.Lock()
				if inside != "" {
					errs = append(errs, fmt.Errorf("%s got the lock while %s held it", name, inside))
				}
				inside = name
				counter++
				n := counter
				mu.Unlock()
				waiting, _ := m.Participants(ctx)
				say("%s: I hold the lock (fencing token %d); the counter is now %d. In line: %v.", name, m.FencingToken(), n, waiting[min(1, len(waiting)):])
				if held.Err() != nil {
					say("%s: my hold ended early (%v), so I stop.", name, context.Cause(held))
				}
				mu.Lock()
				inside = ""
				mu.Unlock()
				if err := m.Release(ctx); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				say("%s: released the lock.", name)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	say("All done: the counter is %d, and nobody ever held the lock at the same time as someone else.", counter)

	if srv == nil {
		return nil
	}
	// Part 2: the lock tells its holder when holding is no longer safe.
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
