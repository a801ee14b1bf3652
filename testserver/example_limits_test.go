package testserver_test

import (
	"fmt"
	"io"
	"log"
	"net"
	"time"

	"github.com/zkcurator/zkcurator/testserver"
)

// A server with ZooKeeper 3.8's defaults answers only srvr; widen the
// four-letter word whitelist and tighten the resource limits with options.
func ExampleWithFourLetterWords() {
	srv, err := testserver.Start(
		testserver.WithFourLetterWords("ruok"), // "*" enables every word
		testserver.WithMaxClientConns(10),
		testserver.WithHandshakeTimeout(2*time.Second),
		testserver.WithMaxQueuedBytes(16<<20),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	for _, word := range []string{"ruok", "cons"} {
		nc, err := net.Dial("tcp", srv.Addr())
		if err != nil {
			log.Fatal(err)
		}
		_, _ = io.WriteString(nc, word)
		answer, _ := io.ReadAll(nc)
		_ = nc.Close()
		fmt.Printf("%s: %s\n", word, answer)
	}
	// Output:
	// ruok: imok
	// cons: cons is not executed because it is not in the whitelist.
}
