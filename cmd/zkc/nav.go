package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zkcurator/zkcurator/zk"
)

// lsEntry is one line of ls.
type lsEntry struct {
	Path string    `json:"path"`
	Name string    `json:"name"`
	Stat *statJSON `json:"stat,omitempty"`
}

func (a *app) lsCommand() *cobra.Command {
	var long, recursive bool
	cmd := &cobra.Command{
		Use:               "ls [-l] [-R] PATH",
		Short:             "List a node's children (sorted); -l adds stats, -R lists the subtree",
		Args:              rangeArgs(0, 1),
		ValidArgsFunction: a.completePaths,
	}
	cmd.Flags().BoolVarP(&long, "long", "l", false, "show version, data length, children count, ephemeral owner and mtime")
	cmd.Flags().BoolVarP(&recursive, "recursive", "R", false, "list every descendant with its full path")
	cmd.RunE = wrapRun(func(cmd *cobra.Command, args []string) error {
		p, err := cleanPath(argOr(args, 0, "/"))
		if err != nil {
			return err
		}
		depth := 1
		if recursive {
			depth = -1
		}
		nodes, err := a.subtree(cmd, p, depth)
		if err != nil {
			return err
		}
		var entries []lsEntry
		for _, n := range preorder(nodes, p) {
			if n.Path == p {
				continue
			}
			e := lsEntry{Path: n.Path, Name: n.Path[strings.LastIndexByte(n.Path, '/')+1:]}
			if long {
				e.Stat = toStatJSON(n.Stat)
			}
			entries = append(entries, e)
		}
		if entries == nil {
			entries = []lsEntry{}
		}
		return a.emit(entries, func(w io.Writer) {
			if long && len(entries) > 0 {
				fmt.Fprintf(w, "%s %6s %8s %6s %-18s %-19s %s\n", "k", "ver", "bytes", "kids", "ephemeral-owner", "mtime (UTC)", "name")
			}
			for _, e := range entries {
				name := e.Name
				if recursive {
					name = e.Path
				}
				if !long {
					fmt.Fprintln(w, name)
					continue
				}
				st := nodes[e.Path].Stat
				kind := "-"
				if st.EphemeralOwner != 0 {
					kind = "e"
				}
				fmt.Fprintf(w, "%s %6d %8d %6d %-18s %s %s\n", kind, st.Version, st.DataLength, st.NumChildren,
					ownerCol(st.EphemeralOwner), msTime(st.Mtime)[:19], name)
			}
		})
	})
	return cmd
}

func ownerCol(id int64) string {
	if id == 0 {
		return "-"
	}
	return hexID(id)
}

// argOr returns args[i], or def when there are fewer arguments.
func argOr(args []string, i int, def string) string {
	if len(args) > i {
		return args[i]
	}
	return def
}

// treeJSON is one node of tree's --json output.
type treeJSON struct {
	Name     string      `json:"name"`
	Path     string      `json:"path"`
	Children []*treeJSON `json:"children,omitempty"`
}

func (a *app) treeCommand() *cobra.Command {
	var depth int
	cmd := &cobra.Command{
		Use:               "tree [--depth N] [PATH]",
		Short:             "Print the subtree under PATH, read with pipelined requests",
		Args:              rangeArgs(0, 1),
		ValidArgsFunction: a.completePaths,
	}
	cmd.Flags().IntVar(&depth, "depth", -1, "levels below PATH to show (-1: all)")
	cmd.RunE = wrapRun(func(cmd *cobra.Command, args []string) error {
		p, err := cleanPath(argOr(args, 0, "/"))
		if err != nil {
			return err
		}
		if depth < -1 {
			return usageErr{fmt.Errorf("--depth %d: must be -1 or more", depth)}
		}
		nodes, err := a.subtree(cmd, p, depth)
		if err != nil {
			return err
		}
		if a.g.json {
			return a.emit(buildTree(nodes, p), nil)
		}
		bw := newBufWriter(a.out)
		for _, n := range preorder(nodes, p) {
			if n.Path == p {
				fmt.Fprintln(bw, p)
				continue
			}
			fmt.Fprintf(bw, "%s%s\n", strings.Repeat("  ", n.Depth), n.Path[strings.LastIndexByte(n.Path, '/')+1:])
		}
		return bw.Flush()
	})
	return cmd
}

func buildTree(nodes map[string]*node, p string) *treeJSON {
	n := nodes[p]
	t := &treeJSON{Name: p[strings.LastIndexByte(p, '/')+1:], Path: p}
	for _, name := range n.Children {
		cp := joinPath(p, name)
		if _, ok := nodes[cp]; ok {
			t.Children = append(t.Children, buildTree(nodes, cp))
		}
	}
	return t
}

func (a *app) statCommand() *cobra.Command {
	return a.pathCommand("stat PATH", "Print a node's Stat", "",
		func(ctx context.Context, c *zk.Client, p string) (any, func(io.Writer), error) {
			ok, st, err := c.Exists(ctx, p)
			if err != nil {
				return nil, nil, err
			}
			if !ok {
				return nil, nil, &zk.OpError{Op: "stat", Path: p, Err: zk.ErrNoNode}
			}
			return struct {
				Path string    `json:"path"`
				Stat *statJSON `json:"stat"`
			}{p, toStatJSON(st)}, func(w io.Writer) { printStat(w, st) }, nil
		})
}
