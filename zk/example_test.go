package zk_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/zk"
)

// Dial a session, create a node and read it back.
func ExampleDial() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := zk.Dial(ctx, "127.0.0.1:2181/myapp", zk.WithSessionTimeout(10*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	path, err := conn.Create(ctx, "/config", []byte("v1"), zk.ModePersistent, zk.OpenACLUnsafe)
	if err != nil && !errors.Is(err, zk.ErrNodeExists) {
		log.Fatal(err)
	}
	data, stat, err := conn.Get(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s = %q (version %d)\n", path, data, stat.Version)
}

// A one-shot watch: GetW returns the data and a channel that receives the
// next change of the node (or EventNotWatching if the session ends first).
func ExampleConn_GetW() {
	ctx := context.Background()
	conn, err := zk.Dial(ctx, "127.0.0.1:2181")
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	data, _, changed, err := conn.GetW(ctx, "/config")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("config: %s\n", data)
	ev := <-changed
	if ev.Type == zk.EventNotWatching {
		log.Fatalf("watch ended: %v", ev.Err)
	}
	fmt.Printf("%s changed: %v\n", ev.Path, ev.Type)
}

// A persistent recursive watch sees every create, change and delete below a
// path until it is removed.
func ExampleConn_AddWatch() {
	ctx := context.Background()
	conn, err := zk.Dial(ctx, "127.0.0.1:2181",
		zk.WithEventHandler(func(ev zk.Event) { log.Printf("session: %v", ev.State) }))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	w, err := conn.AddWatch(ctx, "/services", zk.AddWatchPersistentRecursive)
	if err != nil {
		log.Fatal(err)
	}
	for ev := range w.Events() {
		fmt.Println(ev.Type, ev.Path)
		if ev.Type == zk.EventNodeDeleted && ev.Path == "/services" {
			_ = w.Remove(ctx) // the channel is closed after EventNotWatching
		}
	}
}
