package zk

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// A whole exchange with fixed nonces: the response the client sends and
// the rspauth it accepts are RFC 2831's values for ZooKeeper's realm,
// service and digest-uri (computed independently, with Python's hashlib).
func TestDigestMD5Exchange(t *testing.T) {
	ctx := context.Background()
	m := DigestMD5("alice", "secret").(*digestMD5)
	m.cnonce = func() (string, error) { return "OA6MHXh6VqTrRk", nil }
	ex, err := m.Start(ctx, "127.0.0.1:2181")
	require.NoError(t, err)

	tok, done, err := ex.Step(ctx, nil)
	require.NoError(t, err)
	require.False(t, done)
	require.NotNil(t, tok)
	require.Empty(t, tok, "DIGEST-MD5 has no initial response")

	challenge := `realm="zk-sasl-md5",nonce="OA6MG9tEQGm2hh",qop="auth",charset=utf-8,algorithm=md5-sess`
	tok, done, err = ex.Step(ctx, []byte(challenge))
	require.NoError(t, err)
	require.False(t, done)
	require.Equal(t, `charset=utf-8,username="alice",realm="zk-sasl-md5",nonce="OA6MG9tEQGm2hh",nc=00000001,`+
		`cnonce="OA6MHXh6VqTrRk",digest-uri="zookeeper/zk-sasl-md5",maxbuf=65536,`+
		`response=898bda6f4ab8758a70f8f4db2eebe4f5,qop=auth`, string(tok))

	tok, done, err = ex.Step(ctx, []byte("rspauth=7cf67f50d8e86309fb01d0b1c5fa7e26"))
	require.NoError(t, err)
	require.True(t, done)
	require.Nil(t, tok, "nothing more to send")
	_, _, err = ex.Step(ctx, nil)
	require.Error(t, err, "a step after completion")

	// A server that does not know the password cannot prove it.
	ex, err = m.Start(ctx, "127.0.0.1:2181")
	require.NoError(t, err)
	_, _, err = ex.Step(ctx, nil)
	require.NoError(t, err)
	_, _, err = ex.Step(ctx, []byte(challenge))
	require.NoError(t, err)
	_, _, err = ex.Step(ctx, []byte("rspauth=00000000000000000000000000000000"))
	require.ErrorContains(t, err, "rspauth does not match")
}

func TestDigestMD5ChallengeErrors(t *testing.T) {
	ctx := context.Background()
	for name, ch := range map[string]string{
		"none":      ``,
		"no nonce":  `realm="zk-sasl-md5",qop="auth",algorithm=md5-sess`,
		"algorithm": `realm="zk-sasl-md5",nonce="n",qop="auth",algorithm=md5`,
		"qop":       `realm="zk-sasl-md5",nonce="n",qop="auth-conf",algorithm=md5-sess`,
		"syntax":    `realm="zk-sasl-md5`,
	} {
		t.Run(name, func(t *testing.T) {
			ex, err := DigestMD5("alice", "secret").Start(ctx, "h:1")
			require.NoError(t, err)
			_, _, err = ex.Step(ctx, nil)
			require.NoError(t, err)
			_, _, err = ex.Step(ctx, []byte(ch))
			require.Error(t, err)
			require.Contains(t, err.Error(), "DIGEST-MD5")
		})
	}
}
