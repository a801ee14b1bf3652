package party

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

func TestPartyJoinLeaveMembers(t *testing.T) {
	for _, shallow := range []bool{false, true} {
		t.Run(map[bool]string{false: "party", true: "shallow"}[shallow], func(t *testing.T) {
			srv := zktest.Server(t)
			ctx := zktest.Context(t)
			path := zktest.UniquePath(t) + "/workers"
			mk := New
			if shallow {
				mk = NewShallow
			}
			var ps []*Party
			for _, id := range []string{"a", "b-1", "c"} {
				p, err := mk(zktest.Connect(t, srv.ConnectString()), path, id)
				require.NoError(t, err)
				t.Cleanup(func() { require.NoError(t, p.Close()) })
				ps = append(ps, p)
			}
			n, err := ps[0].Len(ctx)
			require.NoError(t, err)
			require.Zero(t, n, "nobody joined")
			for _, p := range ps {
				require.NoError(t, p.Join(ctx))
				require.NoError(t, p.Join(ctx), "joining twice")
			}
			members, err := ps[0].Members(ctx)
			require.NoError(t, err)
			slices.Sort(members)
			require.Equal(t, []string{"a", "b-1", "c"}, members)

			require.NoError(t, ps[1].Leave(ctx))
			require.False(t, ps[1].Joined())
			n, err = ps[2].Len(ctx)
			require.NoError(t, err)
			require.Equal(t, 2, n)
			require.NoError(t, ps[0].Close())
			require.NoError(t, ps[0].Close())
			_, err = ps[0].Members(ctx)
			require.ErrorIs(t, err, zk.ErrClosed)
			require.ErrorIs(t, ps[0].Join(ctx), zk.ErrClosed)
			members, err = ps[2].Members(ctx)
			require.NoError(t, err)
			require.Equal(t, []string{"c"}, members)
		})
	}
}

// A member is back after its session expired (kazoo's is not).
func TestPartyMemberBackAfterExpiry(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	path := zktest.UniquePath(t) + "/p"
	c := zktest.Connect(t, srv.Addr())
	p, err := New(c, path, "me")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	require.NoError(t, p.Join(ctx))
	old := c.SessionID()
	require.True(t, srv.ExpireSession(old))
	zktest.Eventually(t, func() bool {
		id := c.SessionID()
		if id == 0 || id == old {
			return false
		}
		m, err := p.Members(ctx)
		return err == nil && slices.Equal(m, []string{"me"})
	}, "the member back in a new session")
}

func TestPartyArgs(t *testing.T) {
	c := zktest.Connect(t, zktest.Server(t).ConnectString())
	_, err := New(nil, "/p", "x")
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
	_, err = New(c, "p", "x")
	require.ErrorIs(t, err, zk.ErrInvalidPath)
	_, err = NewShallow(c, "/p", "a/b")
	require.ErrorIs(t, err, zk.ErrInvalidPath)
}
