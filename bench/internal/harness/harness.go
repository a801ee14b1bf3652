// Package harness holds what the benchmarks and cmd/benchreport share: the
// servers under test, the node the benchmarks read and write, one Driver per
// client (zkcurator, go-zookeeper, the raw pipelining loop and its
// decoding variant) and the
// measurement of throughput, client CPU and allocations.
package harness

import (
	"context"
	"fmt"
	"sync"
)

// NodePath is the node every benchmark reads and writes.
const NodePath = "/bench-1k"

// NodeSize is the size of NodePath's data.
const NodeSize = 1024

// NodeData returns NodeSize bytes of payload.
func NodeData() []byte {
	b := make([]byte, NodeSize)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return b
}

// Op is a benchmarked operation.
type Op int

// The benchmarked operations.
const (
	OpGet Op = iota // getData of NodePath
	OpSet           // setData of NodePath, NodeSize bytes, any version
	numOps
)

// String returns "Get" or "Set".
func (o Op) String() string {
	switch o {
	case OpGet:
		return "Get"
	case OpSet:
		return "Set"
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// Driver runs a benchmark with one client session.
type Driver interface {
	// Run performs n operations op on NodePath, split across g goroutines
	// (for the raw loop: with at most g requests in flight), and returns
	// the first error.
	Run(ctx context.Context, op Op, g, n int) error
	// Close ends the session.
	Close() error
}

// Client names a Driver implementation.
type Client string

// The clients compared.
const (
	ClientZkcurator      Client = "zkcurator"        // github.com/zkcurator/zkcurator/zk, blocking calls from g goroutines
	ClientZkcuratorAsync Client = "zkcurator-async"  // the same, its GetAsync/SetAsync futures: g in flight from one goroutine
	ClientGozk           Client = "gozk"             // github.com/go-zookeeper/zk
	ClientRaw            Client = "raw"              // the raw pipelining loop (Raw)
	ClientRawDecode      Client = "raw-decode"       // the raw loop that also decodes each reply and copies its data for a caller
	ClientRawDecodeReuse Client = "raw-decode-reuse" // raw-decode copying into reused buffers: no allocation per Get
)

// Clients lists every client in the order reports show them.
var Clients = []Client{ClientZkcurator, ClientZkcuratorAsync, ClientGozk, ClientRaw, ClientRawDecode, ClientRawDecodeReuse}

// Dial opens a session of client c to addr ("host:port"); NodePath must
// exist (see Prepare).
func Dial(ctx context.Context, c Client, addr string) (Driver, error) {
	switch c {
	case ClientZkcurator:
		return DialZkcurator(ctx, addr)
	case ClientZkcuratorAsync:
		return DialZkcuratorAsync(ctx, addr)
	case ClientGozk:
		return DialGozk(ctx, addr)
	case ClientRaw:
		return DialRaw(ctx, addr, NodePath, NodeData())
	case ClientRawDecode:
		return DialRawDecode(ctx, addr, NodePath, NodeData())
	case ClientRawDecodeReuse:
		return DialRawDecodeReuse(ctx, addr, NodePath, NodeData())
	}
	return nil, fmt.Errorf("harness: unknown client %q", c)
}

// parallel runs call n times, split as evenly as possible across g
// goroutines, and returns the first error (the others stop early).
func parallel(ctx context.Context, g, n int, call func(context.Context) error) error {
	if g < 1 {
		g = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for i := range g {
		share := n / g
		if i < n%g {
			share++
		}
		if share == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range share {
				if err := call(ctx); err != nil {
					mu.Lock()
					if first == nil { // recorded before cancel, so later context errors lose
						first = err
					}
					mu.Unlock()
					cancel()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
