package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const sample = `package p

type small struct{ a int }

type big struct {
	a, b, c int
	d       chan int
	mu      sync.Mutex
	n       *atomic.Int64
	fmt.Stringer
}

func short() {}

func (b *big) long() {
	_ = 1
	_ = 2
	_ = 3
}
`

func TestReportListsLongFuncsAndBigStructs(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "p.go"), []byte(sample), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "p_test.go"), []byte("package p\n\nfunc huge() {\n\n\n\n}\n"), 0o600))

	var out bytes.Buffer
	require.NoError(t, run(&out, config{long: 3, fields: 7}, []string{dir}))
	got := out.String()
	require.Contains(t, got, dir+": 2 funcs, mean 3.0 lines, max 5\n")
	require.Contains(t, got, "func big.long 5 lines (")
	require.Contains(t, got, "struct big 7 fields, 1 chan, 2 sync (")
	require.NotContains(t, got, "short")
	require.NotContains(t, got, "small")
	require.NotContains(t, got, "huge", "test files are left out unless asked for")

	out.Reset()
	require.NoError(t, run(&out, config{long: 3, fields: 7, tests: true}, []string{dir}))
	require.Contains(t, out.String(), "func huge 5 lines")
	require.Equal(t, 1, strings.Count(out.String(), "struct big"))
}

func TestTotalOverAllInputs(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.go"), filepath.Join(dir, "b.go")
	require.NoError(t, os.WriteFile(a, []byte(sample), 0o600))
	require.NoError(t, os.WriteFile(b, []byte("package p\n\ntype two struct{ x, y int }\n\nfunc f() {\n}\n"), 0o600))

	var out bytes.Buffer
	require.NoError(t, run(&out, config{long: 80, fields: 10, total: true}, []string{a, b}))
	require.Contains(t, out.String(), "\ntotal: 3 funcs, 8 lines in funcs, mean 2.7, max 5; 3 structs, 10 fields, max 7\n")

	out.Reset()
	require.NoError(t, run(&out, config{long: 80, fields: 10}, []string{a, b}))
	require.NotContains(t, out.String(), "total:")
}

func TestReportFailsOnMissingInput(t *testing.T) {
	var out bytes.Buffer
	require.Error(t, run(&out, config{long: 80}, []string{filepath.Join(t.TempDir(), "nope")}))
}
