package zk_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
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
	ctx := zktest.Context(t)
	c := zktest.Connect(t, fs.addr()) // NoNode is not retried by any policy

	p, _, err := c.CreateWith(ctx, "/p/n", nil, zk.CreateOptions{CreateParentContainers: true})
	require.NoError(t, err)
	require.Equal(t, "/p/n", p)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 3, creates)
	require.Equal(t, 2, parentsOK)
}

// TestCreateParentContainersAncestorReaped: the server reaps a container
// ancestor between the Client making it and making its child (seen in the
// robustness suite as "create /robust-locks/sem/locks: node does not
// exist"). The fake server answers the second container create (/a/b) with
// NoNode, as if /a had been reaped; the parents are made again and the
// create succeeds.
func TestCreateParentContainersAncestorReaped(t *testing.T) {
	var (
		mu                  sync.Mutex
		creates, parents    int
		parentPaths         = []string{"/a", "/a/b"}
		parentAnswersNoNode = map[int]bool{2: true}
	)
	fs := newFakeServer(t, &fakeServer{timeout: 10000, answer: func(xid, op int32) []byte {
		mu.Lock()
		defer mu.Unlock()
		switch op {
		case jute.OpCreate2:
			creates++
			if creates == 1 {
				return replyFrame(xid, 1, jute.ErrNoNode, nil)
			}
			return replyFrame(xid, 1, 0, (&jute.Create2Response{Path: "/a/b/n"}).Encode(nil))
		case jute.OpCreateContainer:
			parents++
			if parentAnswersNoNode[parents] {
				return replyFrame(xid, 1, jute.ErrNoNode, nil)
			}
			return replyFrame(xid, 1, 0, (&jute.Create2Response{Path: parentPaths[(parents-1)%2]}).Encode(nil))
		}
		return nil
	}})
	ctx := zktest.Context(t)
	c := zktest.Connect(t, fs.addr())

	p, _, err := c.CreateWith(ctx, "/a/b/n", nil, zk.CreateOptions{CreateParentContainers: true})
	require.NoError(t, err)
	require.Equal(t, "/a/b/n", p)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 2, creates)
	require.Equal(t, 4, parents, "/a, /a/b (NoNode), then /a and /a/b again")
}
