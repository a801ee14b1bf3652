package testserver

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

func TestCreateStatFields(t *testing.T) {
	addr, _ := target(t)
	c := newSession(t, addr)
	root := testRoot(t)

	resp, h := c.create2(jute.OpCreate2, root, []byte("hi"), jute.FlagPersistent, -1)
	require.EqualValues(t, 0, h.Err)
	require.Equal(t, root, resp.Path)
	st := resp.Stat
	require.Equal(t, h.Zxid, st.Czxid)
	require.Equal(t, h.Zxid, st.Mzxid)
	require.Equal(t, h.Zxid, st.Pzxid)
	require.Equal(t, st.Ctime, st.Mtime)
	require.NotZero(t, st.Ctime)
	require.Zero(t, st.Version)
	require.Zero(t, st.Cversion)
	require.Zero(t, st.Aversion)
	require.Zero(t, st.EphemeralOwner)
	require.EqualValues(t, 2, st.DataLength)
	require.Zero(t, st.NumChildren)
	require.Equal(t, st, c.stat(root))

	// A child changes cversion, numChildren and pzxid, not mzxid.
	_, h2 := c.create2(jute.OpCreate2, root+"/a", nil, jute.FlagPersistent, -1)
	require.EqualValues(t, 0, h2.Err)
	require.Equal(t, h.Zxid+1, h2.Zxid)
	pst := c.stat(root)
	require.EqualValues(t, 1, pst.Cversion)
	require.EqualValues(t, 1, pst.NumChildren)
	require.Equal(t, h2.Zxid, pst.Pzxid)
	require.Equal(t, h.Zxid, pst.Mzxid)

	// A failed write still uses a zxid.
	_, h3 := c.create2(jute.OpCreate2, root+"/a", nil, jute.FlagPersistent, -1)
	require.Equal(t, jute.ErrNodeExists, h3.Err)
	require.Equal(t, h2.Zxid+1, h3.Zxid)

	// Delete: pzxid moves; the reported cversion counts child changes
	// (2*creations - children).
	hd := c.call(jute.OpDelete, &jute.DeleteRequest{Path: root + "/a", Version: -1}, nil)
	require.EqualValues(t, 0, hd.Err)
	pst = c.stat(root)
	require.EqualValues(t, 2, pst.Cversion)
	require.Zero(t, pst.NumChildren)
	require.Equal(t, hd.Zxid, pst.Pzxid)

	// setData.
	sst, hs := c.setData(root, []byte("hello"), 0)
	require.EqualValues(t, 0, hs.Err)
	require.EqualValues(t, 1, sst.Version)
	require.Equal(t, hs.Zxid, sst.Mzxid)
	require.Equal(t, h.Zxid, sst.Czxid)
	require.GreaterOrEqual(t, sst.Mtime, sst.Ctime)
	require.EqualValues(t, 5, sst.DataLength)
	_, hs = c.setData(root, []byte("x"), 0)
	require.Equal(t, jute.ErrBadVersion, hs.Err)

	// Reads report the last zxid.
	require.Equal(t, hs.Zxid, c.ping().Zxid)
	var gd jute.GetDataResponse
	hr := c.call(jute.OpGetData, &jute.GetDataRequest{Path: root}, &gd)
	require.Equal(t, hs.Zxid, hr.Zxid)
	require.Equal(t, []byte("hello"), gd.Data)
}

func TestNullAndEmptyData(t *testing.T) {
	addr, _ := target(t)
	c := newSession(t, addr)
	root := testRoot(t)
	c.mustCreate(root, nil, 0)
	c.mustCreate(root+"/e", []byte{}, 0)
	d, err := c.getData(root, false)
	require.EqualValues(t, 0, err)
	require.Nil(t, d.Data)
	d, _ = c.getData(root+"/e", false)
	require.NotNil(t, d.Data)
	require.Empty(t, d.Data)
}

func TestInitialTree(t *testing.T) {
	addr, _ := target(t)
	c := newSession(t, addr)
	kids, err := c.children("/zookeeper", false)
	require.EqualValues(t, 0, err)
	require.ElementsMatch(t, []string{"config", "quota"}, kids)
	var acl jute.GetACLResponse
	h := c.call(jute.OpGetACL, &jute.GetACLRequest{Path: "/zookeeper/config"}, &acl)
	require.EqualValues(t, 0, h.Err)
	require.Equal(t, readACLUnsafe, acl.ACL)
	require.EqualValues(t, -1, acl.Stat.Aversion)
	// getData("") reads the root, as DataTree maps "" to it.
	_, e := c.getData("", false)
	require.EqualValues(t, 0, e)
}

func TestSequentialNumbering(t *testing.T) {
	addr, _ := target(t)
	c := newSession(t, addr)
	root := testRoot(t)
	c.mustCreate(root, nil, 0)
	c.mustCreate(root+"/plain", nil, 0) // cversion 1
	for i := 1; i <= 3; i++ {
		p := c.mustCreate(root+"/lock-", nil, jute.FlagEphemeralSequential)
		require.Equal(t, fmt.Sprintf("%s/lock-%010d", root, i), p)
	}
	require.EqualValues(t, 4, c.stat(root).Cversion)
	require.EqualValues(t, 0, c.delete(root+"/plain", -1))
	require.EqualValues(t, 5, c.stat(root).Cversion, "a delete is a child change")
	// ... but sequence numbers count creations only.
	p := c.mustCreate(root+"/x", nil, jute.FlagPersistentSequential)
	require.Equal(t, root+"/x0000000004", p)
	// A trailing slash is allowed with a sequential create.
	p = c.mustCreate(root+"/", nil, jute.FlagPersistentSequential)
	require.Equal(t, root+"/0000000005", p)
}

func TestCreateErrors(t *testing.T) {
	addr, _ := target(t)
	c := newSession(t, addr)
	root := testRoot(t)
	c.mustCreate(root, nil, 0)
	eph := c.mustCreate(root+"/eph", nil, jute.FlagEphemeral)
	cases := []struct {
		path  string
		flags int32
		want  int32
	}{
		{root + "/missing/child", 0, jute.ErrNoNode},
		{root, 0, jute.ErrNodeExists},
		{"/", 0, jute.ErrNodeExists},
		{eph + "/child", 0, jute.ErrNoChildrenForEphemerals},
		{"noslash", 0, jute.ErrBadArguments},
		{root + "/", 0, jute.ErrBadArguments},
		{root + "//x", 0, jute.ErrNoNode}, // the parent "root/" is looked up first
		{root + "/x/", 0, jute.ErrNoNode},
		{root + "/.", 0, jute.ErrBadArguments},
		{root + "/a\x01", 0, jute.ErrBadArguments},
		{root + "/ok", 9, jute.ErrBadArguments},
		{root + "/ttl", jute.FlagPersistentWithTTL, jute.ErrBadArguments}, // TTL mode without a TTL
	}
	for _, tc := range cases {
		_, err := c.create(tc.path, nil, tc.flags)
		require.Equal(t, tc.want, err, "create %q flags %d", tc.path, tc.flags)
	}
	h := c.call(jute.OpCreate, &jute.CreateRequest{Path: root + "/noacl", Flags: 0}, nil)
	require.Equal(t, jute.ErrInvalidACL, h.Err)
	h = c.call(jute.OpCreate, &jute.CreateRequest{Path: root + "/badacl", Flags: 0,
		ACL: []jute.ACL{{Perms: 31, ID: jute.Id{Scheme: "world", ID: "someone"}}}}, nil)
	require.Equal(t, jute.ErrInvalidACL, h.Err)
	h = c.call(jute.OpCreate, &jute.CreateRequest{Path: root + "/authacl", Flags: 0,
		ACL: []jute.ACL{{Perms: 31, ID: jute.Id{Scheme: "auth", ID: ""}}}}, nil)
	require.Equal(t, jute.ErrInvalidACL, h.Err, "auth scheme without an authenticated id")
}

func TestDeleteAndSetErrors(t *testing.T) {
	addr, _ := target(t)
	c := newSession(t, addr)
	root := testRoot(t)
	c.mustCreate(root, nil, 0)
	c.mustCreate(root+"/kid", nil, 0)
	require.Equal(t, jute.ErrNotEmpty, c.delete(root, -1))
	require.Equal(t, jute.ErrBadVersion, c.delete(root+"/kid", 3))
	require.Equal(t, jute.ErrNoNode, c.delete(root+"/none", -1))
	require.Equal(t, jute.ErrBadArguments, c.delete("/", -1))
	require.Equal(t, jute.ErrBadArguments, c.delete("/zookeeper", -1))
	require.Equal(t, jute.ErrBadArguments, c.delete("x", -1))
	require.EqualValues(t, 0, c.delete(root+"/kid", 0))
	_, h := c.setData(root+"/none", nil, -1)
	require.Equal(t, jute.ErrNoNode, h.Err)
	_, h = c.setData("bad", nil, -1)
	require.Equal(t, jute.ErrBadArguments, h.Err)
	_, err := c.exists("/a\x00b", false)
	require.Equal(t, jute.ErrBadArguments, err)
	_, err = c.getData(root+"/none", true)
	require.Equal(t, jute.ErrNoNode, err)
}

func TestChildrenAndCounts(t *testing.T) {
	addr, _ := target(t)
	c := newSession(t, addr)
	root := testRoot(t)
	c.mustCreate(root, nil, 0)
	for _, n := range []string{"b", "a", "c"} {
		c.mustCreate(root+"/"+n, nil, 0)
	}
	c.mustCreate(root+"/a/x", nil, 0)
	kids, err := c.children(root, false)
	require.EqualValues(t, 0, err)
	require.ElementsMatch(t, []string{"a", "b", "c"}, kids)
	var g2 jute.GetChildren2Response
	h := c.call(jute.OpGetChildren2, &jute.GetChildren2Request{Path: root}, &g2)
	require.EqualValues(t, 0, h.Err)
	require.ElementsMatch(t, kids, g2.Children)
	require.EqualValues(t, 3, g2.Stat.NumChildren)
	require.EqualValues(t, 3, g2.Stat.Cversion)
	require.EqualValues(t, -2, c.stat("/zookeeper").Cversion, "quirk: built-in children were never created")

	var n jute.GetAllChildrenNumberResponse
	h = c.call(jute.OpGetAllChildrenNumber, &jute.GetAllChildrenNumberRequest{Path: root}, &n)
	require.EqualValues(t, 0, h.Err)
	require.EqualValues(t, 4, n.Value)
	h = c.call(jute.OpGetAllChildrenNumber, &jute.GetAllChildrenNumberRequest{Path: "/zookeeper"}, &n)
	require.EqualValues(t, 0, h.Err)
	require.EqualValues(t, 2, n.Value)
	require.Equal(t, jute.ErrNoNode, c.errOf(jute.OpGetAllChildrenNumber, &jute.GetAllChildrenNumberRequest{Path: root + "/zz"}))
	_, err = c.children(root+"/zz", false)
	require.Equal(t, jute.ErrNoNode, err)
}

func TestSyncWhoAmIEphemerals(t *testing.T) {
	addr, _ := target(t)
	c := newSession(t, addr)
	root := testRoot(t)
	var sr jute.SyncResponse
	h := c.call(jute.OpSync, &jute.SyncRequest{Path: "/anything"}, &sr)
	require.EqualValues(t, 0, h.Err)
	require.Equal(t, "/anything", sr.Path)

	var who jute.WhoAmIResponse
	h = c.call(jute.OpWhoAmI, nil, &who)
	require.EqualValues(t, 0, h.Err)
	require.Equal(t, []jute.ClientInfo{{AuthScheme: "ip", User: "127.0.0.1"}}, who.ClientInfo)
	require.EqualValues(t, 0, c.auth("digest", "bob:secret"))
	h = c.call(jute.OpWhoAmI, nil, &who)
	require.EqualValues(t, 0, h.Err)
	// ZooKeeper keeps auth ids in a hash set: this is its iteration order.
	require.Equal(t, []jute.ClientInfo{{AuthScheme: "digest", User: "bob"}, {AuthScheme: "ip", User: "127.0.0.1"}}, who.ClientInfo)

	c.mustCreate(root, nil, 0)
	e1 := c.mustCreate(root+"/e1", nil, jute.FlagEphemeral)
	e2 := c.mustCreate(root+"/e2", nil, jute.FlagEphemeral)
	other := newSession(t, addr)
	other.mustCreate(root+"/o", nil, jute.FlagEphemeral)
	var eph jute.GetEphemeralsResponse
	h = c.call(jute.OpGetEphemerals, &jute.GetEphemeralsRequest{Path: root}, &eph)
	require.EqualValues(t, 0, h.Err)
	require.ElementsMatch(t, []string{e1, e2}, eph.Items)
	h = c.call(jute.OpGetEphemerals, &jute.GetEphemeralsRequest{Path: root + "/e2"}, &eph)
	require.EqualValues(t, 0, h.Err)
	require.Equal(t, []string{e2}, eph.Items)
}

func TestStandaloneCheckAndReconfig(t *testing.T) {
	addr, _ := target(t)
	c := newSession(t, addr)
	root := testRoot(t)
	c.mustCreate(root, nil, 0)
	z := c.ping().Zxid
	require.Equal(t, jute.ErrBadVersion, c.errOf(jute.OpCheck, &jute.CheckVersionRequest{Path: root, Version: 4}))
	require.Equal(t, jute.ErrNoNode, c.errOf(jute.OpCheck, &jute.CheckVersionRequest{Path: root + "/x", Version: -1}))
	// A successful standalone check is applied but never answered by 3.8.0.
	c.send(100, jute.OpCheck, &jute.CheckVersionRequest{Path: root, Version: 0})
	require.Equal(t, z+3, c.ping().Zxid)
	c.xid = 100
	// reconfig is disabled on a standalone server.
	h := c.call(jute.OpReconfig, &stringsRecord{"", "", "", -1}, nil)
	require.Equal(t, jute.ErrReconfigDisabled, h.Err)
	require.Equal(t, z+4, h.Zxid)
}

// stringsRecord encodes a ReconfigRequest.
type stringsRecord struct {
	a, b, c string
	id      int64
}

func (r *stringsRecord) Encode(b []byte) []byte {
	b = jute.AppendString(b, r.a)
	b = jute.AppendString(b, r.b)
	b = jute.AppendString(b, r.c)
	return jute.AppendLong(b, r.id)
}
func (r *stringsRecord) Decode(d *jute.Decoder) {}

func TestMarshallingErrors(t *testing.T) {
	addr, _ := target(t)
	c := newSession(t, addr)
	z := c.ping().Zxid
	// A garbled write body: MarshallingError, a zxid used, connection open.
	h := c.call(jute.OpCreate, &jute.IntRecord{Value: 99}, nil)
	require.Equal(t, jute.ErrMarshallingError, h.Err)
	require.Equal(t, z+1, h.Zxid)
	// A garbled read body: MarshallingError, no zxid.
	h = c.call(jute.OpGetData, &jute.IntRecord{Value: 99}, nil)
	require.Equal(t, jute.ErrMarshallingError, h.Err)
	require.Equal(t, z+1, h.Zxid)
	require.EqualValues(t, 0, c.ping().Err)
}

func TestUnknownOpClosesConnection(t *testing.T) {
	addr, _ := target(t)
	for _, op := range []int32{55, 0, 10} {
		c := newSession(t, addr)
		c.send(7, op, nil)
		frames := c.waitClosed()
		require.Len(t, frames, 1)
		require.Equal(t, jute.ReplyHeader{Xid: 7, Zxid: -1, Err: jute.ErrUnimplemented}, frames[0].Header)
	}
}

func TestTruncatedHeaderClosesConnection(t *testing.T) {
	addr, _ := target(t)
	c := newSession(t, addr)
	c.sendRaw([]byte{0, 0, 0, 2, 1, 2})
	require.Empty(t, c.waitClosed())
}

func TestOversizedFrameClosesConnection(t *testing.T) {
	s := embedded(t, WithMaxBuffer(1024))
	c := newSession(t, s.Addr())
	c.sendRaw([]byte{0, 0, 4, 1}) // 1025 bytes announced
	require.Empty(t, c.waitClosed())
	c2 := newSession(t, s.Addr())
	c2.sendRaw([]byte{0xff, 0xff, 0xff, 0xff}) // negative
	require.Empty(t, c2.waitClosed())
	// Exactly the limit is fine.
	c3 := newSession(t, s.Addr())
	big := make([]byte, 1024-8-(4+8)-4-4-4) // header, path, data length, acl, flags
	root := testRoot(t)
	h := c3.call(jute.OpCreate, &jute.CreateRequest{Path: root[:8], Data: big, ACL: nil}, nil)
	require.Equal(t, jute.ErrInvalidACL, h.Err)
}
