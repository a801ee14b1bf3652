package watch_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/recipes/watch"
	"github.com/zkcurator/zkcurator/zk"
)

// A recursive PersistentWatcher hears every change under a path, across
// sessions; a Reset event comes each time the watch is (re)set.
func ExamplePersistentWatcher() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	w, err := watch.New(c, "/config", true)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	changed := make(chan struct{})
	w.Listen(func(ev watch.Event) {
		if ev.Reset {
			fmt.Println("watch set on", ev.Path)
			return
		}
		fmt.Println(ev.Type, ev.Path)
		if ev.Type == zk.EventNodeDataChanged {
			close(changed)
		}
	})
	if err := w.Start(ctx); err != nil {
		log.Fatal(err)
	}
	if _, _, err := c.CreateWith(ctx, "/config/db", nil, zk.CreateOptions{CreateParents: true}); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Set(ctx, "/config/db", []byte("primary"), zk.AnyVersion); err != nil {
		log.Fatal(err)
	}
	<-changed
	// Output:
	// watch set on /config
	// NodeCreated /config
	// NodeCreated /config/db
	// NodeDataChanged /config/db
}
