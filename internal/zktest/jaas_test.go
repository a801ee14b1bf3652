package zktest

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteJAAS(t *testing.T) {
	path := WriteJAAS(t, DigestServerSection(map[string]string{"bob": `p"w`, "alice": "secret"}),
		DigestClientSection("alice", "secret"))
	b, err := readFile(path)
	require.NoError(t, err)
	require.Equal(t, `Server {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  user_alice="secret"
  user_bob="p\"w";
};
Client {
  org.apache.zookeeper.server.auth.DigestLoginModule required
  password="secret"
  username="alice";
};
`, b)
}

func readFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	return string(b), err
}
