package zktest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// Embedded servers are set up like the real ones the launcher starts: TTL
// nodes enabled, empty containers reaped within a moment. Options given
// to Embedded win.
func TestEmbeddedDefaults(t *testing.T) {
	s := Embedded(t)
	c := Connect(t, s.ConnectString())
	ctx := Context(t)
	_, _, err := c.CreateWith(ctx, "/ttl", nil, zk.CreateOptions{Mode: zk.ModePersistentTTL, TTL: time.Hour})
	require.NoError(t, err)
	_, err = c.Create(ctx, "/box", nil, zk.ModeContainer, nil)
	require.NoError(t, err)
	_, err = c.Create(ctx, "/box/k", nil, zk.ModePersistent, nil)
	require.NoError(t, err)
	require.NoError(t, c.Delete(ctx, "/box/k", -1))
	Eventually(t, func() bool { ok, _, _ := c.Exists(ctx, "/box"); return !ok }, "the emptied container is reaped")

	off := Embedded(t, testserver.WithExtendedTypes(false))
	c2 := Connect(t, off.ConnectString())
	_, _, err = c2.CreateWith(ctx, "/ttl", nil, zk.CreateOptions{Mode: zk.ModePersistentTTL, TTL: time.Hour})
	require.ErrorIs(t, err, zk.ErrUnimplemented)
}
