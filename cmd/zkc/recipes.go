package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/zkcurator/zkcurator/zk"
)

// Curator's lock names: the text before the sequence number in a recipe
// node's name (after the protected _c_<uuid>- prefix).
var recipeLockNames = []string{"-lock-", "-latch-", "-lease-", "__READ__", "__WRIT__"}

// participant is one node of a recipe: a lock holder or waiter, an election
// participant or a semaphore lease.
type participant struct {
	Name     string `json:"name"`
	Path     string `json:"path"`
	Kind     string `json:"kind"`     // lock, latch, lease, read, write
	Sequence string `json:"sequence"` // the suffix nodes are ordered by
	Holds    bool   `json:"holds"`
	// FencingToken is the node's czxid: it grows with every new holder.
	FencingToken int64  `json:"fencingToken"`
	Owner        string `json:"owner"`
	// Session is "connected" (the owner is connected to a server, per cons),
	// "not-connected" (no server lists it: a stale node whose session is
	// gone, or one reconnecting right now), or "unknown" (cons unavailable).
	Session string `json:"session"`
	Data    string `json:"data,omitempty"`
}

// sequenceOf returns the kind and sequence suffix of a recipe node name:
// the text after the last occurrence of its lock name, as Curator sorts.
func sequenceOf(name string) (kind, seq string, ok bool) {
	best := -1
	for _, ln := range recipeLockNames {
		if i := strings.LastIndex(name, ln); i >= 0 && i > best {
			best = i
			kind = strings.Trim(strings.ToLower(ln), "-_")
			seq = name[i+len(ln):]
		}
	}
	switch kind {
	case "writ":
		kind = "write"
	}
	return kind, seq, best >= 0
}

// readParticipants reads the recipe nodes directly under p, in order, with
// their data (the participant id: Curator's defaultData, our WithData).
func (a *app) readParticipants(ctx context.Context, c *zk.Client, p string) ([]participant, error) {
	names, _, err := c.Children(ctx, p)
	if err != nil {
		return nil, err
	}
	var parts []participant
	for _, name := range names {
		if kind, seq, ok := sequenceOf(name); ok {
			parts = append(parts, participant{Name: name, Path: joinPath(p, name), Kind: kind, Sequence: seq})
		}
	}
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].Sequence < parts[j].Sequence })
	paths := make([]string, len(parts))
	for i := range parts {
		paths[i] = parts[i].Path
	}
	gone := make([]bool, len(parts))
	err = forEach(ctx, paths, func(i int, p string) error {
		data, st, err := c.Get(ctx, p)
		if errors.Is(err, zk.ErrNoNode) {
			gone[i] = true
			return nil
		}
		if err != nil {
			return err
		}
		parts[i].FencingToken = st.Czxid
		parts[i].Owner = hexID(st.EphemeralOwner)
		parts[i].Data = string(data) // the participant id (Curator's defaultData / our WithData)
		return nil
	})
	if err != nil {
		return nil, err
	}
	live, complete := a.liveSessions(ctx)
	out := parts[:0]
	for i, pt := range parts {
		if gone[i] {
			continue
		}
		owner, _ := parseSessionID(pt.Owner)
		switch {
		case live[owner]:
			pt.Session = "connected"
		case complete:
			pt.Session = "not-connected"
		default:
			pt.Session = "unknown"
		}
		out = append(out, pt)
	}
	return out, nil
}

// printParticipants prints the participants as a table.
func printParticipants(w io.Writer, parts []participant, holdWord string) {
	if len(parts) == 0 {
		fmt.Fprintln(w, "(no participants)")
		return
	}
	for i, pt := range parts {
		state := "waiting"
		if pt.Holds {
			state = holdWord
		}
		fmt.Fprintf(w, "%2d %-8s %-6s seq=%s token=0x%x owner=%s (%s)", i, state, pt.Kind, pt.Sequence, pt.FencingToken, pt.Owner, pt.Session)
		if pt.Data != "" {
			fmt.Fprintf(w, " id=%q", pt.Data)
		}
		fmt.Fprintf(w, "  %s\n", pt.Name)
	}
}

func (a *app) locksCommand() *cobra.Command {
	return a.pathCommand("locks PATH", "Show a Curator lock: holder, queue, fencing tokens, owner sessions",
		`Show the lock at PATH in Curator's layout (InterProcessMutex, or
InterProcessReadWriteLock's __READ__/__WRIT__ nodes): the holder and the queue
in sequence order, each node's fencing token (czxid) and owner session. Nodes
whose session no server lists as connected (cons) are marked not-connected:
stale, or reconnecting right now.`,
		func(ctx context.Context, c *zk.Client, p string) (any, func(io.Writer), error) {
			parts, err := a.readParticipants(ctx, c, p)
			if err != nil {
				return nil, nil, err
			}
			writerSeen := false
			for i := range parts {
				switch parts[i].Kind {
				case "read":
					parts[i].Holds = !writerSeen
				case "write":
					parts[i].Holds = i == 0
					writerSeen = true
				default:
					parts[i].Holds = i == 0
				}
			}
			return nonNil(parts), func(w io.Writer) { printParticipants(w, parts, "HOLDS") }, nil
		})
}

func (a *app) leaderCommand() *cobra.Command {
	return a.pathCommand("leader PATH", "Show a Curator election: participants with their ids, and the leader",
		`Show the LeaderLatch or LeaderSelector at PATH in Curator's layout: the
participants in sequence order with their ids (the nodes' data); the first is
the leader.`,
		func(ctx context.Context, c *zk.Client, p string) (any, func(io.Writer), error) {
			parts, err := a.readParticipants(ctx, c, p)
			if err != nil {
				return nil, nil, err
			}
			if len(parts) > 0 {
				parts[0].Holds = true
			}
			return nonNil(parts), func(w io.Writer) { printParticipants(w, parts, "LEADER") }, nil
		})
}

func (a *app) semaphoreCommand() *cobra.Command {
	var maxLeases int
	cmd := a.pathCommand("semaphore [--max N] PATH", "Show a Curator semaphore: leases, and the waiters on its lock",
		`Show the InterProcessSemaphoreV2 at PATH in Curator's layout: the leases
under PATH/leases in order and the acquirers queued on its mutex under
PATH/locks. The maximum is not stored in ZooKeeper; with --max N the first N
leases are marked as held and the rest as waiting.`, nil)
	cmd.Flags().IntVar(&maxLeases, "max", 0, "the semaphore's maximum leases (0: unknown, every lease shown as held)")
	body := func(ctx context.Context, c *zk.Client, p string) (any, func(io.Writer), error) {
		if maxLeases < 0 {
			return nil, nil, usageErr{fmt.Errorf("--max %d: must be 0 or more", maxLeases)}
		}
		leases, err := a.readParticipants(ctx, c, joinPath(p, "leases"))
		if err != nil && !errors.Is(err, zk.ErrNoNode) {
			return nil, nil, err
		}
		waiters, err := a.readParticipants(ctx, c, joinPath(p, "locks"))
		if err != nil && !errors.Is(err, zk.ErrNoNode) {
			return nil, nil, err
		}
		if len(leases) == 0 && len(waiters) == 0 {
			if ok, _, err := c.Exists(ctx, p); err == nil && !ok {
				return nil, nil, &zk.OpError{Op: "semaphore", Path: p, Err: zk.ErrNoNode}
			}
		}
		for i := range leases {
			leases[i].Holds = maxLeases == 0 || i < maxLeases
		}
		v := struct {
			Leases  []participant `json:"leases"`
			Waiters []participant `json:"waiters"`
		}{nonNil(leases), nonNil(waiters)}
		return v, func(w io.Writer) {
			fmt.Fprintln(w, "leases:")
			printParticipants(w, leases, "HOLDS")
			fmt.Fprintln(w, "acquiring (queued on "+joinPath(p, "locks")+"):")
			printParticipants(w, waiters, "LOCKING")
		}, nil
	}
	cmd.RunE = a.pathCommand("", "", "", body).RunE
	return cmd
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
