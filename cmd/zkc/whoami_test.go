package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/testserver"
)

// whoami prints the identities the server reports (whoAmI, 3.7+) and, on
// an older server, says it cannot tell instead of failing.
func TestWhoamiIdentities(t *testing.T) {
	for _, v := range []string{"3.8", "3.6"} {
		t.Run(v, func(t *testing.T) {
			s := testserver.New(t, testserver.WithVersion(v))
			var who struct {
				Identities []string `json:"identities"`
			}
			okJSON(t, s.ConnectString(), &who, "--auth", "digest:amy:pw", "whoami")
			out := ok(t, s.ConnectString(), "whoami")
			if v == "3.6" {
				require.Nil(t, who.Identities)
				require.Contains(t, out, "identity (the server is older than 3.7: no whoAmI)")
				return
			}
			require.ElementsMatch(t, []string{"digest:amy", "ip:127.0.0.1"}, who.Identities)
			require.Contains(t, out, "identity ip:127.0.0.1\n")
		})
	}
}
