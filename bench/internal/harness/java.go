package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// javaLib is where Debian installs the Curator, ZooKeeper and their
// dependencies' jars.
const javaLib = "/usr/share/java"

// compileJava compiles the one-class Java program src (public class class)
// against Debian's jars into a new temporary directory, and returns the
// class path that runs it and that directory (the caller removes it when
// done). Without javac or one of jars (name prefixes under javaLib) it
// returns an error wrapping ErrUnavailable.
func compileJava(ctx context.Context, class string, src []byte, jars ...string) (classpath, dir string, err error) {
	javac, err := exec.LookPath("javac")
	if err != nil {
		return "", "", fmt.Errorf("%w: javac: %w", ErrUnavailable, err)
	}
	for _, jar := range jars {
		if m, _ := filepath.Glob(filepath.Join(javaLib, jar+"*.jar")); len(m) == 0 {
			return "", "", fmt.Errorf("%w: no %s jar in %s", ErrUnavailable, jar, javaLib)
		}
	}
	dir, err = os.MkdirTemp("", "zkcurator-bench-java-")
	if err != nil {
		return "", "", err
	}
	file := filepath.Join(dir, class+".java")
	if err := os.WriteFile(file, src, 0o644); err != nil {
		return "", "", errors.Join(err, os.RemoveAll(dir))
	}
	if out, err := exec.CommandContext(ctx, javac, "-d", dir, "-cp", javaLib+"/*", file).CombinedOutput(); err != nil {
		return "", "", errors.Join(fmt.Errorf("harness: javac %s: %w\n%s", class, err, out), os.RemoveAll(dir))
	}
	return dir + string(os.PathListSeparator) + javaLib + "/*", dir, nil
}
