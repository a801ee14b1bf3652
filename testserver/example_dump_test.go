package testserver_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// Look at what a program left behind: Dump lists every node with its
// mode, and the sessions with their ephemeral nodes. WriteSnapshot saves
// the same as JSON, which WithSnapshot (zktestserver -load) starts a
// server from.
func ExampleServer_Dump() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := exampleenv.Client(ctx, srv)
	defer c.Close()
	if _, err := c.Create(ctx, "/app", []byte("cfg"), zk.ModePersistent, nil); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Create(ctx, "/app/worker", nil, zk.ModeEphemeral, nil); err != nil {
		log.Fatal(err)
	}

	snap := srv.Dump()
	for _, n := range snap.Nodes {
		if strings.HasPrefix(n.Path, "/app") {
			fmt.Printf("%s %s %q\n", n.Path, n.Mode, n.Data)
		}
	}
	fmt.Println("ephemerals:", snap.Sessions[0].Ephemerals)

	f, err := os.CreateTemp("", "snapshot-*.json")
	if err != nil {
		log.Fatal(err)
	}
	defer os.Remove(f.Name())
	if err := srv.WriteSnapshot(f); err != nil {
		log.Fatal(err)
	}
	if _, err := f.Seek(0, 0); err != nil {
		log.Fatal(err)
	}
	loaded, err := testserver.ReadSnapshot(f)
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	again, err := testserver.Start(testserver.WithSnapshot(loaded))
	if err != nil {
		log.Fatal(err)
	}
	defer again.Close()
	fmt.Println("nodes after load:", len(again.Dump().Nodes))
	// Output:
	// /app persistent "cfg"
	// /app/worker ephemeral ""
	// ephemerals: [/app/worker]
	// nodes after load: 6
}
