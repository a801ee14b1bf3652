// Command election shows leader election with zkcurator: three
// participants join one election, the leader is stopped, and another takes
// over.
//
//	go run ./examples/election                         # embedded test server, no ZooKeeper needed
//	go run ./examples/election -servers 127.0.0.1:2181 # a real ensemble
package main

import (
	"context"
	"fmt"
	"time"

	"github.com/zkcurator/zkcurator/examples/internal/program"
	"github.com/zkcurator/zkcurator/recipes/election"
	"github.com/zkcurator/zkcurator/zk"
)

// about is what -h says the program shows.
const about = `Shows leader election (recipes/election.Latch, Curator's LeaderLatch
layout): three participants, each with its own client and session, join
one election; exactly one leads and gets a context that stays valid while
it leads. The leader is then stopped: its context ends, and another
participant takes over, which ZooKeeper confirms. Without -servers it
starts the embedded ZooKeeper test server, so no ZooKeeper or Java is
needed.`

func main() { program.Main("election", about, run) }

// participant is one process of the election: its own client and latch.
type participant struct {
	name   string
	client *zk.Client
	latch  *election.Latch
}

// run is the whole program; each step is a function below.
func run(servers string) error {
	ctx, env, _, done, err := program.Setup(servers, 30*time.Second, 0)
	defer done()
	if err != nil {
		return err
	}
	path := program.Path("election")

	ps, err := joinAll(ctx, env.Servers, path, []string{"alice", "bob", "carol"})
	defer func() {
		for i := len(ps) - 1; i >= 0; i-- {
			_ = ps[i].latch.Close()
			_ = ps[i].client.Close()
		}
	}()
	if err != nil {
		return err
	}
	leader, err := lead(ctx, ps)
	if err != nil {
		return err
	}
	return takeOver(ctx, ps, leader)
}

// joinAll connects one client per name and joins each to the election at
// path. The caller closes the participants returned, also on an error.
func joinAll(ctx context.Context, servers, path string, names []string) ([]*participant, error) {
	ps := make([]*participant, 0, len(names))
	for _, name := range names {
		c, err := zk.Connect(ctx, servers, zk.WithSessionTimeout(5*time.Second))
		if err != nil {
			return ps, err
		}
		l, err := election.NewLatch(c, path, name)
		if err != nil {
			_ = c.Close()
			return ps, err
		}
		p := &participant{name: name, client: c, latch: l}
		ps = append(ps, p)
		l.Listen(func(isLeader bool) {
			if isLeader {
				say("%s: I am the leader now.", name)
			} else {
				say("%s: I am no longer the leader.", name)
			}
		})
		if err := l.Start(ctx); err != nil {
			return ps, err
		}
		say("%s joined the election at %s.", name, path)
	}
	return ps, nil
}

// lead waits for the first leader, which works until its leadership
// context ends; then it is stopped and its context ends.
func lead(ctx context.Context, ps []*participant) (*participant, error) {
	leader, held, err := awaitAny(ctx, ps)
	if err != nil {
		return nil, err
	}
	all, err := leader.latch.Participants(ctx)
	if err != nil {
		return nil, err
	}
	say("Participants, leader first: %v.", ids(all))
	say("%s leads and does the work.", leader.name)

	say("Stopping %s.", leader.name)
	if err := leader.latch.CloseWith(election.CloseNotifyLeader); err != nil {
		return nil, err
	}
	<-held.Done()
	say("%s stopped working: %v.", leader.name, context.Cause(held))
	return leader, nil
}

// takeOver waits for one of the others to lead and asks ZooKeeper who
// leads.
func takeOver(ctx context.Context, ps []*participant, old *participant) error {
	rest := make([]*participant, 0, len(ps)-1)
	for _, p := range ps {
		if p != old {
			rest = append(rest, p)
		}
	}
	next, _, err := awaitAny(ctx, rest)
	if err != nil {
		return err
	}
	ld, err := next.latch.Leader(ctx)
	if err != nil {
		return err
	}
	say("%s took over; ZooKeeper agrees the leader is %s.", next.name, ld.ID)
	return nil
}

// awaitAny returns the first of ps to lead and its leadership context.
func awaitAny(ctx context.Context, ps []*participant) (*participant, context.Context, error) {
	type won struct {
		p    *participant
		lead context.Context
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan won, len(ps))
	errs := make(chan error, len(ps))
	for _, p := range ps {
		go func() {
			lead, err := p.latch.Await(ctx)
			if err != nil {
				errs <- err
				return
			}
			ch <- won{p, lead}
		}()
	}
	select {
	case w := <-ch:
		return w.p, w.lead, nil
	case err := <-errs:
		return nil, nil, err
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

func ids(ps []election.Participant) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func say(format string, args ...any) { fmt.Printf(format+"\n", args...) }
