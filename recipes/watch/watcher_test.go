package watch_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/watch"
	"github.com/zkcurator/zkcurator/zk"
)

func TestMain(m *testing.M) { zktest.Main(m) }

// rec records the watch events (not the resets) as "type path".
type rec struct {
	events zktest.Recorder[string]
	resets zktest.Recorder[bool]
}

func (r *rec) add(ev watch.Event) {
	if ev.Reset {
		r.resets.Add(true)
		return
	}
	r.events.Add(ev.Type.String() + " " + ev.Path)
}

func TestPersistentWatcherRecursive(t *testing.T) {
	ctx, c, p := zktest.Setup(t)
	w, err := watch.New(c, p, true)
	require.NoError(t, err)
	r := &rec{}
	w.Listen(r.add)
	require.NoError(t, w.Start(ctx))
	require.ErrorIs(t, w.Start(ctx), watch.ErrStarted)
	r.resets.WaitFor(t, true)

	_, _, err = c.CreateWith(ctx, p+"/a/b", nil, zk.CreateOptions{CreateParents: true})
	require.NoError(t, err)
	_, err = c.Set(ctx, p+"/a/b", []byte("x"), zk.AnyVersion)
	require.NoError(t, err)
	r.events.WaitFor(t,
		zk.EventNodeCreated.String()+" "+p,
		zk.EventNodeCreated.String()+" "+p+"/a",
		zk.EventNodeCreated.String()+" "+p+"/a/b",
		zk.EventNodeDataChanged.String()+" "+p+"/a/b")

	require.NoError(t, w.Close())
	require.NoError(t, w.Close())
	require.ErrorIs(t, w.Start(ctx), zk.ErrClosed)
}

// After the session expires the watch is set again on the new session and
// events keep coming.
func TestPersistentWatcherAfterSessionExpiry(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	c := zktest.Connect(t, srv.ConnectString())
	other := zktest.Connect(t, srv.ConnectString())
	p := zktest.UniquePath(t)
	_, _, err := other.CreateWith(ctx, p, nil, zk.CreateOptions{CreateParents: true})
	require.NoError(t, err)
	w, err := watch.New(c, p, false)
	require.NoError(t, err)
	defer w.Close()
	r := &rec{}
	w.Listen(r.add)
	require.NoError(t, w.Start(ctx))
	r.resets.WaitFor(t, true)

	require.True(t, srv.ExpireSession(c.SessionID()))
	r.resets.WaitFor(t, true, true)
	_, err = other.Set(ctx, p, []byte("after"), zk.AnyVersion)
	require.NoError(t, err)
	r.events.WaitFor(t, zk.EventNodeDataChanged.String()+" "+p)
}

func TestNewValidation(t *testing.T) {
	c := zktest.Connect(t, zktest.Server(t).ConnectString())
	_, err := watch.New(nil, "/a", false)
	require.ErrorIs(t, err, zk.ErrInvalidArgument)
	_, err = watch.New(c, "a", false)
	require.ErrorIs(t, err, zk.ErrInvalidPath)
	w, err := watch.New(c, "/a", false)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, w.Close())
}

// A dropped connection (same session) keeps the watch: the session core
// sets it again on the server (SetWatches2) and events keep coming without
// a Reset.
func TestPersistentWatcherAcrossDroppedConnection(t *testing.T) {
	srv := zktest.Embedded(t)
	ctx := zktest.Context(t)
	c, states := zktest.ConnectRecorded(t, srv.ConnectString())
	p := zktest.UniquePath(t)
	w, err := watch.New(c, p, false)
	require.NoError(t, err)
	defer w.Close()
	r := &rec{}
	w.Listen(r.add)
	require.NoError(t, w.Start(ctx))
	r.resets.WaitFor(t, true)

	require.Positive(t, srv.DropConnections())
	states.WaitFor(t, zk.Connected, zk.Suspended, zk.Reconnected)
	_, _, err = c.CreateWith(ctx, p, nil, zk.CreateOptions{CreateParents: true})
	require.NoError(t, err)
	r.events.WaitFor(t, zk.EventNodeCreated.String()+" "+p)
	require.Equal(t, []bool{true}, r.resets.Items(), "same session: no reset")
}
