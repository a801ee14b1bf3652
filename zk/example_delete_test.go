package zk_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/zk"
)

// A guaranteed delete of the node this program made, and of no node made
// again at the same path later: OnlyIncarnation names the node by its
// creation zxid, so a delete retried in the background after the node was
// deleted and made again (by anyone) leaves the new node alone.
func ExampleOnlyIncarnation() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := zk.Connect(ctx, srv.ConnectString())
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	_, st, err := c.CreateWith(ctx, "/member", []byte("me"), zk.CreateOptions{Mode: zk.ModeEphemeral})
	if err != nil {
		log.Fatal(err)
	}
	// ... later, leaving:
	done, err := c.DeleteGuaranteed(ctx, "/member", zk.AnyVersion, zk.OnlyIncarnation(st.Czxid))
	if err != nil {
		log.Printf("delete pending, retried in the background: %v", err)
	}
	select {
	case <-done:
	case <-ctx.Done():
		log.Fatal(ctx.Err())
	}
	ok, _, err := c.Exists(ctx, "/member")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("exists:", ok)
	// Output: exists: false
}
