// Command codestats prints size measures of Go code, to see whether a
// refactoring made functions shorter and structs smaller (issue #10).
//
// Usage:
//
//	go run ./internal/tools/codestats [-long 80] [-fields 10] [-tests] [-total] FILE_OR_DIR...
//
// A directory stands for its non-test .go files (add -tests to include the
// _test.go files). For every input it prints the number of functions, the
// mean and maximum function length in lines (from the func keyword to the
// closing brace), every function longer than -long lines, and every struct
// type with at least -fields fields (a field list "a, b int" counts as two).
// With -total it ends with one line over all inputs: functions, the lines
// in them, mean and maximum, and struct types with their fields, to compare
// a set of files before and after a change.
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	long := flag.Int("long", 80, "list functions longer than this many lines")
	fields := flag.Int("fields", 10, "list struct types with at least this many fields")
	tests := flag.Bool("tests", false, "include _test.go files of a directory")
	total := flag.Bool("total", false, "end with one line over all inputs")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: codestats [-long N] [-fields N] [-tests] [-total] FILE_OR_DIR...")
		os.Exit(2)
	}
	cfg := config{long: *long, fields: *fields, tests: *tests, total: *total}
	if err := run(os.Stdout, cfg, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "codestats:", err)
		os.Exit(1)
	}
}

type config struct {
	long   int  // list functions longer than this
	fields int  // list structs with at least this many fields
	tests  bool // include _test.go files of directories
	total  bool // end with a line over all inputs
}

// funcStat is one function or method.
type funcStat struct {
	name  string // Recv.Name or Name
	pos   string // file:line
	lines int
}

// structStat is one named struct type.
type structStat struct {
	name   string
	pos    string
	fields int
	chans  int // fields of a channel type
	syncs  int // fields of a sync or sync/atomic type
}

// stats is what one input (file or directory) measured.
type stats struct {
	funcs   []funcStat
	structs []structStat
}

func run(w io.Writer, cfg config, args []string) error {
	var all stats
	for _, arg := range args {
		files, err := goFiles(arg, cfg.tests)
		if err != nil {
			return err
		}
		st, err := measure(files)
		if err != nil {
			return err
		}
		report(w, cfg, arg, st)
		all.funcs = append(all.funcs, st.funcs...)
		all.structs = append(all.structs, st.structs...)
	}
	if cfg.total {
		reportTotal(w, all)
	}
	return nil
}

// reportTotal prints the line over all inputs.
func reportTotal(w io.Writer, st stats) {
	lines, maxLines := 0, 0
	for _, f := range st.funcs {
		lines += f.lines
		maxLines = max(maxLines, f.lines)
	}
	mean := 0.0
	if len(st.funcs) > 0 {
		mean = float64(lines) / float64(len(st.funcs))
	}
	fields, maxFields := 0, 0
	for _, s := range st.structs {
		fields += s.fields
		maxFields = max(maxFields, s.fields)
	}
	fmt.Fprintf(w, "total: %d funcs, %d lines in funcs, mean %.1f, max %d; %d structs, %d fields, max %d\n",
		len(st.funcs), lines, mean, maxLines, len(st.structs), fields, maxFields)
}

// goFiles lists arg itself if it is a file, else the .go files in it.
func goFiles(arg string, tests bool) ([]string, error) {
	fi, err := os.Stat(arg)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{arg}, nil
	}
	entries, err := os.ReadDir(arg)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || (!tests && strings.HasSuffix(n, "_test.go")) {
			continue
		}
		files = append(files, filepath.Join(arg, n))
	}
	return files, nil
}

// measure parses files and collects their functions and struct types.
func measure(files []string) (stats, error) {
	var st stats
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			return stats{}, err
		}
		for _, decl := range file.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Body == nil {
					continue
				}
				start, end := fset.Position(d.Pos()), fset.Position(d.End())
				st.funcs = append(st.funcs, funcStat{
					name:  funcName(d),
					pos:   fmt.Sprintf("%s:%d", start.Filename, start.Line),
					lines: end.Line - start.Line + 1,
				})
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					ts, ok := spec.(*ast.TypeSpec)
					if !ok {
						continue
					}
					s, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					p := fset.Position(ts.Pos())
					ss := structStat{
						name:   ts.Name.Name,
						pos:    fmt.Sprintf("%s:%d", p.Filename, p.Line),
						fields: countFields(s.Fields),
					}
					ss.chans, ss.syncs = countKinds(s.Fields)
					st.structs = append(st.structs, ss)
				}
			}
		}
	}
	return st, nil
}

// funcName is Name for a function and Recv.Name for a method.
func funcName(d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return d.Name.Name
	}
	t := d.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
			continue
		case *ast.IndexExpr:
			t = x.X
			continue
		case *ast.IndexListExpr:
			t = x.X
			continue
		case *ast.Ident:
			return x.Name + "." + d.Name.Name
		}
		return d.Name.Name
	}
}

// countFields counts named fields one by one ("a, b int" is two) and an
// embedded field as one.
func countFields(fl *ast.FieldList) int {
	n := 0
	for _, f := range fl.List {
		n += max(len(f.Names), 1)
	}
	return n
}

// countKinds counts the fields of a channel type and of a type from package
// sync or sync/atomic (the synchronisation a struct carries).
func countKinds(fl *ast.FieldList) (chans, syncs int) {
	for _, f := range fl.List {
		n := max(len(f.Names), 1)
		t := f.Type
		if st, ok := t.(*ast.StarExpr); ok {
			t = st.X
		}
		if ix, ok := t.(*ast.IndexExpr); ok {
			t = ix.X
		}
		switch x := t.(type) {
		case *ast.ChanType:
			chans += n
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && (id.Name == "sync" || id.Name == "atomic") {
				syncs += n
			}
		}
	}
	return chans, syncs
}

func report(w io.Writer, cfg config, name string, st stats) {
	total, maxLines := 0, 0
	for _, f := range st.funcs {
		total += f.lines
		maxLines = max(maxLines, f.lines)
	}
	mean := 0.0
	if len(st.funcs) > 0 {
		mean = float64(total) / float64(len(st.funcs))
	}
	fmt.Fprintf(w, "%s: %d funcs, mean %.1f lines, max %d\n", name, len(st.funcs), mean, maxLines)
	longFuncs := append([]funcStat(nil), st.funcs...)
	sort.SliceStable(longFuncs, func(i, j int) bool { return longFuncs[i].lines > longFuncs[j].lines })
	for _, f := range longFuncs {
		if f.lines <= cfg.long {
			break
		}
		fmt.Fprintf(w, "  func %s %d lines (%s)\n", f.name, f.lines, f.pos)
	}
	bigStructs := append([]structStat(nil), st.structs...)
	sort.SliceStable(bigStructs, func(i, j int) bool { return bigStructs[i].fields > bigStructs[j].fields })
	for _, s := range bigStructs {
		if s.fields < cfg.fields {
			break
		}
		fmt.Fprintf(w, "  struct %s %d fields, %d chan, %d sync (%s)\n", s.name, s.fields, s.chans, s.syncs, s.pos)
	}
}
