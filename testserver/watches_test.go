package testserver

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

func TestDataWatchIsOneShot(t *testing.T) {
	root, w, m := twoSessions(t)
	m.mustCreate(root, nil, 0)
	_, err := w.getData(root, true)
	require.EqualValues(t, 0, err)
	m.setData(root, []byte("1"), -1)
	w.expectEvents(ev(jute.EventNodeDataChanged, root))
	m.setData(root, []byte("2"), -1)
	w.noEvents()
}

func TestExistsWatch(t *testing.T) {
	root, w, m := twoSessions(t)
	_, err := w.exists(root, true)
	require.Equal(t, jute.ErrNoNode, err, "exists leaves a watch on a missing node")
	m.mustCreate(root, nil, 0)
	w.expectEvents(ev(jute.EventNodeCreated, root))
	_, err = w.exists(root, true)
	require.EqualValues(t, 0, err)
	require.EqualValues(t, 0, m.delete(root, -1))
	w.expectEvents(ev(jute.EventNodeDeleted, root))
	// getData on a missing node leaves no watch.
	_, err = w.getData(root, true)
	require.Equal(t, jute.ErrNoNode, err)
	m.mustCreate(root, nil, 0)
	w.noEvents()
}

func TestChildWatchAndDeleteDedup(t *testing.T) {
	root, w, m := twoSessions(t)
	m.mustCreate(root, nil, 0)
	_, err := w.children(root, true)
	require.EqualValues(t, 0, err)
	m.mustCreate(root+"/a", nil, 0)
	w.expectEvents(ev(jute.EventNodeChildrenChanged, root))
	// Data and child watch on the same node: one NodeDeleted.
	_, err = w.getData(root+"/a", true)
	require.EqualValues(t, 0, err)
	_, err = w.children(root+"/a", true)
	require.EqualValues(t, 0, err)
	_, err = w.children(root, true)
	require.EqualValues(t, 0, err)
	require.EqualValues(t, 0, m.delete(root+"/a", -1))
	w.expectEvents(ev(jute.EventNodeDeleted, root+"/a"), ev(jute.EventNodeChildrenChanged, root))
}

func TestEventPrecedesReplyOfOwnWrite(t *testing.T) {
	root, c := oneSession(t)
	c.mustCreate(root, nil, 0)
	_, err := c.getData(root, true)
	require.EqualValues(t, 0, err)
	_, h := c.setData(root, []byte("x"), -1)
	require.EqualValues(t, 0, h.Err)
	require.Equal(t, []jute.WatcherEvent{ev(jute.EventNodeDataChanged, root)}, c.events,
		"the event is read before the reply")
}

func TestPersistentWatch(t *testing.T) {
	root, w, m := twoSessions(t)
	require.EqualValues(t, 0, w.addWatch(root, jute.AddWatchPersistent), "addWatch on a missing node")
	m.mustCreate(root, nil, 0)
	m.setData(root, []byte("1"), -1)
	m.mustCreate(root+"/a", nil, 0)
	m.mustCreate(root+"/a/b", nil, 0) // grandchild: not seen
	m.setData(root+"/a", nil, -1)     // child data: not seen
	require.EqualValues(t, 0, m.delete(root+"/a/b", -1))
	require.EqualValues(t, 0, m.delete(root+"/a", -1))
	require.EqualValues(t, 0, m.delete(root, -1))
	m.mustCreate(root, nil, 0) // still registered
	w.expectEvents(
		ev(jute.EventNodeCreated, root),
		ev(jute.EventNodeDataChanged, root),
		ev(jute.EventNodeChildrenChanged, root),
		ev(jute.EventNodeChildrenChanged, root),
		ev(jute.EventNodeDeleted, root),
		ev(jute.EventNodeCreated, root),
	)
}

func TestPersistentRecursiveWatch(t *testing.T) {
	root, w, m := twoSessions(t)
	m.mustCreate(root, nil, 0)
	require.EqualValues(t, 0, w.addWatch(root, jute.AddWatchPersistentRecursive))
	m.mustCreate(root+"/a", nil, 0)
	m.mustCreate(root+"/a/b", nil, 0)
	m.setData(root+"/a/b", []byte("x"), -1)
	require.EqualValues(t, 0, m.delete(root+"/a/b", -1))
	m.setData(root, []byte("y"), -1)
	w.expectEvents(
		ev(jute.EventNodeCreated, root+"/a"),
		ev(jute.EventNodeCreated, root+"/a/b"),
		ev(jute.EventNodeDataChanged, root+"/a/b"),
		ev(jute.EventNodeDeleted, root+"/a/b"),
		ev(jute.EventNodeDataChanged, root),
	)
	// A one-shot watch on a watched descendant: still one event.
	_, err := w.getData(root+"/a", true)
	require.EqualValues(t, 0, err)
	m.setData(root+"/a", nil, -1)
	w.expectEvents(ev(jute.EventNodeDataChanged, root+"/a"))
}

func TestOneShotWatchReplacesPersistentMode(t *testing.T) {
	// ZooKeeper 3.8 keeps one mode per (connection, path): a one-shot watch
	// registered over a persistent one turns it into a one-shot watch.
	addr, _ := target(t)
	root := testRoot(t)
	w := newSession(t, addr)
	m := newSession(t, addr)
	m.mustCreate(root, nil, 0)
	require.EqualValues(t, 0, w.addWatch(root, jute.AddWatchPersistent))
	_, err := w.getData(root, true)
	require.EqualValues(t, 0, err)
	m.setData(root, []byte("1"), -1)
	m.setData(root, []byte("2"), -1)
	m.mustCreate(root+"/c", nil, 0) // the child half is still persistent
	w.expectEvents(ev(jute.EventNodeDataChanged, root), ev(jute.EventNodeChildrenChanged, root))
}

func TestCheckAndRemoveWatches(t *testing.T) {
	root, w, m := twoSessions(t)
	m.mustCreate(root, nil, 0)
	check := func(c *tclient, typ int32) int32 {
		return c.errOf(jute.OpCheckWatches, &jute.CheckWatchesRequest{Path: root, Type: typ})
	}
	remove := func(c *tclient, typ int32) int32 {
		return c.errOf(jute.OpRemoveWatches, &jute.RemoveWatchesRequest{Path: root, Type: typ})
	}
	require.Equal(t, jute.ErrNoWatcher, check(w, jute.WatcherData))
	_, err := w.getData(root, true)
	require.EqualValues(t, 0, err)
	require.EqualValues(t, 0, check(w, jute.WatcherData))
	require.Equal(t, jute.ErrNoWatcher, check(w, jute.WatcherChildren))
	require.EqualValues(t, 0, check(w, jute.WatcherAny))
	// 3.8.0 quirk: checkWatches only asks whether anyone watches the path.
	require.EqualValues(t, 0, check(m, jute.WatcherData))
	require.Equal(t, jute.ErrNoWatcher, remove(m, jute.WatcherData))
	require.EqualValues(t, 0, remove(w, jute.WatcherAny))
	require.Equal(t, jute.ErrNoWatcher, remove(w, jute.WatcherData))
	require.Equal(t, jute.ErrMarshallingError, check(w, 9))
	m.setData(root, nil, -1)
	w.noEvents()
	// removeWatches also removes persistent watches.
	require.EqualValues(t, 0, w.addWatch(root, jute.AddWatchPersistent))
	require.EqualValues(t, 0, remove(w, jute.WatcherAny))
	m.setData(root, nil, -1)
	w.noEvents()
}

func TestSetWatchesFiresMissedEvents(t *testing.T) {
	addr, _ := target(t)
	root := testRoot(t)
	m := newSession(t, addr)
	m.mustCreate(root, nil, 0)
	for _, n := range []string{"same", "changed", "deleted", "kids"} {
		m.mustCreate(root+"/"+n, nil, 0)
	}
	rel := m.ping().Zxid
	m.setData(root+"/changed", []byte("x"), -1)
	require.EqualValues(t, 0, m.delete(root+"/deleted", -1))
	m.mustCreate(root+"/kids/k", nil, 0)
	m.mustCreate(root+"/born", nil, 0)

	w := newSession(t, addr)
	sw := jute.SetWatches{
		RelativeZxid: rel,
		DataWatches:  []string{root + "/same", root + "/changed", root + "/deleted"},
		ExistWatches: []string{root + "/born", root + "/unborn"},
		ChildWatches: []string{root + "/kids", root + "/same"},
	}
	w.send(jute.XidSetWatches, jute.OpSetWatches, &sw)
	f := w.await(jute.XidSetWatches)
	require.EqualValues(t, 0, f.Header.Err)
	require.Equal(t, []jute.WatcherEvent{
		ev(jute.EventNodeDataChanged, root+"/changed"),
		ev(jute.EventNodeDeleted, root+"/deleted"),
		ev(jute.EventNodeCreated, root+"/born"),
		ev(jute.EventNodeChildrenChanged, root+"/kids"),
	}, w.events, "missed events come before the reply")
	w.events = nil
	// The others are registered.
	m.setData(root+"/same", nil, -1)
	m.mustCreate(root+"/unborn", nil, 0)
	m.mustCreate(root+"/same/k", nil, 0)
	w.expectEvents(ev(jute.EventNodeDataChanged, root+"/same"), ev(jute.EventNodeCreated, root+"/unborn"),
		ev(jute.EventNodeChildrenChanged, root+"/same"))

	// SetWatches2 restores persistent watches.
	w2 := newSession(t, addr)
	sw2 := jute.SetWatches2{RelativeZxid: m.ping().Zxid, PersistentWatches: []string{root},
		PersistentRecursiveWatches: []string{root + "/kids"}}
	w2.send(jute.XidSetWatches, jute.OpSetWatches2, &sw2)
	require.EqualValues(t, 0, w2.await(jute.XidSetWatches).Header.Err)
	m.setData(root, nil, -1)
	m.mustCreate(root+"/kids/k/deep", nil, 0)
	w2.expectEvents(ev(jute.EventNodeDataChanged, root), ev(jute.EventNodeCreated, root+"/kids/k/deep"))
}
