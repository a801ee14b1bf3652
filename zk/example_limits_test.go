package zk_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/zk"
)

// A request larger than the server accepts (jute.maxbuffer, 1 MiB - 1 by
// default) fails at once, unsent; the session and everything else on it
// carry on.
func ExampleWithMaxRequestSize() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := zk.Dial(ctx, srv.ConnectString(), zk.WithMaxRequestSize(1<<20-1))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	_, err = conn.Create(ctx, "/big", make([]byte, 1<<20), zk.ModePersistent, zk.OpenACLUnsafe)
	fmt.Println(errors.Is(err, zk.ErrRequestTooLarge), zk.IsRetryable(err))
	_, err = conn.Create(ctx, "/small", []byte("fits"), zk.ModePersistent, zk.OpenACLUnsafe)
	fmt.Println(err)
	// Output:
	// true false
	// <nil>
}

// Dial and Connect give up after the connection timeout when ctx has no
// deadline; the error names every host tried.
func ExampleWithConnectionTimeout() {
	_, err := zk.Dial(context.Background(), "127.0.0.1:1", zk.WithConnectionTimeout(200*time.Millisecond))
	fmt.Println(errors.Is(err, zk.ErrNoServer), errors.Is(err, context.DeadlineExceeded))
	// Output: true true
}
