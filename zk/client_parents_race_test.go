package zk_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/zk"
)

// TestCreateParentContainersReapedBeforeCreate: the server reaps an empty
// container parent between the Client making it and the create under it
// (seen in the robustness suite as a lock acquire failing with NoNode).
// The fake server answers the first two creates with NoNode, as if the
// parent had been reaped each time; the create must make the parent again
// and succeed instead of returning NoNode.
func TestCreateParentContainersReapedBeforeCreate(t *testing.T) {
	var (
		mu                 sync.Mutex
		creates, parentsOK int
	)
	fs := newFakeServer(t, &fakeServer{timeout: 10000, answer: func(xid, op int32) []byte {
		mu.Lock()
		defer mu.Unlock()
		switch op {
		case jute.OpCreate2:
			creates++
			if creates <= 2 {
				return replyFrame(xid, 1, jute.ErrNoNode, nil)
			}
			return replyFrame(xid, 1, 0, (&jute.Create2Response{Path: "/p/n"}).Encode(nil))
		case jute.OpCreateContainer:
			parentsOK++
			return replyFrame(xid, 1, 0, (&jute.Create2Response{Path: "/p"}).Encode(nil))
		}
		return nil
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := zk.Connect(ctx, fs.addr()) // NoNode is not retried by any policy
	require.NoError(t, err)
	defer c.Close()

	p, _, err := c.CreateWith(ctx, "/p/n", nil, zk.CreateOptions{CreateParentContainers: true})
	require.NoError(t, err)
	require.Equal(t, "/p/n", p)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 3, creates)
	require.Equal(t, 2, parentsOK)
}
