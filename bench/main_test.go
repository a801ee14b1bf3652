package bench

import (
	"fmt"
	"os"
	"testing"

	"github.com/zkcurator/zkcurator/bench/internal/harness"
	"go.uber.org/goleak"
)

// servers holds one lazily started server of each kind for the whole test
// binary; TestMain stops them.
var servers = map[harness.ServerKind]*harness.Lazy{
	harness.ServerReal:         {Kind: harness.ServerReal},
	harness.ServerEmbedded:     {Kind: harness.ServerEmbedded},
	harness.ServerEmbeddedProc: {Kind: harness.ServerEmbeddedProc},
}

// withServers runs the tests, then stops the servers, so that goleak sees
// their goroutines gone.
type withServers struct{ m *testing.M }

func (w withServers) Run() int {
	code := w.m.Run()
	for k, l := range servers {
		if err := l.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "closing %s server: %v\n", k, err)
		}
	}
	return code
}

func TestMain(m *testing.M) {
	harness.ServeIfChild()
	goleak.VerifyTestMain(withServers{m})
}
