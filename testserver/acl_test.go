package testserver

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

func TestDigestACL(t *testing.T) {
	addr, _ := target(t)
	root := testRoot(t)
	owner := newSession(t, addr)
	require.EqualValues(t, 0, owner.auth("digest", "alice:pw"))
	aliceID := jute.Id{Scheme: "digest", ID: digestOf("alice:pw")}
	h := owner.call(jute.OpCreate, &jute.CreateRequest{Path: root, Data: []byte("s"), Flags: 0,
		ACL: []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "auth"}}, {Perms: jute.PermRead, ID: jute.Id{Scheme: "world", ID: "anyone"}}}}, nil)
	require.EqualValues(t, 0, h.Err)
	var acl jute.GetACLResponse
	require.EqualValues(t, 0, owner.call(jute.OpGetACL, &jute.GetACLRequest{Path: root}, &acl).Err)
	require.Equal(t, []jute.ACL{{Perms: jute.PermAll, ID: aliceID}, readACLUnsafe[0]}, acl.ACL, "auth expands to the digest id")

	other := newSession(t, addr)
	_, err := other.getData(root, false)
	require.EqualValues(t, 0, err, "world READ")
	_, hs := other.setData(root, []byte("x"), -1)
	require.Equal(t, jute.ErrNoAuth, hs.Err)
	_, err = other.create(root+"/kid", nil, 0)
	require.Equal(t, jute.ErrNoAuth, err)
	require.EqualValues(t, 0, other.call(jute.OpGetACL, &jute.GetACLRequest{Path: root}, &acl).Err)
	require.Equal(t, "alice:x", acl.ACL[0].ID.ID, "digests are masked without ADMIN")
	h = other.call(jute.OpSetACL, &jute.SetACLRequest{Path: root, ACL: openACLUnsafe, Version: -1}, nil)
	require.Equal(t, jute.ErrNoAuth, h.Err)

	require.EqualValues(t, 0, other.auth("digest", "alice:pw"))
	_, hs = other.setData(root, []byte("x"), -1)
	require.EqualValues(t, 0, hs.Err)
	var st jute.SetACLResponse
	h = other.call(jute.OpSetACL, &jute.SetACLRequest{Path: root, ACL: []jute.ACL{{Perms: jute.PermRead | jute.PermAdmin, ID: aliceID}}, Version: 3}, &st)
	require.Equal(t, jute.ErrBadVersion, h.Err)
	h = other.call(jute.OpSetACL, &jute.SetACLRequest{Path: root, ACL: []jute.ACL{{Perms: jute.PermRead | jute.PermAdmin, ID: aliceID}}, Version: 0}, &st)
	require.EqualValues(t, 0, h.Err)
	require.EqualValues(t, 1, st.Stat.Aversion)
	require.EqualValues(t, 1, st.Stat.Version, "setACL leaves the data version")

	anon := newSession(t, addr)
	_, err = anon.getData(root, false)
	require.Equal(t, jute.ErrNoAuth, err)
	_, err = anon.exists(root, false)
	require.EqualValues(t, 0, err, "exists needs no permission")
	_, err = anon.children(root, false)
	require.Equal(t, jute.ErrNoAuth, err)
	require.Equal(t, jute.ErrNoAuth, anon.errOf(jute.OpGetACL, &jute.GetACLRequest{Path: root}))
}

func TestDeleteNeedsDeleteOnParent(t *testing.T) {
	root, c := oneSession(t)
	c.mustCreate(root, nil, 0)
	c.mustCreate(root+"/k", nil, 0)
	h := c.call(jute.OpSetACL, &jute.SetACLRequest{Path: root, ACL: []jute.ACL{{Perms: jute.PermAll &^ jute.PermDelete, ID: jute.Id{Scheme: "world", ID: "anyone"}}}, Version: -1}, nil)
	require.EqualValues(t, 0, h.Err)
	require.Equal(t, jute.ErrNoAuth, c.delete(root+"/k", -1))
}

func TestIPACL(t *testing.T) {
	root, c := oneSession(t)
	h := c.call(jute.OpCreate, &jute.CreateRequest{Path: root, ACL: []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "ip", ID: "127.0.0.0/8"}}}}, nil)
	require.EqualValues(t, 0, h.Err)
	_, err := c.getData(root, false)
	require.EqualValues(t, 0, err)
	h = c.call(jute.OpCreate, &jute.CreateRequest{Path: root + "/far", ACL: []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "ip", ID: "10.1.2.3"}}}}, nil)
	require.EqualValues(t, 0, h.Err)
	_, err = c.getData(root+"/far", false)
	require.Equal(t, jute.ErrNoAuth, err)
	h = c.call(jute.OpCreate, &jute.CreateRequest{Path: root + "/bad", ACL: []jute.ACL{{Perms: jute.PermAll, ID: jute.Id{Scheme: "ip", ID: "10.1.2.3/99"}}}}, nil)
	require.Equal(t, jute.ErrInvalidACL, h.Err)
}

func TestAuthFailureClosesConnection(t *testing.T) {
	addr, _ := target(t)
	c := newSession(t, addr)
	c.send(jute.XidAuth, jute.OpAuth, &jute.AuthPacket{Scheme: "kerberos", Auth: []byte("x")})
	frames := c.waitClosed()
	require.Len(t, frames, 1)
	require.Equal(t, jute.ReplyHeader{Xid: jute.XidAuth, Zxid: 0, Err: jute.ErrAuthFailed}, frames[0].Header)
}
