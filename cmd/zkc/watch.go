package main

import (
	"context"
	"errors"
	"fmt"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/zkcurator/zkcurator/zk"
)

// watchLine is one event printed by watch.
type watchLine struct {
	Time string `json:"time"`
	Type string `json:"type"`
	Path string `json:"path"`
	// Mzxid is the node's mzxid read right after the event (the zxid of the
	// change or a later one); the watch notification itself carries none.
	Mzxid int64  `json:"mzxid,omitempty"`
	Note  string `json:"note,omitempty"`
}

func (a *app) watchCommand() *cobra.Command {
	var recursive, zxid bool
	var count int
	cmd := &cobra.Command{
		Use:   "watch [-R] [--zxid] PATH",
		Short: "Print every change under PATH until interrupted (persistent watch, ZooKeeper 3.6+)",
		Long: `Print one line per event (time, type, path) until ctrl-C, using a persistent
watch on PATH, or a persistent recursive watch on the subtree with -R. The
watch notification carries no zxid; --zxid reads the node's mzxid after each
created/changed event (one extra read per event).`,
		Args:              exactArgs(1),
		ValidArgsFunction: a.completePaths,
	}
	cmd.Flags().BoolVarP(&recursive, "recursive", "R", false, "watch the whole subtree")
	cmd.Flags().BoolVar(&zxid, "zxid", false, "read each changed node's mzxid")
	cmd.Flags().IntVarP(&count, "count", "n", 0, "exit after N events (0: until interrupted)")
	cmd.RunE = wrapRun(func(cmd *cobra.Command, args []string) error {
		p, err := cleanPath(args[0])
		if err != nil {
			return err
		}
		if count < 0 {
			return usageErr{fmt.Errorf("--count %d: must be 0 or more", count)}
		}
		base := cmd.Context()
		if base == nil {
			base = context.Background()
		}
		ctx, stop := signal.NotifyContext(base, syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		c, err := a.conn(ctx)
		if err != nil {
			return err
		}
		mode := zk.AddWatchPersistent
		if recursive {
			mode = zk.AddWatchPersistentRecursive
		}
		return a.watchLoop(ctx, c, p, mode, zxid, count)
	})
	return cmd
}

// watchLoop prints events until ctx ends (ctrl-C) or count events were
// printed. A watch ended by a lost session is set again once a new session
// is up.
func (a *app) watchLoop(ctx context.Context, c *zk.Client, p string, mode zk.AddWatchMode, zxid bool, count int) error {
	seen := 0
	for {
		actx, cancel := context.WithTimeout(ctx, a.g.timeout)
		w, err := c.AddWatch(actx, p, mode)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		// Scripts (and tests) wait for this line before making changes.
		fmt.Fprintf(a.errOut, "zkc: watching %s (%s); ctrl-C stops\n", p, mode)
		done, err := a.printEvents(ctx, c, w, p, zxid, count, &seen)
		if done || err != nil {
			// No Remove: exiting closes the session, which ends the watch,
			// and a ctrl-C while the server is away must not wait for it.
			return err
		}
		if err := c.BlockUntilConnected(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, zk.ErrClosed) {
				return connErr{err}
			}
			return err
		}
	}
}

// printEvents prints w's events until ctx ends or count events were printed
// (done), or the watch ends with its session (not done: set it again).
func (a *app) printEvents(ctx context.Context, c *zk.Client, w *zk.Watcher, p string, zxid bool, count int, seen *int) (done bool, err error) {
	for {
		var ev zk.Event
		var open bool
		select {
		case <-ctx.Done():
			return true, nil
		case ev, open = <-w.Events():
		}
		if !open || ev.Type == zk.EventNotWatching {
			if ctx.Err() != nil {
				return true, nil
			}
			return false, a.printWatch(watchLine{Time: now(), Type: zk.EventNotWatching.String(), Path: p,
				Note: "watch ended; setting it again (events in between are missed)"})
		}
		l := watchLine{Time: now(), Type: ev.Type.String(), Path: ev.Path}
		if zxid && (ev.Type == zk.EventNodeCreated || ev.Type == zk.EventNodeDataChanged) {
			sctx, cancel := context.WithTimeout(ctx, a.g.timeout)
			if ok, st, err := c.Exists(sctx, ev.Path); err == nil && ok {
				l.Mzxid = st.Mzxid
			}
			cancel()
		}
		if err := a.printWatch(l); err != nil {
			return true, err
		}
		if *seen++; count > 0 && *seen >= count {
			return true, nil
		}
	}
}

func now() string { return time.Now().UTC().Format("15:04:05.000") }

func (a *app) printWatch(l watchLine) error {
	if a.g.json {
		return a.emitLine(l)
	}
	var err error
	switch {
	case l.Note != "":
		_, err = fmt.Fprintf(a.out, "%s %s %s (%s)\n", l.Time, l.Type, l.Path, l.Note)
	case l.Mzxid != 0:
		_, err = fmt.Fprintf(a.out, "%s %s %s zxid=0x%x\n", l.Time, l.Type, l.Path, l.Mzxid)
	default:
		_, err = fmt.Fprintf(a.out, "%s %s %s\n", l.Time, l.Type, l.Path)
	}
	return err
}
