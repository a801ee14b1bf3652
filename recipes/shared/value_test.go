package shared_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/shared"
	"github.com/zkcurator/zkcurator/zk"
)

func TestValue(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	c := zktest.Connect(t, srv.ConnectString())
	other := zktest.Connect(t, srv.ConnectString())
	p := zktest.UniquePath(t) + "/value"

	v, err := shared.NewValue(c, p, []byte("seed"))
	require.NoError(t, err)
	d, ver := v.Get()
	require.Equal(t, "seed", string(d))
	require.Equal(t, int32(-1), ver, "not read yet")
	_, err = v.TrySet(ctx, 0, nil)
	require.ErrorIs(t, err, shared.ErrValueNotStarted)
	seen := &zktest.Recorder[string]{}
	v.Listen(func(b []byte) { seen.Add(string(b)) })
	require.NoError(t, v.Start(ctx))
	require.ErrorIs(t, v.Start(ctx), shared.ErrValueStarted)
	raw, _, err := other.Get(ctx, p)
	require.NoError(t, err)
	require.Equal(t, "seed", string(raw), "raw bytes, as Curator stores them")
	d, ver = v.Get()
	require.Equal(t, "seed", string(d))
	require.Equal(t, int32(0), ver)

	ok, err := v.TrySet(ctx, ver, []byte("one"))
	require.NoError(t, err)
	require.True(t, ok)
	d, ver = v.Get()
	require.Equal(t, "one", string(d))
	require.Equal(t, int32(1), ver)

	_, err = other.Set(ctx, p, []byte("theirs"), zk.AnyVersion)
	require.NoError(t, err)
	zktest.Eventually(t, func() bool { d, _ := v.Get(); return string(d) == "theirs" }, "watch brings the other's value")
	ok, err = v.TrySet(ctx, ver, []byte("stale"))
	require.NoError(t, err)
	require.False(t, ok, "version moved on")
	_, err = v.TrySet(ctx, -1, []byte("x"))
	require.ErrorIs(t, err, zk.ErrInvalidArgument)

	require.NoError(t, v.Set(ctx, []byte("forced")))
	seen.WaitFor(t, "seed", "one", "theirs", "forced")

	require.NoError(t, v.Close())
	require.NoError(t, v.Close())
	require.ErrorIs(t, v.Set(ctx, nil), zk.ErrClosed)
	_, err = v.TrySet(ctx, 0, nil)
	require.ErrorIs(t, err, zk.ErrClosed)
	require.ErrorIs(t, v.Start(ctx), zk.ErrClosed)
}

// After a session expiry the value is read again on the new session and
// follows changes made meanwhile.
func TestValueAfterSessionExpiry(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	c := zktest.Connect(t, srv.ConnectString())
	other := zktest.Connect(t, srv.ConnectString())
	p := zktest.UniquePath(t) + "/value"
	v, err := shared.NewValue(c, p, []byte("a"))
	require.NoError(t, err)
	defer v.Close()
	require.NoError(t, v.Start(ctx))
	require.True(t, srv.ExpireSession(c.SessionID()))
	_, err = other.Set(ctx, p, []byte("b"), zk.AnyVersion)
	require.NoError(t, err)
	zktest.Eventually(t, func() bool { d, _ := v.Get(); return string(d) == "b" }, "value b")
	_, err = other.Set(ctx, p, []byte("c"), zk.AnyVersion)
	require.NoError(t, err)
	zktest.Eventually(t, func() bool { d, _ := v.Get(); return string(d) == "c" }, "watch set again on the new session")
}

func TestNewValueValidation(t *testing.T) {
	c := zktest.Connect(t, zktest.Server(t).ConnectString())
	_, err := shared.NewValue(nil, "/a", nil)
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
	_, err = shared.NewValue(c, "a", nil)
	require.ErrorIs(t, err, zk.ErrInvalidPath)
}

// A Start that failed (here: its context already ended) can be retried.
func TestValueStartRetriedAfterFailure(t *testing.T) {
	c := zktest.Connect(t, zktest.Server(t).ConnectString())
	p := zktest.UniquePath(t) + "/value"
	v, err := shared.NewValue(c, p, []byte("s"))
	require.NoError(t, err)
	defer v.Close()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, v.Start(done), context.Canceled)
	require.NoError(t, v.Start(zktest.Context(t)))
	d, _ := v.Get()
	require.Equal(t, "s", string(d))
}

// The listeners of a Value hear its changes in the node's order, though
// two goroutines report them: Set's caller (its own write) and the Value's
// (the watch brings another process's write). Every write here stores the
// version it makes, by a conditional set, from this Value and from another
// client at once: the versions heard must only grow.
func TestValueListenersHearChangesInOrder(t *testing.T) {
	srv := zktest.Server(t)
	ctx := zktest.Context(t)
	c := zktest.Connect(t, srv.ConnectString())
	other := zktest.Connect(t, srv.ConnectString())
	p := zktest.UniquePath(t) + "/value"
	v, err := shared.NewValue(c, p, []byte("0"))
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		heard []int
	)
	v.Listen(func(b []byte) {
		n, err := strconv.Atoi(string(b))
		require.NoError(t, err)
		mu.Lock()
		heard = append(heard, n)
		mu.Unlock()
	})
	require.NoError(t, v.Start(ctx))
	t.Cleanup(func() { require.NoError(t, v.Close()) })

	const writes = 300 // per writer
	var wg sync.WaitGroup
	stirring := make(chan struct{})
	var stir sync.WaitGroup
	stir.Go(func() { // contend for the listeners' lock, which both reporters take
		for {
			select {
			case <-stirring:
				return
			default:
				v.Listen(func([]byte) {})()
			}
		}
	})
	wg.Go(func() { // this Value's own writes
		for done := 0; done < writes; {
			_, ver := v.Get()
			ok, err := v.TrySet(ctx, ver, strconv.AppendInt(nil, int64(ver)+1, 10))
			require.NoError(t, err)
			if ok {
				done++
			}
		}
	})
	wg.Go(func() { // another process's writes
		for done := 0; done < writes; {
			_, st, err := other.Get(ctx, p)
			require.NoError(t, err)
			_, err = other.Set(ctx, p, strconv.AppendInt(nil, int64(st.Version)+1, 10), st.Version)
			if errors.Is(err, zk.ErrBadVersion) {
				continue
			}
			require.NoError(t, err)
			done++
		}
	})
	wg.Wait()
	close(stirring)
	stir.Wait()
	_, st, err := other.Get(ctx, p)
	require.NoError(t, err)
	last := int(st.Version)
	zktest.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(heard) > 0 && heard[len(heard)-1] >= last
	}, "the last write heard")
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(heard); i++ {
		require.Greater(t, heard[i], heard[i-1], "heard %v after %v", heard[i], heard[i-1])
	}
}
