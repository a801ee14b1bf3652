// Package realzk starts real Apache ZooKeeper servers for tests: a standalone
// server or an N-member ensemble, each member a JVM running QuorumPeerMain on
// free 127.0.0.1 ports with its configuration, data and log in a temp dir.
//
// It finds ZooKeeper either in a tarball layout under $ZOOKEEPER_HOME
// ($ZOOKEEPER_HOME/lib/*.jar) or in the Debian package layout
// (/usr/share/java/zookeeper.jar and friends), and Java as $JAVA_HOME/bin/java
// or `java` on PATH. When neither is present, Find and Start return an error
// matching ErrNotInstalled.
//
// Every JVM is started with Pdeathsig=SIGKILL on Linux, so a test binary that
// dies without calling Close does not leave servers behind.
package realzk

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// ErrNotInstalled reports that no usable ZooKeeper installation or no Java
// runtime was found. Errors from Find and Start wrap it; test with errors.Is.
var ErrNotInstalled = errors.New("realzk: ZooKeeper or Java not installed")

// debianJavaDir is where Debian's libzookeeper-java and its dependencies
// install their jars.
const debianJavaDir = "/usr/share/java"

// loggingKind says which SLF4J binding is on the class path, so the launcher
// knows which configuration file to write.
type loggingKind int

const (
	loggingNone    loggingKind = iota // no binding: slf4j falls back to NOP
	loggingLog4j                      // slf4j-log4j12 + log4j 1.2 (Debian, ZooKeeper <= 3.7 tarballs)
	loggingLogback                    // logback-classic (ZooKeeper 3.8+ tarballs)
	loggingSimple                     // slf4j-simple, logs to stderr
)

// Install is a ZooKeeper installation and the Java runtime to run it with.
type Install struct {
	// Java is the path of the java executable.
	Java string
	// ClassPath lists the jars the server runs with, in order. It contains
	// ZooKeeper, its runtime dependencies and one SLF4J logging binding.
	ClassPath []string
	// Source says where ZooKeeper was found, for messages: for example
	// "ZOOKEEPER_HOME=/opt/zookeeper" or "/usr/share/java (Debian)".
	Source string

	logging loggingKind
}

// Find locates Java and a ZooKeeper installation. $ZOOKEEPER_HOME, when set,
// must hold a tarball layout and takes precedence; otherwise the Debian layout
// under /usr/share/java is used. The error wraps ErrNotInstalled when either
// part is missing.
func Find() (*Install, error) {
	java, err := findJava()
	if err != nil {
		return nil, err
	}
	var inst *Install
	if home := os.Getenv("ZOOKEEPER_HOME"); home != "" {
		inst, err = findTarball(home)
	} else {
		inst, err = findDebian(debianJavaDir)
	}
	if err != nil {
		return nil, err
	}
	inst.Java = java
	return inst, nil
}

// findJava returns $JAVA_HOME/bin/java when JAVA_HOME is set, else java on PATH.
func findJava() (string, error) {
	if home := os.Getenv("JAVA_HOME"); home != "" {
		p := filepath.Join(home, "bin", "java")
		if isExecutable(p) {
			return p, nil
		}
		return "", fmt.Errorf("%w: JAVA_HOME=%s has no executable bin/java", ErrNotInstalled, home)
	}
	p, err := exec.LookPath("java")
	if err != nil {
		return "", fmt.Errorf("%w: no java on PATH (install default-jre-headless or set JAVA_HOME)", ErrNotInstalled)
	}
	return p, nil
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// findTarball reads a binary-tarball layout: every jar in $home/lib plus any
// jar directly in $home (older releases keep zookeeper-x.y.z.jar there).
func findTarball(home string) (*Install, error) {
	var jars []string
	for _, dir := range []string{filepath.Join(home, "lib"), home} {
		m, _ := filepath.Glob(filepath.Join(dir, "*.jar"))
		sort.Strings(m)
		jars = append(jars, m...)
	}
	hasZK := false
	for _, j := range jars {
		b := filepath.Base(j)
		if strings.HasPrefix(b, "zookeeper-3") || b == "zookeeper.jar" {
			hasZK = true
		}
	}
	if !hasZK {
		return nil, fmt.Errorf("%w: ZOOKEEPER_HOME=%s has no zookeeper jar in lib/", ErrNotInstalled, home)
	}
	return &Install{
		ClassPath: jars,
		Source:    "ZOOKEEPER_HOME=" + home,
		logging:   detectLogging(jars),
	}, nil
}

// detectLogging picks the logging binding present among jars.
func detectLogging(jars []string) loggingKind {
	kind := loggingNone
	for _, j := range jars {
		b := filepath.Base(j)
		switch {
		case strings.HasPrefix(b, "logback-classic"):
			return loggingLogback
		case strings.HasPrefix(b, "slf4j-log4j12"), strings.HasPrefix(b, "slf4j-reload4j"):
			kind = loggingLog4j
		case strings.HasPrefix(b, "slf4j-simple") && kind == loggingNone:
			kind = loggingSimple
		}
	}
	return kind
}

// Debian jar names. zookeeper.jar's manifest also names its dependencies,
// but they are listed here so the class path is explicit and a missing one
// is visible.
var (
	debianRequired = []string{"zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar"}
	debianOptional = []string{
		"commons-cli.jar", "commons-io.jar", "metrics-core.jar", "snappy-java.jar",
		"jackson-annotations.jar", "jackson-core.jar", "jackson-databind.jar",
		"netty-buffer.jar", "netty-codec.jar", "netty-common.jar", "netty-handler.jar",
		"netty-resolver.jar", "netty-transport.jar", "netty-transport-native-epoll.jar",
		"netty-transport-native-unix-common.jar",
	}
	// Bindings in order of preference; each entry is the set of jars it needs.
	debianBindings = []struct {
		kind loggingKind
		jars []string
	}{
		{loggingLog4j, []string{"slf4j-log4j12.jar", "log4j-1.2.jar"}},
		{loggingSimple, []string{"slf4j-simple.jar"}},
	}
)

// findDebian reads the Debian layout in dir (normally /usr/share/java).
func findDebian(dir string) (*Install, error) {
	var cp []string
	for _, name := range debianRequired {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("%w: %s not found (install the Debian package zookeeper, or set ZOOKEEPER_HOME)", ErrNotInstalled, p)
		}
		cp = append(cp, p)
	}
	for _, name := range debianOptional {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			cp = append(cp, p)
		}
	}
	kind := loggingNone
	for _, b := range debianBindings {
		ok := true
		var paths []string
		for _, name := range b.jars {
			p := filepath.Join(dir, name)
			if _, err := os.Stat(p); err != nil {
				ok = false
				break
			}
			paths = append(paths, p)
		}
		if ok {
			cp = append(cp, paths...)
			kind = b.kind
			break
		}
	}
	return &Install{
		ClassPath: cp,
		Source:    dir + " (Debian)",
		logging:   kind,
	}, nil
}
