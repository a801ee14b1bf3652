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
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/zkcurator/zkcurator/recipes/cache"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

func main() {
	servers := flag.String("servers", "", "ZooKeeper connect string; empty starts the embedded test server")
	flag.Parse()
	if err := run(*servers); err != nil {
		fmt.Fprintln(os.Stderr, "cache:", err)
		os.Exit(1)
	}
}

func run(servers string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	if servers == "" {
		srv, err := testserver.Start()
		if err != nil {
			return err
		}
		defer srv.Close()
		servers = srv.ConnectString()
		fmt.Printf("Started the embedded ZooKeeper test server on %s.\n", servers)
	}
	root := fmt.Sprintf("/examples/cache-%d", time.Now().UnixNano())

	follower, err := zk.Connect(ctx, servers, zk.WithSessionTimeout(5*time.Second))
	if err != nil {
		return err
	}
	defer follower.Close()
	writer, err := zk.Connect(ctx, servers, zk.WithSessionTimeout(5*time.Second))
	if err != nil {
		return err
	}
	defer writer.Close()

	// The follower caches the subtree (which does not exist yet) and prints
	// what it sees. The listener runs on the cache's own goroutine.
	tree, err := cache.NewTree(follower, root)
	if err != nil {
		return err
	}
	changed := make(chan struct{}, 1)
	tree.Listen(func(ev cache.Event) {
		if ev.Type.IsNode() {
			rel := ev.Path[len(root):]
			if rel == "" {
				rel = "(root)"
			}
			fmt.Printf("  follower saw %-11s %-16s %q (version %d)\n", ev.Type, rel, ev.Data, ev.Stat.Version)
		} else {
			fmt.Printf("  follower saw %s\n", ev.Type)
		}
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	if err := tree.Start(ctx); err != nil {
		return err
	}
	defer tree.Close()
	fmt.Printf("The follower caches %s using %s watches.\n", root, tree.Mode())

	// has reports whether the follower's cache holds path with data.
	has := func(path, data string) func() bool {
		return func() bool { n, ok := tree.Get(root + path); return ok && string(n.Data) == data }
	}
	gone := func(path string) func() bool {
		return func() bool { _, ok := tree.Get(root + path); return !ok }
	}

	// The writer changes the subtree, one step at a time: a cache shows
	// states, and changes it has not seen yet may be merged (a node created
	// and deleted before the cache reads it is never seen at all).
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
		{"fail the database over", func() error {
			_, err := writer.Set(ctx, root+"/db", []byte("host=db2"), -1)
			return err
		}, has("/db", "host=db2")},
		{"turn the flag on", func() error {
			_, err := writer.Set(ctx, root+"/flags/dark-mode", []byte("on"), -1)
			return err
		}, has("/flags/dark-mode", "on")},
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

	fmt.Println("The follower's cached tree:")
	for path, n := range tree.All() {
		rel := path[len(root):]
		if rel == "" {
			rel = "(root)"
		}
		fmt.Printf("  %-18s %q (version %d)\n", rel, n.Data, n.Stat.Version)
	}

	// Clean up, children first.
	for _, p := range []string{root + "/flags", root + "/db", root} {
		if err := writer.Delete(ctx, p, -1); err != nil && !errors.Is(err, zk.ErrNoNode) {
			return err
		}
	}
	return nil
}
