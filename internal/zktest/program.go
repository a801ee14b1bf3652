package zktest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// RunProgram tests an example program through its run function (see
// examples/): subtest "embedded" calls run("") (the program starts its own
// embedded server) and subtest "real" calls it with the connect string of
// a real ZooKeeper (RealEnsemble: skipped unless ZKCURATOR_REAL_ZK=1).
// Each requires that run returns no error.
func RunProgram(t *testing.T, run func(connectString string) error) {
	t.Run("embedded", func(t *testing.T) {
		require.NoError(t, run(""))
	})
	t.Run("real", func(t *testing.T) {
		require.NoError(t, run(RealEnsemble(t, 1).ConnectString()))
	})
}
