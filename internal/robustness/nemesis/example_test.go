package nemesis_test

import (
	"context"
	"fmt"
	"time"

	"github.com/zkcurator/zkcurator/internal/robustness/nemesis"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// A client behind a Proxy: a blackhole longer than the session timeout
// makes the server expire the session; after Heal the client gets a new
// one.
func ExampleProxy() {
	srv, err := testserver.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	p, err := nemesis.NewProxy(srv.Addr())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lost := make(chan struct{}, 1)
	c, err := zk.Connect(ctx, p.Addr(), zk.WithSessionTimeout(time.Second),
		zk.WithStateListener(func(s zk.ConnectionState) {
			if s == zk.Lost {
				select {
				case lost <- struct{}{}:
				default:
				}
			}
		}))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	first := c.SessionID()

	p.Blackhole()
	select {
	case <-lost:
	case <-ctx.Done():
		fmt.Println("no Lost:", ctx.Err())
		return
	}
	p.Heal()
	_, _, err = c.Exists(ctx, "/")
	fmt.Println(err, c.SessionID() != first)
	// Output: <nil> true
}
