package nodes_test

import (
	"context"
	"fmt"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/jute"
	"github.com/zkcurator/zkcurator/recipes/nodes"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

// startNode makes a PersistentNode of c at p, starts it and waits for its
// first create. The node is closed when the test ends (a test may close it
// first: Close is idempotent).
func startNode(t *testing.T, ctx context.Context, c *zk.Client, p string, mode zk.CreateMode, data []byte) *nodes.PersistentNode {
	t.Helper()
	n, err := nodes.NewPersistentNode(c, p, mode, data)
	require.NoError(t, err)
	t.Cleanup(func() { _ = n.Close() })
	require.NoError(t, n.Start())
	require.NoError(t, n.WaitForInitialCreate(ctx))
	return n
}

// data reads a node, "" when it does not exist.
func data(t *testing.T, c *zk.Client, p string) (string, bool) {
	t.Helper()
	b, _, err := c.Get(context.Background(), p)
	if err != nil {
		require.ErrorIs(t, err, zk.ErrNoNode)
		return "", false
	}
	return string(b), true
}

func TestPersistentNodeEphemeralRecreatedAfterDelete(t *testing.T) {
	ctx, c, other, base := zktest.Setup2(t)
	p := base + "/a/node"

	n, err := nodes.NewPersistentNode(c, p, zk.ModeEphemeral, []byte("v1"))
	require.NoError(t, err)
	creates := &zktest.Recorder[string]{}
	n.Listen(creates.Add)
	require.NoError(t, n.Start())
	require.ErrorIs(t, n.Start(), nodes.ErrStarted)
	require.NoError(t, n.WaitForInitialCreate(ctx))
	require.Equal(t, p, n.ActualPath())
	creates.WaitFor(t, p)
	_, st, err := other.Get(ctx, p)
	require.NoError(t, err)
	require.Equal(t, c.SessionID(), st.EphemeralOwner)

	require.NoError(t, other.Delete(ctx, p, zk.AnyVersion))
	creates.WaitFor(t, p, p)
	zktest.Eventually(t, func() bool { d, ok := data(t, other, p); return ok && d == "v1" }, "node created again with its data")

	require.NoError(t, n.SetData(ctx, []byte("v2")))
	d, _ := data(t, other, p)
	require.Equal(t, "v2", d)
	require.Equal(t, []byte("v2"), n.Data())

	require.NoError(t, n.Close())
	require.False(t, zktest.Exists(t, other, p), "Close deletes the node")
	require.NoError(t, n.Close(), "Close is idempotent")
	require.ErrorIs(t, n.SetData(ctx, nil), zk.ErrClosed)
	require.ErrorIs(t, n.Start(), zk.ErrClosed)
	require.ErrorIs(t, n.WaitForInitialCreate(ctx), zk.ErrClosed)
}

func TestPersistentNodeProtectedSequentialKeepsItsName(t *testing.T) {
	ctx, c, other, dir := zktest.Setup2(t)

	n := startNode(t, ctx, c, dir+"/member-", zk.ModeEphemeralSequential, []byte("x"))
	actual := n.ActualPath()
	name := path.Base(actual)
	require.True(t, strings.HasPrefix(name, zk.ProtectedPrefix), "protected by default: %s", name)
	require.Regexp(t, `^_c_[0-9a-f-]{36}-member-\d{10}$`, name, "Curator's protected sequential name")

	require.NoError(t, other.Delete(ctx, actual, zk.AnyVersion))
	zktest.Eventually(t, func() bool { _, ok := data(t, other, actual); return ok }, "re-created under the same name")
	require.Equal(t, actual, n.ActualPath())
	require.Len(t, zktest.Children(t, other, dir), 1, "no second node")
}

func TestPersistentNodePersistentSetsExistingData(t *testing.T) {
	ctx, c, base := zktest.Setup(t)
	p := base + "/p"
	_, _, err := c.CreateWith(ctx, p, []byte("old"), zk.CreateOptions{CreateParents: true})
	require.NoError(t, err)

	n := startNode(t, ctx, c, p, zk.ModePersistent, []byte("new"))
	d, _ := data(t, c, p)
	require.Equal(t, "new", d, "an existing node gets the node's data, as in Curator")
	require.NoError(t, n.Close())
	require.False(t, zktest.Exists(t, c, p))
}

// After the session expires the node is back within one session timeout and
// a round trip (the new session's Connected/Reconnected pokes it).
func TestPersistentNodeBackAfterSessionExpiry(t *testing.T) {
	ctx, srv, c, other, base := zktest.SetupEmbedded2(t)
	p := base + "/eph"

	startNode(t, ctx, c, p, zk.ModeEphemeral, []byte("me"))
	old := c.SessionID()
	exists, _, watch, err := other.ExistsW(ctx, p)
	require.NoError(t, err)
	require.True(t, exists)

	require.True(t, srv.ExpireSession(old))
	ev := zktest.Recv(t, watch)
	require.Equal(t, zk.EventNodeDeleted, ev.Type)
	gone := time.Now()
	zktest.Eventually(t, func() bool {
		_, st, err := other.Exists(ctx, p)
		return err == nil && st != nil && st.EphemeralOwner != 0 && st.EphemeralOwner != old
	}, "node back, owned by the new session")
	require.Less(t, time.Since(gone), zktest.SessionTimeout+5*time.Second, "within a session timeout and a round trip (generous bound)")
	_, st, err := other.Exists(ctx, p)
	require.NoError(t, err)
	require.Equal(t, c.SessionID(), st.EphemeralOwner)
}

func TestPersistentNodeValidation(t *testing.T) {
	c := zktest.Connect(t, zktest.Server(t).ConnectString())
	for name, tc := range map[string]struct {
		client *zk.Client
		path   string
		mode   zk.CreateMode
		opts   []nodes.Option
		want   error
	}{
		"nil client":   {nil, "/a", zk.ModeEphemeral, nil, zk.ErrInvalidArgument},
		"bad path":     {c, "a/b", zk.ModeEphemeral, nil, zk.ErrInvalidPath},
		"root":         {c, "/", zk.ModePersistent, nil, zk.ErrInvalidPath},
		"container":    {c, "/a", zk.ModeContainer, nil, zk.ErrInvalidArgument},
		"unknown mode": {c, "/a", zk.CreateMode(42), nil, zk.ErrInvalidArgument},
		"ttl, no ttl":  {c, "/a", zk.ModePersistentTTL, nil, zk.ErrInvalidArgument},
		"ttl not ttl":  {c, "/a", zk.ModeEphemeral, []nodes.Option{nodes.WithTTL(time.Second)}, zk.ErrInvalidArgument},
		"negative ttl": {c, "/a", zk.ModePersistentTTL, []nodes.Option{nodes.WithTTL(-time.Second)}, zk.ErrInvalidArgument},
		"nil option":   {c, "/a", zk.ModeEphemeral, []nodes.Option{nil}, zk.ErrInvalidArgument},
	} {
		t.Run(name, func(t *testing.T) {
			n, err := nodes.NewPersistentNode(tc.client, tc.path, tc.mode, nil, tc.opts...)
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, n)
		})
	}
	n, err := nodes.NewPersistentNode(c, "/never-started", zk.ModeEphemeral, nil)
	require.NoError(t, err)
	require.ErrorIs(t, n.WaitForInitialCreate(context.Background()), nodes.ErrNotStarted)
	require.NoError(t, n.Close())
	require.NoError(t, n.Close())
}

// Cut off from the server, the Client reports Lost shortly before the
// server expires its session and starts a new session. The node's old
// ephemeral (still there until that expiry) is this PersistentNode's own,
// so it is replaced at once, while the old session still exists, instead
// of being waited out. (A short close timeout lets the new session start
// within the margin between Lost and the expiry: the default waits up to
// 2s for the unreachable old session's close.)
func TestPersistentNodeReplacesOwnNodeOfLostSession(t *testing.T) {
	ctx, srv, other, base := zktest.SetupEmbedded(t)
	start := time.Now()
	c := zktest.Connect(t, srv.ConnectString(), zk.WithSessionTimeout(8*time.Second), zk.WithCloseTimeout(50*time.Millisecond), zk.WithStateListener(func(s zk.ConnectionState) { t.Logf("%v %v", time.Since(start), s) }))
	p := base + "/eph"

	n := startNode(t, ctx, c, p, zk.ModeEphemeral, []byte("me"))
	old := c.SessionID()
	_, _, watch, err := other.ExistsW(ctx, p)
	require.NoError(t, err)

	require.True(t, srv.Blackhole(old))
	n.Listen(func(string) { t.Logf("%v created", time.Since(start)) })
	ev := zktest.Recv(t, watch)
	t.Logf("%v deleted", time.Since(start))
	require.Equal(t, zk.EventNodeDeleted, ev.Type)
	require.Contains(t, srv.Sessions(), old, "deleted before the old session expired: replaced, not waited out")
	zktest.Eventually(t, func() bool {
		_, st, err := other.Exists(ctx, p)
		return err == nil && st != nil && st.EphemeralOwner == c.SessionID() && st.EphemeralOwner != old
	}, "node owned by the new session")
}

// The first create of a protected ephemeral-sequential node is applied but
// its reply lost with the connection: the retried create finds the node
// by its protected name instead of making a second one.
func TestPersistentNodeProtectedCreateReplyLost(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	c, states := zktest.ConnectRecorded(t, srv.ConnectString())
	dir := zktest.UniquePath(t)
	require.NoError(t, c.EnsurePath(ctx, dir))

	n, err := nodes.NewPersistentNode(c, dir+"/member-", zk.ModeEphemeralSequential, nil)
	require.NoError(t, err)
	defer n.Close()
	srv.DropAfterApply(jute.OpCreate2)
	require.NoError(t, n.Start())
	require.NoError(t, n.WaitForInitialCreate(ctx))
	require.Contains(t, states.Items(), zk.Suspended, "the fault fired")
	require.Equal(t, []string{path.Base(n.ActualPath())}, zktest.Children(t, c, dir), "one node")
}

// On a real ZooKeeper (ZKCURATOR_REAL_ZK=1): the owner is cut off past its
// session timeout, the server expires the session and deletes the node;
// once the network heals the node is back within a session timeout and a
// round trip, owned by the new session.
func TestPersistentNodeBackAfterSessionExpiryReal(t *testing.T) {
	addr := zktest.RealConnectString(t)
	ctx := zktest.Context(t)
	px := zktest.NewProxy(t, addr)
	c := zktest.Connect(t, px.Addr())
	other := zktest.Connect(t, addr)
	p := zktest.UniquePath(t) + "/eph"

	startNode(t, ctx, c, p, zk.ModeEphemeral, []byte("me"))
	old := c.SessionID()
	_, _, watch, err := other.ExistsW(ctx, p)
	require.NoError(t, err)

	px.Blackhole(true)
	ev := zktest.Recv(t, watch) // the server expired the session
	require.Equal(t, zk.EventNodeDeleted, ev.Type)
	px.Blackhole(false)
	healed := time.Now()
	zktest.Eventually(t, func() bool {
		_, st, err := other.Exists(ctx, p)
		return err == nil && st != nil && st.EphemeralOwner != 0 && st.EphemeralOwner != old
	}, "node back, owned by the new session")
	took := time.Since(healed)
	t.Logf("back %v after the network healed", took)
	require.Less(t, took, zktest.SessionTimeout+5*time.Second, "within a session timeout and a round trip (generous bound)")
	_, st, err := other.Exists(ctx, p)
	require.NoError(t, err)
	require.Equal(t, c.SessionID(), st.EphemeralOwner)
}

// Each SetData writes the node once: the node's own loop, woken by the data
// watch that write fires, does not write the same data a second time (it
// did when it read the node before SetData's write landed, and a cache of
// the node then saw every change twice), and never writes older data over
// newer.
func TestPersistentNodeSetDataWritesOnce(t *testing.T) {
	ctx := zktest.Context(t)
	srv := zktest.Server(t)
	c := zktest.Connect(t, srv.ConnectString())
	p := zktest.UniquePath(t) + "/n"
	n := startNode(t, ctx, c, p, zk.ModeEphemeral, []byte("v0"))
	const writes = 200
	for i := 1; i <= writes; i++ {
		require.NoError(t, n.SetData(ctx, []byte(fmt.Sprint("v", i))))
	}
	b, st, err := c.Get(ctx, p)
	require.NoError(t, err)
	require.Equal(t, fmt.Sprint("v", writes), string(b))
	require.EqualValues(t, writes, st.Version, "writes of the node's data")
}
