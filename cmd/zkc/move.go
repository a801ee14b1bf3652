package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zkcurator/zkcurator/zk"
)

// dumpFormat names the layout of a dump file.
const dumpFormat = "zkc-dump/1"

// dumpFile is what dump writes and restore reads.
type dumpFile struct {
	Format string     `json:"format"`
	Root   string     `json:"root"`
	Nodes  []dumpNode `json:"nodes"` // parents before children
}

// dumpNode is one node of a dump: no Stat, only what restoring needs.
// ZooKeeper reports containers and TTL nodes to clients as persistent
// nodes, so they are dumped (and restored) as persistent.
type dumpNode struct {
	Path      string    `json:"path"`
	Data      []byte    `json:"data"` // base64
	ACL       []aclJSON `json:"acl"`
	Ephemeral bool      `json:"ephemeral,omitempty"` // restore skips these
}

// readTree reads root's subtree with data and ACLs, parents first.
func readTree(ctx context.Context, c *zk.Client, root string) ([]dumpNode, error) {
	nodes, err := walk(ctx, c, root, -1)
	if err != nil {
		return nil, err
	}
	order := preorder(nodes, root)
	paths := make([]string, len(order))
	for i, n := range order {
		paths[i] = n.Path
	}
	out := make([]dumpNode, len(order))
	gone := make([]bool, len(order))
	err = forEach(ctx, paths, func(i int, p string) error {
		data, st, err := c.Get(ctx, p)
		if err == nil {
			var acl []zk.ACL
			acl, _, err = c.GetACL(ctx, p)
			out[i] = dumpNode{Path: p, Data: nonNil(data), ACL: toACLJSON(acl), Ephemeral: st.EphemeralOwner != 0}
		}
		if errors.Is(err, zk.ErrNoNode) {
			gone[i] = true
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	res := out[:0]
	for i, n := range out {
		if !gone[i] {
			res = append(res, n)
		}
	}
	return res, nil
}

func toACLJSON(acl []zk.ACL) []aclJSON {
	out := make([]aclJSON, len(acl))
	for i, e := range acl {
		out[i] = aclJSON{e.ID.Scheme, e.ID.ID, formatPerms(e.Perms)}
	}
	return out
}

func fromACLJSON(acl []aclJSON) ([]zk.ACL, error) {
	if len(acl) == 0 {
		return nil, nil
	}
	parts := make([]string, len(acl))
	for i, e := range acl {
		parts[i] = e.Scheme + ":" + e.ID + ":" + e.Perms
	}
	return parseACL(strings.Join(parts, ","))
}

// action is one change restore or mirror makes (or would make).
type action struct {
	Op   string `json:"op"` // create, set, setacl, delete, skip-ephemeral
	Path string `json:"path"`
	node *dumpNode
	acl  []zk.ACL
}

// plan compares the nodes (read under from) with the tree under to on c and
// returns the changes that make to hold them; with prune, also the deletes
// of nodes under to that the source lacks (children first).
func plan(ctx context.Context, c *zk.Client, nodes []dumpNode, from, to string, prune bool) ([]action, error) {
	target := func(p string) string {
		rel := strings.TrimPrefix(p, from)
		if to == "/" {
			if rel == "" {
				return "/"
			}
			return rel
		}
		if from == "/" && rel != "" {
			return to + p
		}
		return to + rel
	}
	existing, err := readTree(ctx, c, to)
	if err != nil && !errors.Is(err, zk.ErrNoNode) {
		return nil, err
	}
	have := map[string]*dumpNode{}
	for i := range existing {
		have[existing[i].Path] = &existing[i]
	}
	var acts []action
	want := map[string]bool{}
	for i := range nodes {
		n := &nodes[i]
		p := target(n.Path)
		want[p] = true
		acl, err := fromACLJSON(n.ACL)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n.Path, err)
		}
		cur, ok := have[p]
		switch {
		case n.Ephemeral:
			acts = append(acts, action{Op: "skip-ephemeral", Path: p})
		case !ok:
			acts = append(acts, action{Op: "create", Path: p, node: n, acl: acl})
		default:
			if !bytes.Equal(cur.Data, n.Data) {
				acts = append(acts, action{Op: "set", Path: p, node: n})
			}
			if len(acl) > 0 && !slices.Equal(cur.ACL, n.ACL) {
				acts = append(acts, action{Op: "setacl", Path: p, acl: acl})
			}
		}
	}
	if prune {
		for i := len(existing) - 1; i >= 0; i-- {
			if p := existing[i].Path; !want[p] && !existing[i].Ephemeral {
				acts = append(acts, action{Op: "delete", Path: p})
			}
		}
	}
	return acts, nil
}

// apply carries out the actions in order: creates level by level (parents
// first) and the rest concurrently.
func apply(ctx context.Context, c *zk.Client, acts []action) error {
	byDepth := map[int][]action{}
	maxDepth := 0
	var rest, deletes []action
	for _, a := range acts {
		switch a.Op {
		case "create":
			d := strings.Count(a.Path, "/")
			byDepth[d] = append(byDepth[d], a)
			maxDepth = max(maxDepth, d)
		case "delete":
			deletes = append(deletes, a)
		case "set", "setacl":
			rest = append(rest, a)
		}
	}
	run := func(list []action) error {
		paths := make([]string, len(list))
		for i, a := range list {
			paths[i] = a.Path
		}
		return forEach(ctx, paths, func(i int, p string) error {
			a := list[i]
			var err error
			switch a.Op {
			case "create":
				_, _, err = c.CreateWith(ctx, p, a.node.Data, zk.CreateOptions{ACL: a.acl, CreateParents: true})
				if errors.Is(err, zk.ErrNodeExists) {
					_, err = c.Set(ctx, p, a.node.Data, zk.AnyVersion)
				}
			case "set":
				_, err = c.Set(ctx, p, a.node.Data, zk.AnyVersion)
			case "setacl":
				_, err = c.SetACL(ctx, p, a.acl, zk.AnyVersion)
			}
			return err
		})
	}
	for d := 0; d <= maxDepth; d++ {
		if err := run(byDepth[d]); err != nil {
			return err
		}
	}
	if err := run(rest); err != nil {
		return err
	}
	for _, a := range deletes { // deepest first, as planned
		if err := c.DeleteAll(ctx, a.Path); err != nil {
			return err
		}
	}
	return nil
}

// printActions prints what restore/mirror did or would do.
func (a *app) printActions(acts []action, dryRun bool) error {
	if acts == nil {
		acts = []action{}
	}
	v := struct {
		DryRun  bool     `json:"dryRun"`
		Actions []action `json:"actions"`
	}{dryRun, acts}
	return a.emit(v, func(w io.Writer) {
		for _, act := range acts {
			fmt.Fprintf(w, "%-14s %s\n", act.Op, act.Path)
		}
		verb := "applied"
		if dryRun {
			verb = "would apply (dry run)"
		}
		fmt.Fprintf(w, "%d changes %s\n", countChanges(acts), verb)
	})
}

func countChanges(acts []action) int {
	n := 0
	for _, a := range acts {
		if a.Op != "skip-ephemeral" {
			n++
		}
	}
	return n
}

func (a *app) dumpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "dump PATH > file.json",
		Short: "Write PATH's subtree (data as base64, ACLs, no Stat) as JSON",
		Long: `Write PATH's subtree as JSON for restore: each node's path, data (base64)
and ACL, parents first. Ephemeral nodes are marked (restore skips them).
ZooKeeper shows containers and TTL nodes to clients as persistent nodes, so
they are restored as persistent.`,
		Args:              exactArgs(1),
		ValidArgsFunction: a.completePaths,
		RunE: wrapRun(func(cmd *cobra.Command, args []string) error {
			return a.onPath(cmd, args[0], func(ctx context.Context, c *zk.Client, p string) error {
				nodes, err := readTree(ctx, c, p)
				if err != nil {
					return err
				}
				enc := json.NewEncoder(a.out)
				enc.SetIndent("", " ")
				return enc.Encode(dumpFile{Format: dumpFormat, Root: p, Nodes: nodes})
			})
		}),
	}
}

func (a *app) restoreCommand() *cobra.Command {
	var dryRun bool
	var to string
	cmd := &cobra.Command{
		Use:   "restore [--dry-run] [--to PATH] FILE",
		Short: "Create or update the nodes of a dump (FILE, - for stdin)",
		Long: `Create the nodes of a dump that are missing, set the data and ACLs of those
that differ, and leave other nodes alone. --to restores under another path
than the dump's root. --dry-run prints the changes without making them.`,
		Args: exactArgs(1),
	}
	cmd.Flags().BoolVarP(&dryRun, "dry-run", "n", false, "print the changes, make none")
	cmd.Flags().StringVar(&to, "to", "", "restore under this path instead of the dump's root")
	cmd.RunE = wrapRun(func(cmd *cobra.Command, args []string) error {
		var raw []byte
		var err error
		if args[0] == "-" {
			raw, err = io.ReadAll(a.in)
		} else {
			raw, err = os.ReadFile(args[0])
		}
		if err != nil {
			return usageErr{err}
		}
		var d dumpFile
		if err := json.Unmarshal(raw, &d); err != nil {
			return usageErr{fmt.Errorf("%s: not a zkc dump: %w", args[0], err)}
		}
		if d.Format != dumpFormat {
			return usageErr{fmt.Errorf("%s: format %q, want %q", args[0], d.Format, dumpFormat)}
		}
		if _, err := cleanPath(d.Root); err != nil {
			return usageErr{fmt.Errorf("%s: root: %w", args[0], err)}
		}
		for _, n := range d.Nodes {
			if n.Path != d.Root && !strings.HasPrefix(n.Path, strings.TrimSuffix(d.Root, "/")+"/") {
				return usageErr{fmt.Errorf("%s: node %q is not under the root %q", args[0], n.Path, d.Root)}
			}
		}
		dst := d.Root
		if to != "" {
			if dst, err = cleanPath(to); err != nil {
				return err
			}
		}
		ctx, c, cancel, err := a.connect(cmd)
		defer cancel()
		if err != nil {
			return err
		}
		acts, err := plan(ctx, c, d.Nodes, d.Root, dst, false)
		if err != nil {
			return err
		}
		if !dryRun {
			if err := apply(ctx, c, acts); err != nil {
				return err
			}
		}
		return a.printActions(acts, dryRun)
	})
	return cmd
}

// connectBoth is connect for a command on two trees: c1 holds the first,
// c2 the second (on --server2 when given, else c2 is c1).
func (a *app) connectBoth(cmd *cobra.Command, server2 string) (ctx context.Context, c1, c2 *zk.Client, cancel context.CancelFunc, err error) {
	ctx, c1, cancel, err = a.connect(cmd)
	if err == nil {
		c2, err = a.conn2(ctx, server2)
	}
	return ctx, c1, c2, cancel, err
}

// conn2 returns the connection to --server2, or the main one without it.
func (a *app) conn2(ctx context.Context, server2 string) (*zk.Client, error) {
	if server2 == "" {
		return a.conn(ctx)
	}
	if a.client2 != nil {
		return a.client2, nil
	}
	other := *a
	other.client, other.emb = nil, nil
	other.g.server, other.g.embedded = server2, false
	c, err := other.conn(ctx)
	a.mech = other.mech // a Kerberos mechanism made for it is closed with a's
	if err != nil {
		return nil, err
	}
	a.client2 = c
	return c, nil
}

// diffLine is one difference found by diff.
type diffLine struct {
	Op   string `json:"op"` // only-a, only-b, data, acl
	Path string `json:"path"`
}

func (a *app) diffCommand() *cobra.Command {
	var server2 string
	var withACL bool
	cmd := &cobra.Command{
		Use:   "diff [--server2 HOSTS] [--acl] A B",
		Short: "Compare two subtrees (on one cluster, or A here and B on --server2)",
		Long: `Compare the subtrees A and B by relative path: nodes only in A (-), only in
B (+), and nodes whose data (~) or, with --acl, ACL (a) differ. Exits 1 when
they differ, like diff(1).`,
		Args: exactArgs(2),
	}
	cmd.Flags().StringVar(&server2, "server2", "", "connect string of the cluster holding B (default: the same)")
	cmd.Flags().BoolVar(&withACL, "acl", false, "compare ACLs too")
	cmd.RunE = wrapRun(func(cmd *cobra.Command, args []string) error {
		ps, err := cleanPaths(args...)
		if err != nil {
			return err
		}
		pa, pb := ps[0], ps[1]
		ctx, ca, cb, cancel, err := a.connectBoth(cmd, server2)
		defer cancel()
		if err != nil {
			return err
		}
		na, err := readTree(ctx, ca, pa)
		if err != nil {
			return err
		}
		nb, err := readTree(ctx, cb, pb)
		if err != nil {
			return err
		}
		diffs := diffTrees(na, pa, nb, pb, withACL)
		if err := a.emit(nonNil(diffs), func(w io.Writer) {
			marks := map[string]string{"only-a": "-", "only-b": "+", "data": "~", "acl": "a"}
			for _, d := range diffs {
				fmt.Fprintf(w, "%s %s\n", marks[d.Op], d.Path)
			}
		}); err != nil {
			return err
		}
		if len(diffs) > 0 {
			return fmt.Errorf("%d differences", len(diffs))
		}
		return nil
	})
	return cmd
}

// diffTrees compares two dumps by path relative to their roots; the paths
// reported are relative ("" is the root itself, shown as ".").
func diffTrees(na []dumpNode, pa string, nb []dumpNode, pb string, withACL bool) []diffLine {
	rel := func(p, root string) string {
		r := strings.TrimPrefix(p, root)
		if root == "/" && p != "/" {
			r = p
		}
		if r == "" {
			return "."
		}
		return r
	}
	ib := map[string]*dumpNode{}
	for i := range nb {
		ib[rel(nb[i].Path, pb)] = &nb[i]
	}
	seen := map[string]bool{}
	var out []diffLine
	for i := range na {
		r := rel(na[i].Path, pa)
		seen[r] = true
		b, ok := ib[r]
		switch {
		case !ok:
			out = append(out, diffLine{"only-a", r})
		case !bytes.Equal(na[i].Data, b.Data):
			out = append(out, diffLine{"data", r})
		case withACL && !slices.Equal(na[i].ACL, b.ACL):
			out = append(out, diffLine{"acl", r})
		}
	}
	for i := range nb {
		if r := rel(nb[i].Path, pb); !seen[r] {
			out = append(out, diffLine{"only-b", r})
		}
	}
	return out
}

func (a *app) mirrorCommand() *cobra.Command {
	var server2 string
	var dryRun, prune bool
	cmd := &cobra.Command{
		Use:   "mirror [--server2 HOSTS] [--dry-run] [--delete] SRC DST",
		Short: "Make DST (here or on --server2) hold SRC's nodes, data and ACLs",
		Long: `Copy SRC's subtree to DST: create missing nodes, set data and ACLs that
differ; with --delete also delete nodes under DST that SRC lacks. Ephemeral
nodes are not copied. --dry-run prints the changes without making them.`,
		Args: exactArgs(2),
	}
	cmd.Flags().StringVar(&server2, "server2", "", "connect string of the cluster holding DST (default: the same)")
	cmd.Flags().BoolVarP(&dryRun, "dry-run", "n", false, "print the changes, make none")
	cmd.Flags().BoolVar(&prune, "delete", false, "delete nodes under DST that SRC does not have")
	cmd.RunE = wrapRun(func(cmd *cobra.Command, args []string) error {
		ps, err := cleanPaths(args...)
		if err != nil {
			return err
		}
		src, dst := ps[0], ps[1]
		if server2 == "" && (dst == src || strings.HasPrefix(dst, strings.TrimSuffix(src, "/")+"/") || strings.HasPrefix(src, strings.TrimSuffix(dst, "/")+"/")) {
			return usageErr{fmt.Errorf("mirror %s %s: one is inside the other", src, dst)}
		}
		ctx, cs, cd, cancel, err := a.connectBoth(cmd, server2)
		defer cancel()
		if err != nil {
			return err
		}
		nodes, err := readTree(ctx, cs, src)
		if err != nil {
			return err
		}
		acts, err := plan(ctx, cd, nodes, src, dst, prune)
		if err != nil {
			return err
		}
		if !dryRun {
			if err := apply(ctx, cd, acts); err != nil {
				return err
			}
		}
		return a.printActions(acts, dryRun)
	})
	return cmd
}
