package zk_test

import (
	"context"
	"fmt"
	"log"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/zk"
)

// Callback watches: one function serves many nodes, with no channel per
// watch. It runs on the Conn's event goroutine, so it only hands the event
// on; here to a channel the program reads, elsewhere to a work queue.
func ExampleConn_GetWFunc() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx := context.Background()
	conn, err := zk.Dial(ctx, srv.ConnectString())
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	changed := make(chan zk.Event, 16)
	onChange := func(ev zk.Event) { changed <- ev } // must not block for long
	for _, p := range []string{"/a", "/b"} {
		if _, err := conn.Create(ctx, p, []byte("v1"), zk.ModePersistent, zk.OpenACLUnsafe); err != nil {
			log.Fatal(err)
		}
		if _, _, err := conn.GetWFunc(ctx, p, onChange); err != nil {
			log.Fatal(err)
		}
	}
	if _, err := conn.Set(ctx, "/b", []byte("v2"), -1); err != nil {
		log.Fatal(err)
	}
	ev := <-changed
	fmt.Println(ev.Type, ev.Path)

	// The watch on /a is still registered: Close ends it.
	conn.Close()
	ev = <-changed
	fmt.Println(ev.Type, ev.Path, ev.Err)
	// Output:
	// NodeDataChanged /b
	// NotWatching /a zk: connection closed
}
