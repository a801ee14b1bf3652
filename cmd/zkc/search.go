package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zkcurator/zkcurator/zk"
)

// globRegexp compiles a path glob: * matches within one path segment, **
// across segments, ? one character, [...] a class.
func globRegexp(glob string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(glob); i++ {
		switch c := glob[i]; c {
		case '*':
			if i+1 < len(glob) && glob[i+1] == '*' {
				b.WriteString(".*")
				i++
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			j := strings.IndexByte(glob[i:], ']')
			if j < 0 {
				return nil, fmt.Errorf("glob %q: unclosed [", glob)
			}
			b.WriteString(glob[i : i+j+1])
			i += j
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

func (a *app) findCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "find PATH GLOB",
		Short: "List the paths under PATH matching GLOB",
		Long: `List the paths under PATH matching GLOB. A GLOB without '/' is matched
against each node's name; with '/' against the full path. * stays within one
segment, ** crosses segments, ? is one character.

  zkc find / 'lock-*'
  zkc find /app '/app/**/config'`,
		Args:              exactArgs(2),
		ValidArgsFunction: a.completePaths,
		RunE: wrapRun(func(cmd *cobra.Command, args []string) error {
			p, err := cleanPath(args[0])
			if err != nil {
				return err
			}
			re, err := globRegexp(args[1])
			if err != nil {
				return usageErr{err}
			}
			full := strings.Contains(args[1], "/")
			nodes, err := a.subtree(cmd, p, -1)
			if err != nil {
				return err
			}
			matches := []string{}
			for _, n := range preorder(nodes, p) {
				subject := n.Path
				if !full {
					subject = n.Path[strings.LastIndexByte(n.Path, '/')+1:]
				}
				if re.MatchString(subject) {
					matches = append(matches, n.Path)
				}
			}
			return a.emit(matches, func(w io.Writer) {
				for _, m := range matches {
					fmt.Fprintln(w, m)
				}
			})
		}),
	}
}

// grepMatch is one matching line of grep.
type grepMatch struct {
	Path string `json:"path"`
	Line int    `json:"line"`
	Text string `json:"text"`
}

func (a *app) grepCommand() *cobra.Command {
	var namesOnly, ignoreCase bool
	cmd := &cobra.Command{
		Use:               "grep [-l] [-i] PATH REGEXP",
		Short:             "Search the data of PATH and its descendants for REGEXP (RE2 syntax)",
		Args:              exactArgs(2),
		ValidArgsFunction: a.completePaths,
	}
	cmd.Flags().BoolVarP(&namesOnly, "files-with-matches", "l", false, "print only the paths of matching nodes")
	cmd.Flags().BoolVarP(&ignoreCase, "ignore-case", "i", false, "match case-insensitively")
	cmd.RunE = wrapRun(func(cmd *cobra.Command, args []string) error {
		p, err := cleanPath(args[0])
		if err != nil {
			return err
		}
		expr := args[1]
		if ignoreCase {
			expr = "(?i)" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return usageErr{err}
		}
		ctx, c, cancel, err := a.connect(cmd)
		defer cancel()
		if err != nil {
			return err
		}
		nodes, err := walk(ctx, c, p, -1)
		if err != nil {
			return err
		}
		order := preorder(nodes, p)
		paths := make([]string, 0, len(order))
		for _, n := range order {
			if n.Stat.DataLength > 0 {
				paths = append(paths, n.Path)
			}
		}
		found := make([][]grepMatch, len(paths))
		err = forEach(ctx, paths, func(i int, p string) error {
			data, _, err := c.Get(ctx, p)
			if errors.Is(err, zk.ErrNoNode) {
				return nil
			}
			if err != nil {
				return err
			}
			found[i] = grepData(p, data, re)
			return nil
		})
		if err != nil {
			return err
		}
		all := []grepMatch{}
		for _, f := range found {
			if namesOnly && len(f) > 0 {
				f = f[:1]
			}
			all = append(all, f...)
		}
		return a.emit(all, func(w io.Writer) {
			for _, m := range all {
				if namesOnly {
					fmt.Fprintln(w, m.Path)
				} else {
					fmt.Fprintf(w, "%s:%d: %s\n", m.Path, m.Line, m.Text)
				}
			}
		})
	})
	return cmd
}

// grepData returns the lines of data that match re.
func grepData(p string, data []byte, re *regexp.Regexp) []grepMatch {
	var out []grepMatch
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), len(data)+1)
	for line := 1; sc.Scan(); line++ {
		if re.Match(sc.Bytes()) {
			out = append(out, grepMatch{Path: p, Line: line, Text: sc.Text()})
		}
	}
	return out
}
