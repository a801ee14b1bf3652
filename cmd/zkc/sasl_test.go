package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/zk"
)

// --sasl-user/--sasl-password authenticate with DIGEST-MD5 (on the
// embedded server's SASL users here; the zk package tests real servers).
func TestSASLFlags(t *testing.T) {
	srv := testserver.New(t, testserver.WithSASLUsers(map[string]string{"alice": "secret"}))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := zk.Dial(ctx, srv.Addr(), zk.WithSASL(zk.DigestMD5("alice", "secret")))
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Create(ctx, "/s", []byte("hidden"), zk.ModePersistent,
		[]zk.ACL{{Perms: zk.PermAll, ID: zk.ID{Scheme: "sasl", ID: "alice"}}})
	require.NoError(t, err)

	require.Equal(t, "hidden\n", ok(t, srv.Addr(), "--sasl-user", "alice", "--sasl-password", "secret", "get", "/s"))
	t.Setenv("ZKC_SASL_PASSWORD", "secret")
	require.Equal(t, "hidden\n", ok(t, srv.Addr(), "--sasl-user", "alice", "get", "/s"))

	require.Equal(t, exitNoAuth, zkc(t, srv.Addr(), "get", "/s").code, "without SASL")
	r := zkc(t, srv.Addr(), "--sasl-user", "alice", "--sasl-password", "wrong", "get", "/s")
	require.Equal(t, exitNoAuth, r.code, r.stderr)
	require.Contains(t, r.stderr, "SASL")
	require.Equal(t, exitUsage, zkc(t, srv.Addr(), "--sasl-password", "x", "get", "/s").code)
}
