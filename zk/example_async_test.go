package zk_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/zk"
)

// Keep many requests in flight from one goroutine: queue them with the
// Async calls, then take the results in order. The requests go out back
// to back and ZooKeeper answers them in order, so ten reads cost about one
// round trip, with no goroutine per request.
func ExampleConn_GetAsync() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := zk.Dial(ctx, srv.ConnectString())
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	// Writes, each queued without waiting for the one before.
	var creates []*zk.CreateFuture
	for i := range 3 {
		creates = append(creates, conn.CreateAsync(ctx, fmt.Sprintf("/item-%d", i), []byte{'a' + byte(i)}, zk.ModePersistent, nil))
	}
	// Reads queued behind them see their effects: same session, in order.
	var gets []*zk.GetFuture
	for i := range 4 {
		gets = append(gets, conn.GetAsync(ctx, fmt.Sprintf("/item-%d", i)))
	}
	for _, f := range creates {
		if _, err := f.Result(); err != nil {
			log.Fatal(err)
		}
	}
	for _, f := range gets {
		data, stat, err := f.Result()
		if err != nil {
			fmt.Println(err) // wrapped as the blocking Get's: errors.Is(err, zk.ErrNoNode)
			continue
		}
		fmt.Printf("%s (version %d)\n", data, stat.Version)
	}
	// Output:
	// a (version 0)
	// b (version 0)
	// c (version 0)
	// zk: get /item-3: node does not exist
}
