package exampleenv_test

import (
	"context"
	"fmt"
	"log"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// An Example starts its server and client in one line and closes both with
// stop.
func ExampleConnect() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	if _, err := c.Create(ctx, "/hello", []byte("world"), zk.ModePersistent, nil); err != nil {
		log.Fatal(err)
	}
	data, _, err := c.Get(ctx, "/hello")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", data)
	// Output: world
}

// Several clients (processes of an example) share one server.
func ExampleClient() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, b := exampleenv.Client(ctx, srv), exampleenv.Client(ctx, srv)
	defer a.Close()
	defer b.Close()
	fmt.Println(a.SessionID() != b.SessionID())
	// Output: true
}

func TestMain(m *testing.M) { zktest.Main(m) }
