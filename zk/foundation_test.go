package zk

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zkcurator/zkcurator/jute"
)

func TestErrorsMatchSentinels(t *testing.T) {
	err := wrapErr("get", "/a", codeError(jute.ErrNoNode))
	require.ErrorIs(t, err, ErrNoNode)
	require.NotErrorIs(t, err, ErrNodeExists)
	require.Equal(t, "zk: get /a: node does not exist", err.Error())
	code, ok := CodeOf(err)
	require.True(t, ok)
	require.Equal(t, CodeNoNode, code)
	require.Equal(t, "NONODE", code.String())
	_, ok = CodeOf(errors.New("other"))
	require.False(t, ok)

	unknown := codeError(-999)
	require.ErrorIs(t, unknown, &CodeError{Code: -999})
	require.Contains(t, unknown.Error(), "-999")
	require.NoError(t, codeError(0))

	require.True(t, IsRetryable(wrapErr("set", "/x", ErrConnectionLoss)))
	require.False(t, IsRetryable(wrapErr("set", "/x", ErrSessionExpired)))
	var opErr *OpError
	require.True(t, errors.As(err, &opErr))
	require.Equal(t, "/a", opErr.Path)
}

func TestValidatePath(t *testing.T) {
	good := []string{"/", "/a", "/a/b", "/a.b", "/..a", "/a..", "/zookeeper", "/ü"}
	for _, p := range good {
		require.NoError(t, ValidatePath(p, false), p)
	}
	bad := []string{"", "a", "/a/", "//", "/a//b", "/.", "/..", "/a/./b", "/a/../b", "/a\x00b", "/a\x01", "/a\u007f", "/\xff"}
	for _, p := range bad {
		err := ValidatePath(p, false)
		require.ErrorIs(t, err, ErrInvalidPath, "%q", p)
	}
	require.NoError(t, ValidatePath("/a/", true), "sequential allows trailing slash")
	require.NoError(t, ValidatePath("/lock-", true))
	require.Error(t, ValidatePath("//", true))
}

func TestParseConnectString(t *testing.T) {
	hosts, chroot, err := parseConnectString("h1:2181,h2:2182,h3/app/x")
	require.NoError(t, err)
	require.Equal(t, []string{"h1:2181", "h2:2182", "h3:2181"}, hosts)
	require.Equal(t, "/app/x", chroot)

	hosts, chroot, err = parseConnectString("127.0.0.1:1,[::1]:2/")
	require.NoError(t, err)
	require.Equal(t, []string{"127.0.0.1:1", "[::1]:2"}, hosts)
	require.Equal(t, "", chroot)

	hosts, _, err = parseConnectString(" h1:1 , ::1 ")
	require.NoError(t, err)
	require.Equal(t, []string{"h1:1", "[::1]:2181"}, hosts)
}

func TestParseConnectStringInvalid(t *testing.T) {
	for _, tc := range []struct{ s, why string }{
		{"", "empty"},
		{"  ", "blank"},
		{"/x", "no host"},
		{"h1:2181,,h2:2181", "empty host in the middle"},
		{",h1:2181", "empty first host"},
		{"h1:2181,", "empty last host"},
		{":2181", "empty host name"},
		{"h1:", "empty port"},
		{"h1:abc", "port not a number"},
		{"h1:0", "port 0"},
		{"h1:65536", "port out of range"},
		{"h1:-1", "negative port"},
		{"h:1/a/", "chroot ends with /"},
		{"h:1//", "empty chroot segment"},
		{"h:1/a//b", "empty chroot segment in the middle"},
		{"h:1/a/./b", "relative chroot segment"},
		{"h:1/a\x00b", "NUL in chroot"},
	} {
		_, _, err := parseConnectString(tc.s)
		require.ErrorIs(t, err, ErrInvalidConnectString, "%q: %s", tc.s, tc.why)
	}
	_, _, err := parseConnectString("h:1/a//b")
	require.ErrorIs(t, err, ErrInvalidPath, "a bad chroot is also an invalid path")
}

func TestChroot(t *testing.T) {
	require.Equal(t, "/app", chrootPath("/app", "/"))
	require.Equal(t, "/app/a", chrootPath("/app", "/a"))
	require.Equal(t, "/a", chrootPath("", "/a"))
	require.Equal(t, "/", stripChroot("/app", "/app"))
	require.Equal(t, "/a", stripChroot("/app", "/app/a"))
	for _, p := range []string{"/application", "/ap", "/other/x", "/", ""} {
		_, ok := underChroot("/app", p)
		require.False(t, ok, "%q is outside /app", p)
	}
	cp, ok := underChroot("/app", "/app/x/y")
	require.True(t, ok)
	require.Equal(t, "/x/y", cp)
	cp, ok = underChroot("", "/other")
	require.True(t, ok)
	require.Equal(t, "/other", cp)
}

func TestDigestID(t *testing.T) {
	// Value from ZooKeeper's DigestAuthenticationProvider.generateDigest("super:test").
	require.Equal(t, "super:D/InIHSb7yEEbrWz8b9l71RjZJU=", DigestID("super", "test"))
	acl := DigestACL(PermAll, "super", "test")
	require.Equal(t, "digest", acl[0].ID.Scheme)
}

func TestMultiBuildAndResults(t *testing.T) {
	ops := []Op{
		CreateOp("/a", []byte("x"), ModePersistent, OpenACLUnsafe),
		CreateOp("/c", nil, ModeContainer, OpenACLUnsafe),
		SetOp("/a", []byte("y"), -1),
		CheckOp("/a", 1),
		DeleteOp("/a", -1),
	}
	req, err := buildMultiRequest(ops, "/root", OpenACLUnsafe)
	require.NoError(t, err)
	require.Len(t, req.Ops, 5)
	require.Equal(t, jute.OpCreate2, req.Ops[0].Type)
	require.Equal(t, jute.OpCreateContainer, req.Ops[1].Type)
	require.Equal(t, "/root/a", req.Ops[0].Record.(*jute.CreateRequest).Path)

	_, err = buildMultiRequest([]Op{DeleteOp("bad", -1)}, "", nil)
	require.ErrorIs(t, err, ErrInvalidPath)
	_, err = buildMultiRequest([]Op{CreateOp("/t", nil, ModePersistentTTL, nil)}, "", nil)
	require.ErrorIs(t, err, ErrBadArguments)

	ok := &jute.MultiResponse{Results: []jute.MultiResult{
		{Type: jute.OpCreate2, Record: &jute.Create2Response{Path: "/root/a", Stat: jute.Stat{Czxid: 5}}},
		{Type: jute.OpCreate2, Record: &jute.Create2Response{Path: "/root/c"}},
		{Type: jute.OpSetData, Record: &jute.SetDataResponse{Stat: jute.Stat{Version: 1}}},
		{Type: jute.OpCheck},
		{Type: jute.OpDelete},
	}}
	res, err := multiResults(ok, ops, "/root")
	require.NoError(t, err)
	require.Equal(t, "/a", res[0].Path)
	require.Equal(t, int64(5), res[0].Stat.Czxid)
	require.Equal(t, int32(1), res[2].Stat.Version)
	require.Equal(t, []OpType{OpCreate, OpCreate, OpSetData, OpCheck, OpDelete},
		[]OpType{res[0].Type, res[1].Type, res[2].Type, res[3].Type, res[4].Type})

	failed := &jute.MultiResponse{Results: []jute.MultiResult{
		{Type: jute.OpError, Err: 0}, {Type: jute.OpError, Err: 0}, {Type: jute.OpError, Err: 0},
		{Type: jute.OpError, Err: jute.ErrBadVersion}, {Type: jute.OpError, Err: jute.ErrRuntimeInconsistency},
	}}
	res, err = multiResults(failed, ops, "/root")
	require.ErrorIs(t, err, ErrBadVersion)
	require.Contains(t, err.Error(), "multi check /a")
	require.NoError(t, res[0].Err)
	require.ErrorIs(t, res[4].Err, ErrRuntimeInconsistency)
	require.Equal(t, OpFailed, res[0].Type)

	_, err = multiResults(&jute.MultiResponse{}, ops, "")
	require.ErrorIs(t, err, ErrProtocol)
}

func TestJoinSplitParentPath(t *testing.T) {
	for _, tc := range []struct{ path, parent, name string }{
		{"/", "/", ""},
		{"/a", "/", "a"},
		{"/a/b", "/a", "b"},
		{"/a/b/c", "/a/b", "c"},
	} {
		parent, name := SplitPath(tc.path)
		require.Equal(t, tc.parent, parent, tc.path)
		require.Equal(t, tc.name, name, tc.path)
		require.Equal(t, tc.parent, ParentPath(tc.path), tc.path)
		if tc.path != "/" {
			require.Equal(t, tc.path, JoinPath(parent, name), tc.path)
		}
	}
	require.Equal(t, "/a/b", JoinPath("/a/", "b"), "a trailing slash is not doubled")
	require.Equal(t, "/b", JoinPath("/", "b"))
}
