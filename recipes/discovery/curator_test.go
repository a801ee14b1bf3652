package discovery_test

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
	"github.com/zkcurator/zkcurator/recipes/discovery"
)

// discoveryJars are the jars the Java side needs: Curator's plus
// curator-x-discovery (Debian's libcurator-discovery-java) and Jackson.
var discoveryJars = append(slices.Clone(zktest.CuratorJars), "curator-x-discovery", "jackson-databind")

func buildDiscovery(t *testing.T) string {
	t.Helper()
	return zktest.CompileJava(t, discoveryJars, filepath.Join("testdata", "CuratorDiscovery.java"))
}

// The JSON golden of instance_test.go is what this Curator writes now.
func TestCuratorInstanceJSON(t *testing.T) {
	cp := buildDiscovery(t)
	p := zktest.StartJava(t, cp, "CuratorDiscovery", "json")
	var lines []string
	for _, l := range p.ReadToEOF() {
		if strings.HasPrefix(l, "{") {
			lines = append(lines, l)
		}
	}
	p.Wait()
	require.Equal(t, []string{curatorFull, curatorBare}, lines)
}

// A Java instance is found by Go, and a Go instance by Java, through one
// real ZooKeeper.
func TestCuratorDiscoveryInterop(t *testing.T) {
	cp := buildDiscovery(t)
	addr := zktest.RealConnectString(t)
	ctx := zktest.Context(t)
	base := zktest.UniquePath(t) + "/services"

	java := zktest.StartJava(t, cp, "CuratorDiscovery", "register", addr, base, "web", "java-1", "10.0.0.7", "8080")
	java.Expect("REGISTERED")

	d, err := discovery.New(zktest.Connect(t, addr), base)
	require.NoError(t, err)
	defer d.Close()
	insts, err := d.QueryForInstances(ctx, "web")
	require.NoError(t, err)
	require.Len(t, insts, 1)
	j := insts[0]
	require.Equal(t, "java-1", j.ID)
	require.Equal(t, "10.0.0.7", j.Address)
	require.Equal(t, 8080, *j.Port)
	require.Equal(t, discovery.Dynamic, j.ServiceType)
	require.Equal(t, "http://10.0.0.7:8080", j.URI(nil))
	var payload map[string]any
	require.NoError(t, j.DecodePayload(&payload))
	require.Equal(t, "java", payload["zone"])
	require.Equal(t, "java.util.HashMap", payload["@class"])

	spec, err := discovery.ParseURISpec("{scheme}://{address}:{port}")
	require.NoError(t, err)
	goInst := &discovery.ServiceInstance{Name: "web", ID: "go-1", Address: "10.0.0.8", Port: discovery.Port(9090),
		Payload: json.RawMessage(`{"zone":"go"}`), URISpec: spec}
	require.NoError(t, d.Register(ctx, goInst))
	q := zktest.StartJava(t, cp, "CuratorDiscovery", "query", addr, base, "web")
	lines := q.Expect("DONE")
	q.Wait()
	require.Contains(t, lines, "NAMES web")
	require.Contains(t, lines, "INSTANCE go-1 10.0.0.8 9090 http://10.0.0.8:9090 go", "Java reads the Go instance and its payload")
	require.Contains(t, lines, "INSTANCE java-1 10.0.0.7 8080 http://10.0.0.7:8080 java")

	java.Send("stop")
	java.Wait()
	insts, err = d.QueryForInstances(ctx, "web")
	require.NoError(t, err)
	require.Equal(t, []string{"go-1"}, ids(insts), "Java unregistered")
}
