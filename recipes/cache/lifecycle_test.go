package cache

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// startCloser is what the lifecycle tests need of every kind of cache.
type startCloser interface {
	Start(ctx context.Context) error
	Close() error
	Listen(f func(Event)) (unsubscribe func())
}

// kinds builds each kind of cache on path.
var kinds = map[string]func(c *zk.Client, path string, opts ...Option) (startCloser, error){
	"node": func(c *zk.Client, p string, opts ...Option) (startCloser, error) {
		return NewNode(c, p, opts...)
	},
	"children": func(c *zk.Client, p string, opts ...Option) (startCloser, error) {
		return NewChildren(c, p, opts...)
	},
	"tree": func(c *zk.Client, p string, opts ...Option) (startCloser, error) {
		return NewTree(c, p, opts...)
	},
}

func TestConstructorsRejectBadArguments(t *testing.T) {
	c := zktest.Connect(t, zktest.Server(t).ConnectString())
	accept := func(string) bool { return true }
	for kind, newCache := range kinds {
		t.Run(kind, func(t *testing.T) {
			cases := []struct {
				name   string
				client *zk.Client
				path   string
				opts   []Option
				want   error
			}{
				{"nil client", nil, "/a", nil, ErrInvalidArgument},
				{"empty path", c, "", nil, zk.ErrInvalidPath},
				{"relative path", c, "a/b", nil, zk.ErrInvalidPath},
				{"trailing slash", c, "/a/", nil, zk.ErrInvalidPath},
				{"zero concurrency", c, "/a", []Option{WithConcurrency(0)}, ErrInvalidArgument},
				{"unknown watch mode", c, "/a", []Option{WithWatchMode(WatchMode(7))}, ErrInvalidArgument},
				{"nil filter", c, "/a", []Option{WithFilter(nil)}, ErrInvalidArgument},
			}
			if kind != "tree" {
				cases = append(cases, struct {
					name   string
					client *zk.Client
					path   string
					opts   []Option
					want   error
				}{"max depth", c, "/a", []Option{WithMaxDepth(2)}, ErrInvalidArgument})
			}
			if kind == "node" {
				cases = append(cases, struct {
					name   string
					client *zk.Client
					path   string
					opts   []Option
					want   error
				}{"filter", c, "/a", []Option{WithFilter(accept)}, ErrInvalidArgument})
			}
			for _, tc := range cases {
				got, err := newCache(tc.client, tc.path, tc.opts...)
				require.ErrorIs(t, err, tc.want, tc.name)
				require.ErrorContains(t, err, "cache: ", tc.name)
				require.Nil(t, got, tc.name)
			}
			// Valid options, nil options skipped.
			got, err := newCache(c, "/a", nil, WithConcurrency(1), WithData(false), WithWatchMode(WatchOneShot))
			require.NoError(t, err)
			require.NoError(t, got.Close())
		})
	}
}

func TestCloseIsIdempotentAndFinal(t *testing.T) {
	ctx, c, _ := zktest.Setup(t)
	for kind, newCache := range kinds {
		t.Run(kind+"/started", func(t *testing.T) {
			cc, err := newCache(c, zktest.UniquePath(t))
			require.NoError(t, err)
			require.NoError(t, cc.Start(ctx))
			require.NoError(t, cc.Close())
			require.NoError(t, cc.Close(), "second Close")
			err = cc.Start(ctx)
			require.ErrorIs(t, err, ErrClosed)
			require.ErrorIs(t, err, zk.ErrClosed)
			unsubscribe := cc.Listen(func(Event) {})
			unsubscribe()
			cc.Listen(nil)()
		})
		t.Run(kind+"/never started", func(t *testing.T) {
			cc, err := newCache(c, zktest.UniquePath(t))
			require.NoError(t, err)
			require.NoError(t, cc.Close())
			require.NoError(t, cc.Close(), "second Close")
			require.ErrorIs(t, cc.Start(ctx), zk.ErrClosed)
		})
	}
}

// A Start on a closed client fails at once with zk.ErrClosed rather than
// waiting for its context (or, with one-shot watches, reporting an empty
// cache as Initialized).
func TestStartOnClosedClientFails(t *testing.T) {
	srv := zktest.Server(t)
	for kind, newCache := range kinds {
		for _, mode := range []WatchMode{WatchAuto, WatchPersistent, WatchOneShot} {
			t.Run(kind+"/"+mode.String(), func(t *testing.T) {
				c := zktest.Connect(t, srv.ConnectString())
				p := zktest.UniquePath(t)
				_, err := c.Create(zktest.Context(t), p, []byte("x"), zk.ModePersistent, nil)
				require.NoError(t, err)
				cc, err := newCache(c, p, WithWatchMode(mode))
				require.NoError(t, err)
				defer cc.Close()
				require.NoError(t, c.Close())

				// Far longer than a failing Start takes: a Start that waits
				// for its context fails the test by its error.
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				err = cc.Start(ctx)
				require.ErrorIs(t, err, zk.ErrClosed)
				require.NoError(t, ctx.Err(), "Start waited for its context")
				require.NoError(t, cc.Close())
			})
		}
	}
}

// Closing the client under a started cache ends its work; the cache's
// Close still succeeds.
func TestClientClosedUnderStartedCache(t *testing.T) {
	_, c, p := zktest.Setup(t)
	tc := mustTree(t, c, p)
	rec := newRecorder(tc.Listen)
	require.NoError(t, tc.Start(zktest.Context(t)))
	require.NoError(t, c.Close())
	require.NoError(t, tc.Close())
	require.NoError(t, tc.Close())
	require.Zero(t, rec.count(Synced))
}
