package conformance

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/testserver"
	"github.com/zkcurator/zkcurator/testserver/realzk"
)

// minScenarios is the size the suite promises (issue #3).
const minScenarios = 100

// allScenarios returns every scenario, in a fixed order.
func allScenarios() []scenario {
	var all []scenario
	for _, group := range [][]scenario{
		crudScenarios, errorScenarios, sequentialScenarios, watchScenarios,
		persistentWatchScenarios, multiScenarios, aclScenarios,
		lifecycleScenarios, sessionScenarios, edgeScenarios, watchACLScenarios, securityEdgeScenarios,
		saslScenarios, fidelityScenarios, readOpScenarios,
	} {
		all = append(all, group...)
	}
	return all
}

var scenarioName = regexp.MustCompile(`^[a-z0-9_]+$`)

func TestScenarioTable(t *testing.T) {
	all := allScenarios()
	require.GreaterOrEqual(t, len(all), minScenarios)
	seen := map[string]bool{}
	for _, sc := range all {
		require.Regexp(t, scenarioName, sc.name)
		require.False(t, seen[sc.name], "duplicate scenario %s", sc.name)
		seen[sc.name] = true
	}
	t.Logf("%d scenarios", len(all))
	goldens, err := filepath.Glob(filepath.Join("testdata", "*.golden"))
	require.NoError(t, err)
	for _, g := range goldens {
		name := strings.TrimSuffix(filepath.Base(g), ".golden")
		require.True(t, seen[name], "%s belongs to no scenario: delete it", g)
	}
}

// TestConformance runs every scenario against a fresh embedded server and
// compares its transcript with the real ZooKeeper's (ZKCURATOR_REAL_ZK=1)
// or with the golden copy recorded from one.
func TestConformance(t *testing.T) {
	real := realServer(t)
	if *update && real == nil {
		t.Fatal("-update needs a real ZooKeeper: set ZKCURATOR_REAL_ZK=1")
	}
	for _, sc := range allScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			against := real
			if real != nil && noExtendedTypes(sc) {
				against = realServerNoExt(t)
			}
			compare(t, testserver.New(t, embeddedOptions(sc)...), against, sc,
				filepath.Join("testdata", sc.name+".golden"))
		})
	}
}

// noExtPrefix names the scenarios that run on servers without extended
// types (no TTL nodes): a real one started with
// zookeeper.extendedTypesEnabled=false and an embedded one with its
// defaults. The others run where TTL nodes are enabled, as the realzk
// launcher and zktest enable them.
const noExtPrefix = "noext_"

func noExtendedTypes(sc scenario) bool { return strings.HasPrefix(sc.name, noExtPrefix) }

// embeddedOptions are the options of the embedded server for sc: like the
// real server it is compared with (TTL nodes as configured, a frequent
// container check as realzk's 1s).
func embeddedOptions(sc scenario) []testserver.Option {
	if noExtendedTypes(sc) {
		return []testserver.Option{testserver.WithContainerCheckInterval(zktest.EmbeddedContainerCheck)}
	}
	return zktest.EmbeddedDefaults()
}

// runScenario runs sc once against tgt and returns its transcript.
func runScenario(t *testing.T, tgt target, sc scenario) []string {
	t.Helper()
	e := newEnv(t, tgt, sc.name)
	defer e.cleanup()
	sc.run(e)
	return e.finish()
}

// compare runs sc on the embedded server srv and requires the same
// transcript as on real (then -update records it in golden), or, with no
// real server (ZKCURATOR_REAL_ZK unset), as the one recorded in golden.
func compare(t *testing.T, srv *testserver.Server, real *realzk.Ensemble, sc scenario, golden string) {
	t.Helper()
	got := runScenario(t, target{kind: kindEmbedded, addr: srv.Addr(), srv: srv}, sc)
	if real == nil {
		want, err := os.ReadFile(golden)
		if errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("no golden transcript %s: record it with ZKCURATOR_REAL_ZK=1 go test -update", golden)
		}
		require.NoError(t, err)
		require.Equal(t, string(want), render(got), "embedded transcript differs from the recorded ZooKeeper 3.8 one")
		return
	}
	want := runScenario(t, target{kind: kindReal, addr: real.Addr(0)}, sc)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
		require.NoError(t, os.WriteFile(golden, []byte(render(want)), 0o644))
	}
	require.Equal(t, render(want), render(got), "embedded transcript differs from ZooKeeper 3.8")
}

func render(lines []string) string { return strings.Join(lines, "\n") + "\n" }
