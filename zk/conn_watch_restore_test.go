package zk_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// TestWatchFiringDuringRestoreIsNotLost drops the connection of a session
// holding enough one-shot watches that their restore takes several
// SetWatches packets, and changes every watched node from another session
// while the watcher reconnects and restores: some changes land before the
// SetWatches (the server reports them from the relative zxid), some between
// the packets and some after. Every watch must fire exactly once.
func TestWatchFiringDuringRestoreIsNotLost(t *testing.T) {
	const n = 4000
	srv, ctx, c, w, paths := restoreFixture(t, "/restore-"+strings.Repeat("p", 80), n)
	chans := make([]<-chan zk.Event, n)
	for i, p := range paths {
		_, _, ch, err := c.GetW(ctx, p)
		require.NoError(t, err)
		chans[i] = ch
	}

	require.True(t, srv.DropSession(c.SessionID()), "the watcher's connection is dropped")
	runParallel(t, 16, paths, func(p string) error {
		_, err := w.Set(ctx, p, []byte("1"), -1)
		return err
	})

	deadline := time.After(20 * time.Second)
	for i, ch := range chans {
		select {
		case ev, ok := <-ch:
			require.True(t, ok, "watch %d: channel closed", i)
			require.Equal(t, zk.EventNodeDataChanged, ev.Type, "watch %d", i)
			require.Equal(t, paths[i], ev.Path)
		case <-deadline:
			t.Fatalf("watch %d of %d (%s) never fired", i, n, paths[i])
		}
	}
	// The session survived and the restored watches are spent: a new
	// change fires nothing on them, and a new watch works.
	_, _, ch, err := c.GetW(ctx, paths[0])
	require.NoError(t, err)
	_, err = w.Set(ctx, paths[0], []byte("2"), -1)
	require.NoError(t, err)
	require.Equal(t, zk.EventNodeDataChanged, recv(t, ch).Type)
	for i, ch := range chans {
		select {
		case ev, ok := <-ch:
			require.False(t, ok, "watch %d fired twice: %v", i, ev)
		default:
		}
	}
}

// restoreFixture starts an embedded server with a watcher Conn c and a
// writer Conn w, and makes n nodes of ~100-byte paths under parent: their
// watches are about 400 KB of SetWatches, 4 packets.
func restoreFixture(t *testing.T, parent string, n int) (*testserver.Server, context.Context, *zk.Conn, *zk.Conn, []string) {
	t.Helper()
	srv := zktest.Embedded(t)
	ctx := opCtx(t)
	c := dialConn(t, srv.ConnectString())
	w := dialConn(t, srv.ConnectString())
	_, err := w.Create(ctx, parent, nil, zk.ModePersistent, zk.OpenACLUnsafe)
	require.NoError(t, err)
	paths := make([]string, n)
	for i := range paths {
		paths[i] = fmt.Sprintf("%s/n%05d", parent, i)
	}
	runParallel(t, 16, paths, func(p string) error {
		_, err := w.Create(ctx, p, []byte("0"), zk.ModePersistent, zk.OpenACLUnsafe)
		return err
	})
	return srv, ctx, c, w, paths
}

// runParallel calls f for every item from g goroutines and fails the test
// on the first error.
func runParallel(t *testing.T, g int, items []string, f func(string) error) {
	t.Helper()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		next = make(chan string)
	)
	for range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range next {
				if err := f(it); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	for _, it := range items {
		next <- it
	}
	close(next)
	wg.Wait()
	require.Empty(t, errs)
}
