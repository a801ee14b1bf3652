package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zkcurator/zkcurator/zk"
)

func (a *app) whoamiCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "whoami",
		Short: "Print this session: id, server, negotiated timeout, credentials, identities",
		Long: `Print this session: its id, the server, the negotiated timeout, the state,
the credentials given with --auth (passwords never printed), the SASL
mechanism and user (--sasl, when given) and the
identities the server authenticated the session as (ZooKeeper's whoAmI, 3.7+;
"identities" is null, and the text says so, on an older server).`,
		Args: exactArgs(0),
		RunE: wrapRun(func(cmd *cobra.Command, _ []string) error {
			ctx, c, cancel, err := a.connect(cmd)
			defer cancel()
			if err != nil {
				return err
			}
			auth := []string{}
			for _, s := range a.g.auth {
				scheme, cred, _ := strings.Cut(s, ":")
				user, _, _ := strings.Cut(cred, ":")
				if scheme == "digest" {
					auth = append(auth, "digest:"+user)
				} else {
					auth = append(auth, scheme)
				}
			}
			var ids []string
			infos, err := c.WhoAmI(ctx)
			switch {
			case errors.Is(err, zk.ErrUnimplemented): // before 3.7: ids stays nil
			case err != nil:
				return err
			default:
				ids = make([]string, len(infos))
				for i, ci := range infos {
					ids[i] = ci.AuthScheme + ":" + ci.User
				}
			}
			v := struct {
				SessionID      string   `json:"sessionId"`
				Server         string   `json:"server"`
				SessionTimeout string   `json:"sessionTimeout"`
				State          string   `json:"state"`
				Auth           []string `json:"auth"`
				SASL           string   `json:"sasl,omitempty"`
				Identities     []string `json:"identities"`
			}{hexID(c.SessionID()), c.Server(), c.SessionTimeout().String(), c.State().String(), auth, a.saslSummary(), ids}
			return a.emit(v, func(w io.Writer) {
				idText := strings.Join(ids, ", ")
				if ids == nil {
					idText = "(the server is older than 3.7: no whoAmI)"
				}
				fmt.Fprintf(w, "session  %s\nserver   %s\ntimeout  %s\nstate    %s\nauth     %s\n",
					v.SessionID, v.Server, v.SessionTimeout, v.State, strings.Join(auth, ", "))
				if v.SASL != "" {
					fmt.Fprintf(w, "sasl     %s\n", v.SASL)
				}
				fmt.Fprintf(w, "identity %s\n", idText)
			})
		}),
	}
}

// ephemeralJSON is one session's ephemeral nodes.
type ephemeralJSON struct {
	Session string   `json:"session"`
	Paths   []string `json:"paths"`
}

func (a *app) ephemeralsCommand() *cobra.Command {
	var session string
	cmd := &cobra.Command{
		Use:   "ephemerals [--session ID] [PATH]",
		Short: "List ephemeral nodes under PATH grouped by owner session",
		Long: `List the ephemeral nodes under PATH (default /) grouped by the session that
owns them (the Stat's ephemeralOwner), read with a pipelined walk of the
subtree (ZooKeeper's getEphemerals only answers for the caller's own session).
--session (hex 0x... or decimal) keeps one session.`,
		Args:              rangeArgs(0, 1),
		ValidArgsFunction: a.completePaths,
	}
	cmd.Flags().StringVar(&session, "session", "", "only this session id (0x... or decimal)")
	cmd.RunE = wrapRun(func(cmd *cobra.Command, args []string) error {
		p, err := cleanPath(argOr(args, 0, "/"))
		if err != nil {
			return err
		}
		var want int64
		if session != "" {
			want, err = parseSessionID(session)
			if err != nil {
				return usageErr{err}
			}
		}
		nodes, err := a.subtree(cmd, p, -1)
		if err != nil {
			return err
		}
		bySession := map[int64][]string{}
		for _, n := range preorder(nodes, p) {
			if o := n.Stat.EphemeralOwner; o != 0 && (want == 0 || o == want) {
				bySession[o] = append(bySession[o], n.Path)
			}
		}
		ids := make([]int64, 0, len(bySession))
		for id := range bySession {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return uint64(ids[i]) < uint64(ids[j]) })
		out := []ephemeralJSON{}
		for _, id := range ids {
			out = append(out, ephemeralJSON{Session: hexID(id), Paths: bySession[id]})
		}
		return a.emit(out, func(w io.Writer) {
			for _, e := range out {
				fmt.Fprintln(w, e.Session)
				for _, p := range e.Paths {
					fmt.Fprintln(w, "  "+p)
				}
			}
		})
	})
	return cmd
}

// parseSessionID parses a session id given as 0x-hex or decimal.
func parseSessionID(s string) (int64, error) {
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		u, err := strconv.ParseUint(h, 16, 64)
		if err != nil {
			return 0, fmt.Errorf("session id %q: %w", s, err)
		}
		return int64(u), nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("session id %q: want 0x-hex or decimal", s)
	}
	return v, nil
}
