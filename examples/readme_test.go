// Package examples_test follows the README as a new user would: the Quick
// start's commands, and its Go snippet built and run as a program.
package examples_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/zktest"
)

func TestMain(m *testing.M) { zktest.Main(m) }

// repoRoot is the module root: the test runs in examples/.
const repoRoot = ".."

// quickStart returns the README's Quick start section.
func quickStart(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	require.NoError(t, err)
	s := string(readme)
	start := strings.Index(s, "\n## Quick start\n")
	require.GreaterOrEqual(t, start, 0, "README has a Quick start section")
	s = s[start+1:]
	if end := strings.Index(s[3:], "\n## "); end >= 0 {
		s = s[:end+3]
	}
	return s
}

// codeBlocks returns the bodies of the fenced code blocks of language lang.
func codeBlocks(section, lang string) []string {
	re := regexp.MustCompile("(?s)```" + lang + "\n(.*?)```")
	var out []string
	for _, m := range re.FindAllStringSubmatch(section, -1) {
		out = append(out, m[1])
	}
	return out
}

// goCommand runs the go tool in the module root and returns its combined
// output.
func goCommand(t *testing.T, ctx context.Context, args ...string) (string, error) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the go tool on PATH")
	cmd := exec.CommandContext(ctx, goTool, args...)
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The Quick start has exactly two set-up commands.
func TestReadmeQuickStartCommands(t *testing.T) {
	sh := codeBlocks(quickStart(t), "sh")
	require.NotEmpty(t, sh, "a sh block in Quick start")
	require.Equal(t, "go run ./examples/quickstart\ngo test ./...\n", sh[0])
}

// The README's first command works and says what the README says it does.
func TestReadmeQuickstartRuns(t *testing.T) {
	ctx, cancel := context.WithTimeout(zktest.Context(t), 2*time.Minute)
	defer cancel()
	out, err := goCommand(t, ctx, "run", "./examples/quickstart")
	require.NoError(t, err, out)
	for _, want := range []string{
		"Started the embedded ZooKeeper test server",
		"Connection state: CONNECTED",
		"Connection state: SUSPENDED",
		"Connection state: RECONNECTED",
		"The watch fired",
		"The read still returned",
	} {
		require.Contains(t, out, want)
	}
}

// snippetProgram wraps the README's Go snippet in a program that runs it
// against the embedded server: the snippet's own lines, with its
// `if err != nil { ... }` holes filled and its connect string pointed at
// the server (keeping its chroot).
func snippetProgram(t *testing.T, snippet string) string {
	t.Helper()
	connect := regexp.MustCompile(`zk\.Connect\(ctx, "[^"/]*(/[^"]*)?"`)
	require.Regexp(t, connect, snippet, "the snippet connects with zk.Connect(ctx, \"hosts/chroot\", ...)")
	body := connect.ReplaceAllString(snippet, `zk.Connect(ctx, srv.ConnectString()+"$1"`)
	body = strings.ReplaceAll(body, "if err != nil { ... }", "if err != nil {\n\tlog.Fatal(err)\n}")
	require.NotContains(t, body, "...", "a hole the test does not know how to fill")

	imports := []string{"context", "fmt", "log", "github.com/zkcurator/zkcurator/testserver"}
	for pkg, path := range map[string]string{
		"time.":  "time",
		"zk.":    "github.com/zkcurator/zkcurator/zk",
		"retry.": "github.com/zkcurator/zkcurator/retry",
		"lock.":  "github.com/zkcurator/zkcurator/recipes/lock",
	} {
		if strings.Contains(body, pkg) {
			imports = append(imports, path)
		}
	}
	var b strings.Builder
	b.WriteString("package main\n\nimport (\n")
	for _, p := range imports {
		fmt.Fprintf(&b, "\t%q\n", p)
	}
	b.WriteString(`)

// doWork stands for the reader's own code.
func doWork(args ...any) { fmt.Println("doWork called") }

func main() {
	srv, err := testserver.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run(ctx, srv)
	fmt.Println("snippet done")
}

func run(ctx context.Context, srv *testserver.Server) {
`)
	b.WriteString(body)
	b.WriteString("}\n")
	return b.String()
}

// The README's Go snippet compiles and runs as written.
func TestReadmeSnippetRuns(t *testing.T) {
	snippets := codeBlocks(quickStart(t), "go")
	require.Len(t, snippets, 1, "one Go snippet in Quick start")
	src := snippetProgram(t, snippets[0])

	// Build it inside the module without writing into the source tree: an
	// overlay adds the file to a directory that does not exist.
	dir := t.TempDir()
	file := filepath.Join(dir, "main.go")
	require.NoError(t, os.WriteFile(file, []byte(src), 0o644))
	root, err := filepath.Abs(repoRoot)
	require.NoError(t, err)
	overlay, err := json.Marshal(map[string]map[string]string{
		"Replace": {filepath.Join(root, "examples", "internal", "readmesnippet", "main.go"): file},
	})
	require.NoError(t, err)
	overlayFile := filepath.Join(dir, "overlay.json")
	require.NoError(t, os.WriteFile(overlayFile, overlay, 0o644))

	ctx, cancel := context.WithTimeout(zktest.Context(t), 2*time.Minute)
	defer cancel()
	out, err := goCommand(t, ctx, "run", "-overlay", overlayFile, "./examples/internal/readmesnippet")
	require.NoError(t, err, "%s\nprogram:\n%s", out, numbered(src))
	require.Contains(t, out, "doWork called")
	require.True(t, bytes.HasSuffix([]byte(out), []byte("snippet done\n")), out)
}

func numbered(src string) string {
	var b strings.Builder
	for i, l := range strings.Split(src, "\n") {
		fmt.Fprintf(&b, "%3d %s\n", i+1, l)
	}
	return b.String()
}
