package digestmd5

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// RFC 2831 section 4, example 1 (IMAP): the response-value and rspauth.
func TestResponseRFC2831Example(t *testing.T) {
	resp, rspauth := Response(Params{
		User: "chris", Realm: "elwood.innosoft.com", Pass: "secret",
		Nonce: "OA6MG9tEQGm2hh", CNonce: "OA6MHXh6VqTrRk", NC: "00000001",
		DigestURI: "imap/elwood.innosoft.com",
	})
	require.Equal(t, "d388dad90d4bbd760a152321f2143af7", resp)
	require.Equal(t, "ea40f60335c427b5527b84dbabcdfffd", rspauth)
}

func TestParse(t *testing.T) {
	f, err := Parse([]byte(`realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",algorithm=md5-sess,charset=utf-8`))
	require.NoError(t, err)
	require.Equal(t, "elwood.innosoft.com", f.Get("realm"))
	require.Equal(t, "md5-sess", f.Get("algorithm"))
	require.Equal(t, "utf-8", f.Get("charset"))
	require.Equal(t, "", f.Get("missing"))

	f, err = Parse([]byte(` , Username = "a\"b\\c" ,, nc=00000001 ,`))
	require.NoError(t, err)
	require.Equal(t, `a"b\c`, f.Get("username"))
	require.Equal(t, "00000001", f.Get("nc"))
	require.Equal(t, 1, f.Count("nc"))

	for _, bad := range []string{`realm`, `=x`, `realm="open`, `a="x"b`} {
		_, err := Parse([]byte(bad))
		require.Error(t, err, bad)
	}
	require.Equal(t, `"a\"b\\c"`, Quote(`a"b\c`))
}

func TestLatin1(t *testing.T) {
	s, ok := Latin1("caf\u00e9")
	require.True(t, ok)
	require.Equal(t, "caf\xe9", s)
	_, ok = Latin1("\u20ac")
	require.False(t, ok)
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`realm="zk-sasl-md5",nonce="n",qop="auth",charset=utf-8,algorithm=md5-sess`))
	f.Add([]byte(`rspauth=0123`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := Parse(b)
		if err == nil {
			for _, kv := range fs {
				_ = fs.Get(kv[0])
			}
		}
	})
}
