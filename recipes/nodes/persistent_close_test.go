package nodes_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

// TestPersistentNodeCloseSparesNodeMadeAgain: Close's delete, which fails
// while the Client is cut off and is retried in the background, leaves
// alone the node another session deleted and made again at the path
// meanwhile (a member registering the same id again). The retry used to
// delete whatever node was at the path by then.
func TestPersistentNodeCloseSparesNodeMadeAgain(t *testing.T) {
	for _, mode := range []zk.CreateMode{zk.ModePersistent, zk.ModeEphemeral} {
		t.Run(mode.String(), func(t *testing.T) {
			srv := zktest.Embedded(t)
			ctx := zktest.Context(t)
			c, rec := zktest.ConnectCuttable(t, srv.ConnectString())
			other, _ := zktest.ConnectRecorded(t, srv.ConnectString())
			n := startNode(t, ctx, c, "/member", mode, []byte("old"))

			// Whether Close's first attempt fails in this window or (on a
			// slow machine) runs after it, no attempt may delete the new node.
			zktest.CutOff(t, srv, c, rec, 2*time.Second)
			require.NoError(t, other.Delete(ctx, "/member", zk.AnyVersion))
			_, err := other.Create(ctx, "/member", []byte("new"), mode, nil)
			require.NoError(t, err)

			require.NoError(t, n.Close(), "the delete is done once the client is back")
			got, ok := data(t, other, "/member")
			require.True(t, ok, "the node made again must survive Close")
			require.Equal(t, "new", got)
		})
	}
}
