package zktest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/zk"
)

// Fencer is what a lock holder or an election leader offers for fenced
// writes.
type Fencer interface {
	Fenced(ctx context.Context, ops ...zk.Op) ([]zk.OpResult, error)
}

// RequireFenced checks one holder (or leader) f on resource, an existing
// node read through c: a fenced write applies while f holds; once lose has
// taken the hold away, Fenced fails with wantErr and applies nothing.
func RequireFenced(t testing.TB, c *zk.Client, f Fencer, resource string, lose func(), wantErr error) {
	t.Helper()
	ctx := Context(t)
	res, err := f.Fenced(ctx, zk.SetOp(resource, []byte("by holder"), -1))
	require.NoError(t, err)
	require.Len(t, res, 1)
	require.NotNil(t, res[0].Stat)
	data, _, err := c.Get(ctx, resource)
	require.NoError(t, err)
	require.Equal(t, "by holder", string(data))

	lose()
	_, err = f.Fenced(ctx, zk.SetOp(resource, []byte("too late"), -1), zk.CreateOp(resource+"-x", nil, zk.ModePersistent, nil))
	require.ErrorIs(t, err, wantErr)
	data, _, err = c.Get(ctx, resource)
	require.NoError(t, err)
	require.Equal(t, "by holder", string(data), "a write after the hold was lost is not applied")
	require.False(t, Exists(t, c, resource+"-x"))
}
