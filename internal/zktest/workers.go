package zktest

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/zk"
)

// ConnectN opens n Clients to addr with Connect (each closed when the test
// ends): the "several processes on one ensemble" setup.
func ConnectN(t testing.TB, addr string, n int, opts ...zk.Option) []*zk.Client {
	t.Helper()
	clients := make([]*zk.Client, n)
	for i := range clients {
		clients[i] = Connect(t, addr, opts...)
	}
	return clients
}

// Workers runs work(0) … work(n-1) on n goroutines at once, waits for all
// of them and then requires that none returned an error. work reports a
// failure by returning it, since t.FailNow belongs to the test's goroutine.
func Workers(t testing.TB, n int, work func(w int) error) {
	t.Helper()
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() { errs <- work(w) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
