// Command cache shows a tree cache with zkcurator: one client follows a
// subtree with cache.TreeCache and prints every change that another client
// makes to it, then prints the cached tree.
//
//	go run ./examples/cache                         # embedded test server, no ZooKeeper needed
//	go run ./examples/cache -servers 127.0.0.1:2181 # a real ensemble
package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zkcurator/zkcurator/examples/internal/program"
	"github.com/zkcurator/zkcurator/recipes/cache"
	"github.com/zkcurator/zkcurator/zk"
)

// about is what -h says the program shows.
const about = `Shows a tree cache (recipes/cache.TreeCache, like Curator's TreeCache): a
follower client keeps a local copy of a subtree, which does not exist yet,
and prints every event its listener hears while a writer client creates,
changes and deletes nodes in it, one step at a time. At the end it prints
the cached tree, read from memory. Without -servers it starts the embedded
ZooKeeper test server, so no ZooKeeper or Java is needed.`

func main() { program.Main("cache", about, run) }

// run is the whole program; each step is a function below.
func run(servers string) error {
	ctx, _, clients, done, err := program.Setup(servers, 60*time.Second, 2, zk.WithSessionTimeout(5*time.Second))
	defer done()
	if err != nil {
		return err
	}
	root := program.Path("cache")
	follower, writer := clients[0], clients[1]

	tree, changed, err := follow(ctx, follower, root)
	if err != nil {
		return err
	}
	defer tree.Close()
	fmt.Printf("The follower caches %s using %s watches.\n", root, tree.Mode())
	if err := write(ctx, writer, tree, root, changed); err != nil {
		return err
	}
	printTree(tree, root)
	return cleanUp(ctx, writer, root)
}

// follow starts a cache of the subtree at root (which does not exist yet)
// whose listener prints what it sees; the listener runs on the cache's own
// goroutine. changed receives a signal after each event.
func follow(ctx context.Context, follower *zk.Client, root string) (*cache.TreeCache, <-chan struct{}, error) {
	tree, err := cache.NewTree(follower, root)
	if err != nil {
		return nil, nil, err
	}
	changed := make(chan struct{}, 1)
	tree.Listen(func(ev cache.Event) {
		if ev.Type.IsNode() {
			fmt.Printf("  follower saw %-11s %-16s %q (version %d)\n", ev.Type, rel(root, ev.Path), ev.Data, ev.Stat.Version)
		} else {
			fmt.Printf("  follower saw %s\n", ev.Type)
		}
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	if err := tree.Start(ctx); err != nil {
		_ = tree.Close()
		return nil, nil, err
	}
	return tree, changed, nil
}

// write changes the subtree one step at a time, waiting until the cache
// shows each step: a cache shows states, and changes it has not seen yet
// may be merged (a node created and deleted before the cache reads it is
// never seen at all).
func write(ctx context.Context, writer *zk.Client, tree *cache.TreeCache, root string, changed <-chan struct{}) error {
	has := func(path, data string) func() bool {
		return func() bool { n, ok := tree.Get(root + path); return ok && string(n.Data) == data }
	}
	gone := func(path string) func() bool {
		return func() bool { _, ok := tree.Get(root + path); return !ok }
	}
	set := func(path, data string) func() error {
		return func() error { _, err := writer.Set(ctx, root+path, []byte(data), -1); return err }
	}
	steps := []struct {
		say  string
		do   func() error
		seen func() bool
	}{
		{"create the service config", func() error {
			_, _, err := writer.CreateWith(ctx, root+"/db", []byte("host=db1"), zk.CreateOptions{CreateParents: true})
			return err
		}, has("/db", "host=db1")},
		{"add a feature flag", func() error {
			_, err := writer.Create(ctx, root+"/flags", nil, zk.ModePersistent, nil)
			if err == nil {
				_, err = writer.Create(ctx, root+"/flags/dark-mode", []byte("off"), zk.ModePersistent, nil)
			}
			return err
		}, has("/flags/dark-mode", "off")},
		{"fail the database over", set("/db", "host=db2"), has("/db", "host=db2")},
		{"turn the flag on", set("/flags/dark-mode", "on"), has("/flags/dark-mode", "on")},
		{"remove the flag", func() error { return writer.Delete(ctx, root+"/flags/dark-mode", -1) },
			gone("/flags/dark-mode")},
	}
	for _, s := range steps {
		fmt.Printf("Writer: %s.\n", s.say)
		if err := s.do(); err != nil {
			return fmt.Errorf("%s: %w", s.say, err)
		}
		for !s.seen() {
			select {
			case <-changed:
			case <-ctx.Done():
				return fmt.Errorf("the follower did not see the writer %s", s.say)
			}
		}
	}
	return nil
}

// printTree prints the cached tree, read from memory.
func printTree(tree *cache.TreeCache, root string) {
	fmt.Println("The follower's cached tree:")
	for path, n := range tree.All() {
		fmt.Printf("  %-18s %q (version %d)\n", rel(root, path), n.Data, n.Stat.Version)
	}
}

// cleanUp deletes the subtree, children first.
func cleanUp(ctx context.Context, writer *zk.Client, root string) error {
	for _, p := range []string{root + "/flags", root + "/db", root} {
		if err := writer.Delete(ctx, p, -1); err != nil && !errors.Is(err, zk.ErrNoNode) {
			return err
		}
	}
	return nil
}

// rel returns path relative to root, for printing.
func rel(root, path string) string {
	if path == root {
		return "(root)"
	}
	return path[len(root):]
}
