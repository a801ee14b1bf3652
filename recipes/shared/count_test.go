package shared_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/shared"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

func TestCount(t *testing.T) {
	srv := zktest.Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := zk.Connect(ctx, srv.ConnectString())
	require.NoError(t, err)
	defer c.Close()
	path := zktest.UniquePath(t) + "/count"

	cnt, err := shared.NewCount(c, path, 3)
	require.NoError(t, err)
	v, ver, err := cnt.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, int32(3), v, "seeded")

	data, _, err := c.Get(ctx, path)
	require.NoError(t, err)
	require.Equal(t, []byte{0, 0, 0, 3}, data, "Curator's encoding: 4 bytes big-endian")

	v, ch, err := cnt.GetW(ctx)
	require.NoError(t, err)
	require.Equal(t, int32(3), v)
	ok, err := cnt.TrySet(ctx, 5, ver)
	require.NoError(t, err)
	require.True(t, ok)
	select {
	case ev := <-ch:
		require.Equal(t, zk.EventNodeDataChanged, ev.Type)
	case <-ctx.Done():
		t.Fatal("no change event")
	}
	ok, err = cnt.TrySet(ctx, 6, ver)
	require.NoError(t, err)
	require.False(t, ok, "stale version")
	require.NoError(t, cnt.Set(ctx, -7))
	v, _, err = cnt.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, int32(-7), v)

	_, err = shared.Decode([]byte{1, 2})
	require.ErrorIs(t, err, shared.ErrBadCount)
}
