package testserver

import (
	"time"

	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

// nextNotification reads the next frame, which must be a notification, and
// returns its reply-header zxid and event.
func (c *tclient) nextNotification() (int64, jute.WatcherEvent) {
	c.t.Helper()
	f, ok := c.next(10 * time.Second)
	require.True(c.t, ok, "connection closed while waiting for an event")
	require.Equal(c.t, jute.XidNotification, f.Header.Xid, "expected an event, got reply %+v", f.Header)
	var ev jute.WatcherEvent
	require.NoError(c.t, jute.Unmarshal(f.Body, &ev))
	return f.Header.Zxid, ev
}

// 3.9 puts the firing transaction's zxid in a notification's reply header
// (ZOOKEEPER-4655); events fired by setWatches have none (-1), as in
// DataTree.setWatches.
func TestVersion39NotificationZxid(t *testing.T) {
	s := embedded(t, WithVersion("3.9"))
	c := newSession(t, s.Addr())
	w := newSession(t, s.Addr())
	c.mustCreate("/n", nil, 0)
	_, code := w.getData("/n", true)
	require.Zero(t, code)
	_, h := c.setData("/n", []byte("x"), -1)
	require.Zero(t, h.Err)
	zxid, ev := w.nextNotification()
	require.Equal(t, h.Zxid, zxid)
	require.Equal(t, jute.EventNodeDataChanged, ev.Type)

	// An exists watch fires with the create's zxid.
	_, code = w.getData("/n", true)
	require.Zero(t, code)
	_, code = w.exists("/n/k", true)
	require.EqualValues(t, jute.ErrNoNode, code)
	c.mustCreate("/n/k", nil, 0)
	czxid, ev := w.nextNotification()
	require.Equal(t, jute.EventNodeCreated, ev.Type)
	require.Greater(t, czxid, h.Zxid)

	w.send(jute.XidSetWatches, jute.OpSetWatches, &jute.SetWatches{RelativeZxid: 0, DataWatches: []string{"/n"}})
	zxid, ev = w.nextNotification()
	require.EqualValues(t, -1, zxid, "an event of setWatches has no transaction")
	require.Equal(t, jute.EventNodeDataChanged, ev.Type)
	require.Equal(t, jute.XidSetWatches, w.await(jute.XidSetWatches).Header.Xid)
}

// srvr reports the emulated release; SetVersion switches it while running,
// with the ops it accepts.
func TestVersionLineAndSetVersion(t *testing.T) {
	for v, full := range map[string]string{"3.5": "3.5.10", "3.6": "3.6.4", "3.7": "3.7.2", "3.8": "3.8.0", "3.9": "3.9.3"} {
		s := embedded(t, WithVersion(v))
		require.Regexp(t, `^Zookeeper version: `+full+`-`, fourLetter(t, s.Addr(), "srvr"), v)
		require.Equal(t, full, s.Version())
	}
	s := embedded(t)
	c := newSession(t, s.Addr())
	var who jute.WhoAmIResponse
	require.Zero(t, c.call(jute.OpWhoAmI, nil, &who).Err)
	require.NoError(t, s.SetVersion("3.6"))
	require.Regexp(t, `^Zookeeper version: 3\.6\.4-`, fourLetter(t, s.Addr(), "srvr"))
	c.send(99, jute.OpWhoAmI, nil)
	frames := c.waitClosed()
	require.Len(t, frames, 1)
	require.Equal(t, jute.ErrUnimplemented, frames[0].Header.Err)
	require.Error(t, s.SetVersion("3.10"))
	require.Equal(t, "3.6.4", s.Version())
}
