package zk_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// MultiRead reads several nodes from one snapshot of the tree; a missing
// node fails only its own read.
func ExampleClient_MultiRead() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()
	if _, err := c.Create(ctx, "/app", []byte("cfg"), zk.ModePersistent, nil); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Create(ctx, "/app/a", nil, zk.ModePersistent, nil); err != nil {
		log.Fatal(err)
	}

	res, err := c.MultiRead(ctx, zk.GetDataOp("/app"), zk.GetChildrenOp("/app"), zk.GetDataOp("/missing"))
	if err != nil {
		log.Fatal(err) // the request as a whole failed (e.g. a server before 3.6)
	}
	for _, r := range res {
		switch {
		case r.Err != nil:
			fmt.Printf("%s %s: %v\n", r.Type, r.Path, errors.Is(r.Err, zk.ErrNoNode))
		case r.Type == zk.OpGetData:
			fmt.Printf("%s %s: %q\n", r.Type, r.Path, r.Data)
		default:
			fmt.Printf("%s %s: %v\n", r.Type, r.Path, r.Children)
		}
	}
	// Output:
	// getData /app: "cfg"
	// getChildren /app: [a]
	// getData /missing: true
}

// WhoAmI tells which identities the server authenticated the session as;
// a server before 3.7 answers ErrUnimplemented (here an emulated 3.6).
func ExampleClient_WhoAmI() {
	for _, version := range []string{"3.8", "3.6"} {
		srv, err := testserver.Start(testserver.WithVersion(version))
		if err != nil {
			log.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := zk.Connect(ctx, srv.ConnectString(), zk.WithAuth("digest", []byte("alice:secret")))
		if err != nil {
			log.Fatal(err)
		}
		ids, err := c.WhoAmI(ctx)
		switch {
		case errors.Is(err, zk.ErrUnimplemented):
			fmt.Println(version+":", "server too old for whoAmI")
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Println(version+":", ids)
		}
		c.Close()
		cancel()
		srv.Close()
	}
	// Output:
	// 3.8: [{digest alice} {ip 127.0.0.1}]
	// 3.6: server too old for whoAmI
}
