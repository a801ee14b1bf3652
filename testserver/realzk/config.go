package realzk

import (
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Files inside a member's directory.
const (
	cfgName    = "zoo.cfg"
	log4jName  = "log4j.properties"
	logbackXML = "logback.xml"
	logName    = "zookeeper.log" // JVM stdout+stderr, which is where the server logs go
	dataName   = "data"
)

// member is one server of an ensemble: its ports and directory are fixed for
// its whole life, so a restart reuses them.
type member struct {
	index        int // 0-based; myid is index+1
	dir          string
	clientPort   int
	quorumPort   int
	electionPort int
	securePort   int               // 0 without Options.TLS
	jvmFlags     []string          // Options.JVMFlags; nil: fastStartJVMFlags
	sysProps     map[string]string // Options.SystemProperties
	proc         *process          // nil before the first start
}

func (m *member) addr() string { return "127.0.0.1:" + strconv.Itoa(m.clientPort) }

func (m *member) logPath() string { return filepath.Join(m.dir, logName) }

// freePorts reserves n distinct free loopback ports by listening on them all
// at once and then releasing them. Another process may take one before the
// JVM binds it; Start retries with new ports when that happens.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("realzk: reserve port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// zooCfg renders the zoo.cfg of member m of members.
func zooCfg(opts Options, members []*member, m *member) string {
	tick := opts.TickTime.Milliseconds()
	var b strings.Builder
	written := map[string]bool{}
	w := func(k string, v any) {
		if o, ok := opts.Config[k]; ok {
			v = o
		}
		written[k] = true
		fmt.Fprintf(&b, "%s=%v\n", k, v)
	}
	w("tickTime", tick)
	w("initLimit", 20)
	w("syncLimit", 10)
	w("minSessionTimeout", 2*tick)
	w("maxSessionTimeout", opts.MaxSessionTimeout.Milliseconds())
	w("dataDir", filepath.Join(m.dir, dataName))
	w("clientPortAddress", "127.0.0.1")
	w("clientPort", m.clientPort)
	w("4lw.commands.whitelist", "*")
	w("admin.enableServer", "false")
	w("reconfigEnabled", "false")
	// Tests do not need durability against power loss; skipping fsync keeps
	// write-heavy tests fast on CI disks.
	w("forceSync", "no")
	if opts.TLS != nil {
		b.WriteString(tlsCfg(opts.TLS, m))
	}
	if len(members) == 1 {
		w("standaloneEnabled", "true")
	} else {
		for _, o := range members {
			fmt.Fprintf(&b, "server.%d=127.0.0.1:%d:%d%s\n", o.index+1, o.quorumPort, o.electionPort, opts.clientSuffix(o))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(opts.Config)) {
		if !written[k] {
			fmt.Fprintf(&b, "%s=%s\n", k, opts.Config[k])
		}
	}
	return b.String()
}

// log4j 1.2 configuration: everything at INFO to the console (stdout), which
// the launcher sends to the member's log file.
const log4jProps = `log4j.rootLogger=INFO, CONSOLE
log4j.appender.CONSOLE=org.apache.log4j.ConsoleAppender
log4j.appender.CONSOLE.layout=org.apache.log4j.PatternLayout
log4j.appender.CONSOLE.layout.ConversionPattern=%d{ISO8601} %-5p [%t:%C{1}@%L] - %m%n
`

// logback configuration, the same for ZooKeeper 3.8+ tarballs.
const logbackConfig = `<configuration>
  <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{ISO8601} %-5p [%t:%C{1}@%L] - %m%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="CONSOLE"/></root>
</configuration>
`

// writeMemberFiles creates m's directory, data dir, myid, zoo.cfg and logging
// configuration.
func writeMemberFiles(opts Options, members []*member, m *member) error {
	data := filepath.Join(m.dir, dataName)
	if err := os.MkdirAll(data, 0o755); err != nil {
		return fmt.Errorf("realzk: member %d: %w", m.index, err)
	}
	files := []struct {
		path, body string
	}{
		{filepath.Join(data, "myid"), strconv.Itoa(m.index+1) + "\n"},
		{filepath.Join(m.dir, cfgName), zooCfg(opts, members, m)},
		{filepath.Join(m.dir, log4jName), log4jProps},
		{filepath.Join(m.dir, logbackXML), logbackConfig},
	}
	if opts.TLS != nil {
		files = append(files, tlsFiles(opts.TLS, m)...)
	}
	for _, f := range files {
		if err := os.WriteFile(f.path, []byte(f.body), 0o644); err != nil {
			return fmt.Errorf("realzk: member %d: %w", m.index, err)
		}
	}
	return nil
}

// containerCheckInterval is how often the server looks for empty containers
// and expired TTL nodes. The server's default, one minute, is too slow for tests.
const containerCheckInterval = time.Second

// FastStartJVMFlags are the JVM's memory, JIT and GC flags when
// Options.JVMFlags is nil: a small heap and a fast-starting JIT and GC, since
// tests run several JVMs on a 2-core machine. They make the server slower
// once started.
var FastStartJVMFlags = []string{
	"-Xmx256m", "-Xms32m", "-Xss512k",
	"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
}

// ThroughputJVMFlags run the server as it would run in production (full JIT,
// a larger heap): slower to start, faster once warm. Benchmarks use them.
var ThroughputJVMFlags = []string{"-Xmx1g", "-Xms1g", "-XX:+UseParallelGC"}

// javaArgs is the JVM command line (without the java executable) for member m.
func javaArgs(inst *Install, m *member) []string {
	flags := m.jvmFlags
	if flags == nil {
		flags = FastStartJVMFlags
	}
	args := append([]string(nil), flags...)
	props := []struct{ k, v string }{
		{"java.net.preferIPv4Stack", "true"},
		{"java.awt.headless", "true"},
		{"zookeeper.admin.enableServer", "false"},
		{"zookeeper.extendedTypesEnabled", "true"}, // TTL nodes
		{"zookeeper.4lw.commands.whitelist", "*"},
		{"zookeeper.jmx.log4j.disable", "true"},
		{"znode.container.checkIntervalMs", strconv.FormatInt(containerCheckInterval.Milliseconds(), 10)},
	}
	set := map[string]bool{}
	for _, p := range props {
		v := p.v
		if o, ok := m.sysProps[p.k]; ok {
			v = o
		}
		set[p.k] = true
		args = append(args, "-D"+p.k+"="+v)
	}
	for _, k := range slices.Sorted(maps.Keys(m.sysProps)) {
		if !set[k] {
			args = append(args, "-D"+k+"="+m.sysProps[k])
		}
	}
	switch inst.logging {
	case loggingLog4j:
		args = append(args, "-Dlog4j.configuration=file:"+filepath.Join(m.dir, log4jName))
	case loggingLogback:
		args = append(args, "-Dlogback.configurationFile="+filepath.Join(m.dir, logbackXML))
	case loggingSimple:
		args = append(args,
			"-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
			"-Dorg.slf4j.simpleLogger.showDateTime=true")
	}
	args = append(args,
		"-cp", strings.Join(inst.ClassPath, string(os.PathListSeparator)),
		"org.apache.zookeeper.server.quorum.QuorumPeerMain",
		filepath.Join(m.dir, cfgName),
	)
	return args
}
