// Command nodes shows zkcurator's nodes recipes, in Curator's layout so
// Java services using Curator see the same nodes: a PersistentNode that
// comes back when someone deletes it, and a GroupMember group whose
// members see each other come and go.
//
//	go run ./examples/nodes                         # embedded test server, no ZooKeeper needed
//	go run ./examples/nodes -servers 127.0.0.1:2181 # a real ensemble
package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/zkcurator/zkcurator/examples/internal/program"
	"github.com/zkcurator/zkcurator/recipes/nodes"
	"github.com/zkcurator/zkcurator/zk"
)

// about is what -h says the program shows.
const about = `Shows recipes/nodes: an ephemeral PersistentNode (Curator's
PersistentNode) is deleted by another client and is back a moment later;
then two GroupMembers join a group, each sees both members with their
payloads, and one leaves. Without -servers it starts the embedded
ZooKeeper test server, so no ZooKeeper or Java is needed.`

func main() { program.Main("nodes", about, run) }

// run is the whole program; each step is a function below.
func run(servers string) error {
	ctx, _, clients, done, err := program.Setup(servers, 60*time.Second, 2, zk.WithSessionTimeout(5*time.Second))
	defer done()
	if err != nil {
		return err
	}
	base := program.Path("nodes")
	if err := persistent(ctx, clients[0], clients[1], base+"/workers/me"); err != nil {
		return err
	}
	return group(ctx, clients, base+"/group")
}

// poll calls cond every 10ms until it is true or ctx ends.
func poll(ctx context.Context, cond func() (bool, error)) error {
	for {
		ok, err := cond()
		if ok || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// persistent: the node is re-created after another client deletes it.
func persistent(ctx context.Context, owner, other *zk.Client, path string) error {
	n, err := nodes.NewPersistentNode(owner, path, zk.ModeEphemeral, []byte("host-a:8080"))
	if err != nil {
		return err
	}
	defer n.Close()
	if err := n.Start(); err != nil {
		return err
	}
	if err := n.WaitForInitialCreate(ctx); err != nil {
		return err
	}
	_, st, err := other.Exists(ctx, path)
	if err != nil {
		return err
	}
	fmt.Printf("PersistentNode %s created (czxid %d).\n", path, st.Czxid)
	if err := other.Delete(ctx, path, zk.AnyVersion); err != nil {
		return err
	}
	fmt.Println("Another client deleted it.")
	first := st.Czxid
	err = poll(ctx, func() (bool, error) {
		ok, st2, err := other.Exists(ctx, path)
		if ok {
			st = st2
		}
		return ok && st2.Czxid != first, err
	})
	if err != nil {
		return err
	}
	fmt.Printf("It is back (czxid %d), re-created by its owner.\n", st.Czxid)
	return nil
}

// group: two members see each other; one leaves.
func group(ctx context.Context, clients []*zk.Client, path string) error {
	var members []*nodes.GroupMember
	for i, c := range clients {
		m, err := nodes.NewGroupMember(c, path, fmt.Sprintf("member-%d", i+1), fmt.Appendf(nil, "zone-%c", 'a'+i))
		if err != nil {
			return err
		}
		defer m.Close()
		if err := m.Start(ctx); err != nil {
			return err
		}
		members = append(members, m)
	}
	err := poll(ctx, func() (bool, error) { return len(members[0].Members()) == 2, nil })
	if err != nil {
		return err
	}
	show := func(who *nodes.GroupMember) {
		all := members[0].Members()
		ids := slices.Sorted(maps.Keys(all))
		fmt.Printf("%s sees:", who.ID())
		for _, id := range ids {
			fmt.Printf(" %s=%s", id, all[id])
		}
		fmt.Println()
	}
	show(members[0])
	if err := members[1].Close(); err != nil {
		return err
	}
	fmt.Println("member-2 left.")
	if err := poll(ctx, func() (bool, error) { return len(members[0].Members()) == 1, nil }); err != nil {
		return err
	}
	show(members[0])
	return nil
}
