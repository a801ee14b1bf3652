package realzk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// touch creates empty files named names in dir.
func touch(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, n)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), nil, 0o644))
	}
}

func TestFindDebianLayout(t *testing.T) {
	dir := t.TempDir()
	touch(t, dir, "zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar", "netty-handler.jar",
		"slf4j-log4j12.jar", "log4j-1.2.jar", "slf4j-simple.jar", "unrelated.jar")
	inst, err := findDebian(dir)
	require.NoError(t, err)
	require.Equal(t, loggingLog4j, inst.logging)
	var names []string
	for _, p := range inst.ClassPath {
		names = append(names, filepath.Base(p))
	}
	require.Equal(t, []string{"zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar", "netty-handler.jar",
		"slf4j-log4j12.jar", "log4j-1.2.jar"}, names)

	// Without log4j, slf4j-simple is the binding.
	require.NoError(t, os.Remove(filepath.Join(dir, "log4j-1.2.jar")))
	inst, err = findDebian(dir)
	require.NoError(t, err)
	require.Equal(t, loggingSimple, inst.logging)
	require.Equal(t, "slf4j-simple.jar", filepath.Base(inst.ClassPath[len(inst.ClassPath)-1]))

	// A missing required jar is ErrNotInstalled.
	require.NoError(t, os.Remove(filepath.Join(dir, "zookeeper-jute.jar")))
	_, err = findDebian(dir)
	require.ErrorIs(t, err, ErrNotInstalled)
}

func TestFindTarballLayout(t *testing.T) {
	home := t.TempDir()
	t.Setenv("ZOOKEEPER_HOME", home)
	_, err := findTarball(home)
	require.ErrorIs(t, err, ErrNotInstalled)

	touch(t, home, "lib/zookeeper-3.8.4.jar", "lib/zookeeper-jute-3.8.4.jar", "lib/slf4j-api-1.7.30.jar",
		"lib/logback-classic-1.2.13.jar", "lib/logback-core-1.2.13.jar")
	inst, err := findTarball(home)
	require.NoError(t, err)
	require.Equal(t, loggingLogback, inst.logging)
	require.Len(t, inst.ClassPath, 5)
	require.Equal(t, "ZOOKEEPER_HOME="+home, inst.Source)
}

func TestFindJavaHome(t *testing.T) {
	t.Setenv("JAVA_HOME", t.TempDir()) // no bin/java inside
	_, err := Find()
	require.ErrorIs(t, err, ErrNotInstalled)
	require.Contains(t, err.Error(), "JAVA_HOME")
}

func TestZooCfg(t *testing.T) {
	opts := withDefaults(Options{Members: 3, TickTime: 50 * time.Millisecond})
	var ms []*member
	for i := range 3 {
		ms = append(ms, &member{index: i, dir: "/d/m" + string(rune('0'+i)), clientPort: 1000 + i, quorumPort: 2000 + i, electionPort: 3000 + i})
	}
	cfg := zooCfg(opts, ms, ms[1])
	for _, line := range []string{
		"tickTime=50", "minSessionTimeout=100", "maxSessionTimeout=60000",
		"dataDir=/d/m1/data", "clientPortAddress=127.0.0.1", "clientPort=1001",
		"4lw.commands.whitelist=*", "admin.enableServer=false", "reconfigEnabled=false",
		"server.1=127.0.0.1:2000:3000", "server.2=127.0.0.1:2001:3001", "server.3=127.0.0.1:2002:3002",
	} {
		require.Contains(t, strings.Split(cfg, "\n"), line)
	}
	require.NotContains(t, cfg, "standaloneEnabled")

	tlsOpts := withDefaults(Options{TLS: &TLS{CertPEM: []byte("c"), KeyPEM: []byte("k"), CAPEM: []byte("ca"), ClientAuth: "need"}})
	ms[0].securePort = 4000
	tcfg := zooCfg(tlsOpts, ms[:1], ms[0])
	for _, line := range []string{
		"serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
		"secureClientPort=4000", "secureClientPortAddress=127.0.0.1", "clientPort=1000",
		"ssl.keyStore.location=/d/m0/keystore.pem", "ssl.keyStore.type=PEM",
		"ssl.trustStore.location=/d/m0/truststore.pem", "ssl.trustStore.type=PEM",
		"ssl.clientAuth=need",
	} {
		require.Contains(t, strings.Split(tcfg, "\n"), line)
	}
	require.NotContains(t, cfg, "ssl.", "no TLS unless asked for")
	ms[0].securePort = 0

	one := zooCfg(withDefaults(Options{}), ms[:1], ms[0])
	require.Contains(t, one, "standaloneEnabled=true\n")
	require.Contains(t, one, "tickTime=100\n")
	require.NotContains(t, one, "server.")
}

func TestJavaArgs(t *testing.T) {
	inst := &Install{Java: "java", ClassPath: []string{"/a.jar", "/b.jar"}, logging: loggingLog4j}
	m := &member{dir: "/d/m0"}
	args := javaArgs(inst, m)
	require.Contains(t, args, "-Dzookeeper.extendedTypesEnabled=true")
	require.Contains(t, args, "-Dzookeeper.admin.enableServer=false")
	require.Contains(t, args, "-Dlog4j.configuration=file:/d/m0/log4j.properties")
	n := len(args)
	require.Equal(t, []string{"-cp", "/a.jar:/b.jar", "org.apache.zookeeper.server.quorum.QuorumPeerMain", "/d/m0/zoo.cfg"}, args[n-4:])
}

func TestConfigAndSystemPropertiesOverride(t *testing.T) {
	opts := withDefaults(Options{Config: map[string]string{"reconfigEnabled": "true", "zz.extra": "1"}})
	m := &member{dir: "/d/m0", clientPort: 1000}
	lines := strings.Split(zooCfg(opts, []*member{m}, m), "\n")
	require.Contains(t, lines, "reconfigEnabled=true")
	require.NotContains(t, lines, "reconfigEnabled=false")
	require.Contains(t, lines, "zz.extra=1")

	m.sysProps = map[string]string{"zookeeper.extendedTypesEnabled": "false", "readonlymode.enabled": "true"}
	args := javaArgs(&Install{Java: "java", logging: loggingLog4j}, m)
	require.Contains(t, args, "-Dzookeeper.extendedTypesEnabled=false")
	require.NotContains(t, args, "-Dzookeeper.extendedTypesEnabled=true")
	require.Contains(t, args, "-Dreadonlymode.enabled=true")
}

func TestParseMode(t *testing.T) {
	require.Equal(t, "follower", parseMode("Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.0/0\nMode: follower\nNode count: 5\n"))
	require.Equal(t, "standalone", parseMode("Mode: standalone\n"))
	require.Equal(t, "", parseMode("This ZooKeeper instance is not currently serving requests\n"))
	require.Equal(t, "", parseMode(""))
}

func TestLogTail(t *testing.T) {
	p := filepath.Join(t.TempDir(), "log")
	require.Contains(t, logTail(p, 100), "no log")
	require.NoError(t, os.WriteFile(p, nil, 0o644))
	require.Equal(t, "(log is empty)", logTail(p, 100))
	var b strings.Builder
	for i := range 100 {
		b.WriteString(strings.Repeat("x", 9) + string(rune('a'+i%26)) + "\n")
	}
	require.NoError(t, os.WriteFile(p, []byte(b.String()), 0o644))
	tail := logTail(p, 35) // 35 bytes: a partial line dropped, then 3 full lines
	require.Equal(t, []string{"xxxxxxxxxt", "xxxxxxxxxu", "xxxxxxxxxv"}, strings.Split(tail, "\n"))
}

func TestFreePortsDistinct(t *testing.T) {
	ports, err := freePorts(9)
	require.NoError(t, err)
	seen := map[int]bool{}
	for _, p := range ports {
		require.False(t, seen[p], "duplicate port %d", p)
		seen[p] = true
	}
}
