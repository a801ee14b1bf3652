package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zkcurator/zkcurator/zk"
)

// permLetters are zkCli's permission letters in its order.
var permLetters = []struct {
	c    byte
	perm int32
}{{'c', zk.PermCreate}, {'d', zk.PermDelete}, {'r', zk.PermRead}, {'w', zk.PermWrite}, {'a', zk.PermAdmin}}

// formatPerms writes perms as zkCli does ("cdrwa").
func formatPerms(perms int32) string {
	var b strings.Builder
	for _, p := range permLetters {
		if perms&p.perm != 0 {
			b.WriteByte(p.c)
		}
	}
	return b.String()
}

// parseACL parses zkCli's ACL syntax: scheme:id:perms[,scheme:id:perms...],
// e.g. "world:anyone:cdrwa,digest:bob:<hash>:r" ("auth::cdrwa" for the
// session's own identities).
func parseACL(s string) ([]zk.ACL, error) {
	var acl []zk.ACL
	for entry := range strings.SplitSeq(s, ",") {
		i := strings.IndexByte(entry, ':')
		j := strings.LastIndexByte(entry, ':')
		if i < 0 || i == j {
			return nil, fmt.Errorf("ACL entry %q: want scheme:id:perms", entry)
		}
		var perms int32
		for _, ch := range []byte(entry[j+1:]) {
			found := false
			for _, p := range permLetters {
				if p.c == ch {
					perms |= p.perm
					found = true
				}
			}
			if !found {
				return nil, fmt.Errorf("ACL entry %q: unknown permission %q (want letters of cdrwa)", entry, ch)
			}
		}
		acl = append(acl, zk.ACL{Perms: perms, ID: zk.ID{Scheme: entry[:i], ID: entry[i+1 : j]}})
	}
	if len(acl) == 0 {
		return nil, errors.New("empty ACL")
	}
	return acl, nil
}

// aclJSON is one ACL entry in --json output.
type aclJSON struct {
	Scheme string `json:"scheme"`
	ID     string `json:"id"`
	Perms  string `json:"perms"`
}

func (a *app) getACLCommand() *cobra.Command {
	return a.pathCommand("getacl PATH", "Print a node's ACL (scheme:id:perms per line)", "",
		func(ctx context.Context, c *zk.Client, p string) (any, func(io.Writer), error) {
			acl, _, err := c.GetACL(ctx, p)
			if err != nil {
				return nil, nil, err
			}
			out := make([]aclJSON, len(acl))
			for i, e := range acl {
				out[i] = aclJSON{e.ID.Scheme, e.ID.ID, formatPerms(e.Perms)}
			}
			return out, func(w io.Writer) {
				for _, e := range out {
					fmt.Fprintf(w, "%s:%s:%s\n", e.Scheme, e.ID, e.Perms)
				}
			}, nil
		})
}

func (a *app) setACLCommand() *cobra.Command {
	var version int32
	var recursive bool
	cmd := &cobra.Command{
		Use:   "setacl [-R] [--version V] PATH ACL",
		Short: "Set a node's ACL, e.g. world:anyone:r,digest:bob:<hash>:cdrwa",
		Long: `Set a node's ACL (zkCli syntax: scheme:id:perms, comma-separated; perms are
letters of cdrwa). -R sets it on every node of the subtree.`,
		Args:              exactArgs(2),
		ValidArgsFunction: a.completePaths,
	}
	cmd.Flags().Int32VarP(&version, "version", "v", zk.AnyVersion, "expected ACL version (-1: any; not with -R)")
	cmd.Flags().BoolVarP(&recursive, "recursive", "R", false, "set the ACL on the whole subtree")
	cmd.RunE = wrapRun(func(cmd *cobra.Command, args []string) error {
		p, err := cleanPath(args[0])
		if err != nil {
			return err
		}
		acl, err := parseACL(args[1])
		if err != nil {
			return usageErr{err}
		}
		if recursive && version != zk.AnyVersion {
			return usageErr{errors.New("--version cannot be used with -R")}
		}
		ctx, c, cancel, err := a.connect(cmd)
		defer cancel()
		if err != nil {
			return err
		}
		paths := []string{p}
		if recursive {
			nodes, err := walk(ctx, c, p, -1)
			if err != nil {
				return err
			}
			paths = paths[:0]
			for _, n := range preorder(nodes, p) {
				paths = append(paths, n.Path)
			}
		}
		err = forEach(ctx, paths, func(_ int, p string) error {
			_, err := c.SetACL(ctx, p, acl, version)
			if errors.Is(err, zk.ErrNoNode) && recursive {
				return nil
			}
			return err
		})
		if err != nil {
			return err
		}
		return a.emit(struct {
			Paths int `json:"paths"`
		}{len(paths)}, func(w io.Writer) {
			if recursive {
				fmt.Fprintf(w, "ACL set on %d nodes\n", len(paths))
			}
		})
	})
	return cmd
}
