package zk_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// Authenticate with SASL DIGEST-MD5 and protect a node so that only the
// SASL user alice may use it. (The embedded server stands in for an
// ensemble whose JAAS Server section has user_alice="secret".)
func ExampleWithSASL() {
	srv, err := testserver.Start(testserver.WithSASLUsers(map[string]string{"alice": "secret"}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, err := zk.Connect(ctx, srv.ConnectString(), zk.WithSASL(zk.DigestMD5("alice", "secret")))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	onlyAlice := []zk.ACL{{Perms: zk.PermAll, ID: zk.ID{Scheme: "sasl", ID: "alice"}}}
	if _, err := c.Create(ctx, "/orders", []byte("42"), zk.ModePersistent, onlyAlice); err != nil {
		log.Fatal(err)
	}
	data, _, err := c.Get(ctx, "/orders")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("alice reads %s\n", data)

	// Wrong credentials end the attempt at once (no reconnect storm).
	_, err = zk.Connect(ctx, srv.ConnectString(), zk.WithSASL(zk.DigestMD5("alice", "guess")))
	fmt.Println("wrong password:", errors.Is(err, zk.ErrAuthFailed), errors.Is(err, zk.ErrSASLFailed))
	// Output:
	// alice reads 42
	// wrong password: true true
}
