package zk_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/zk"
)

// Dial a session, create a node and read it back.
func ExampleDial() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	conn, err := zk.Dial(ctx, srv.ConnectString(), zk.WithSessionTimeout(10*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	path, err := conn.Create(ctx, "/config", []byte("v1"), zk.ModePersistent, zk.OpenACLUnsafe)
	if err != nil {
		log.Fatal(err)
	}
	data, stat, err := conn.Get(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s = %q (version %d)\n", path, data, stat.Version)
	// Output: /config = "v1" (version 0)
}

// A one-shot watch: GetW returns the data and a channel that receives the
// next change of the node (or EventNotWatching if the session ends first).
func ExampleConn_GetW() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx := context.Background()
	conn, err := zk.Dial(ctx, srv.ConnectString())
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Create(ctx, "/config", []byte("v1"), zk.ModePersistent, zk.OpenACLUnsafe); err != nil {
		log.Fatal(err)
	}

	data, _, changed, err := conn.GetW(ctx, "/config")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("config: %s\n", data)
	if _, err := conn.Set(ctx, "/config", []byte("v2"), -1); err != nil {
		log.Fatal(err)
	}
	ev := <-changed
	fmt.Printf("%s changed: %v\n", ev.Path, ev.Type)
	// Output:
	// config: v1
	// /config changed: NodeDataChanged
}

// A persistent recursive watch sees every create, change and delete below a
// path until it is removed.
func ExampleConn_AddWatch() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx := context.Background()
	conn, err := zk.Dial(ctx, srv.ConnectString())
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()

	w, err := conn.AddWatch(ctx, "/services", zk.AddWatchPersistentRecursive)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range []string{"/services", "/services/api"} {
		if _, err := conn.Create(ctx, p, nil, zk.ModePersistent, zk.OpenACLUnsafe); err != nil {
			log.Fatal(err)
		}
	}
	if err := conn.Delete(ctx, "/services/api", -1); err != nil {
		log.Fatal(err)
	}
	for range 3 {
		ev := <-w.Events()
		fmt.Println(ev.Type, ev.Path)
	}
	if err := w.Remove(ctx); err != nil {
		log.Fatal(err)
	}
	// Output:
	// NodeCreated /services
	// NodeCreated /services/api
	// NodeDeleted /services/api
}

// Connect returns a Client: operations are retried by a policy, paths are
// relative to the namespace, and connection states reach the listeners —
// Closed last.
func ExampleConnect() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, err := zk.Connect(ctx, srv.ConnectString(),
		zk.WithNamespace("myapp"),
		zk.WithRetryPolicy(retry.ExponentialBackoff(100*time.Millisecond, 5, 2*time.Second)),
		zk.WithStateListener(func(s zk.ConnectionState) { fmt.Println("state:", s) }))
	if err != nil {
		log.Fatal(err)
	}

	// Missing parents are created as persistent nodes; the namespace is
	// applied to every path.
	p, _, err := c.CreateWith(ctx, "/config/db", []byte("dsn"), zk.CreateOptions{CreateParents: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", p)
	if err := c.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// state: CONNECTED
	// created /config/db
	// state: CLOSED
}

// Errors are sentinels matched with errors.Is; they name the operation and
// path, and CodeOf gives ZooKeeper's error code.
func ExampleClient_Get_errors() {
	ctx := context.Background()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	_, _, err := c.Get(ctx, "/missing")
	switch {
	case errors.Is(err, zk.ErrNoNode):
		code, _ := zk.CodeOf(err)
		fmt.Println(err, "/", code)
	case err != nil:
		log.Fatal(err)
	}

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, _, err = c.Get(canceled, "/missing")
	fmt.Println(err, errors.Is(err, context.Canceled))
	// Output:
	// zk: get /missing: node does not exist / NONODE
	// zk: get /missing: context canceled true
}

// CreateOrSet writes a value whether or not the node exists yet.
func ExampleClient_CreateOrSet() {
	ctx := context.Background()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	for _, v := range []string{"v1", "v2"} {
		st, err := c.CreateOrSet(ctx, "/app/config", []byte(v), zk.CreateOptions{CreateParents: true})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(v, "version", st.Version)
	}
	// Output:
	// v1 version 0
	// v2 version 1
}

// A Multi applies all its ops or none; a CheckOp makes it conditional.
func ExampleClient_Multi() {
	ctx := context.Background()
	c, stop := exampleenv.Connect(ctx)
	defer stop()
	if err := c.EnsurePath(ctx, "/jobs"); err != nil {
		log.Fatal(err)
	}

	// Claim a job only while /jobs is at version 0.
	res, err := c.Multi(ctx,
		zk.CheckOp("/jobs", 0),
		zk.CreateOp("/jobs/j1", []byte("claimed"), zk.ModePersistent, nil), // nil ACL: the default
		zk.SetOp("/jobs", []byte("1 job"), zk.AnyVersion))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res[1].Type, res[1].Path)

	// The same again fails on the check: nothing is applied.
	_, err = c.Multi(ctx,
		zk.CheckOp("/jobs", 0),
		zk.CreateOp("/jobs/j2", nil, zk.ModePersistent, nil))
	fmt.Println(errors.Is(err, zk.ErrBadVersion), err)
	// Output:
	// create /jobs/j1
	// true zk: multi check /jobs: bad version
}

// DeleteAll removes a subtree, children first.
func ExampleClient_DeleteAll() {
	ctx := context.Background()
	c, stop := exampleenv.Connect(ctx)
	defer stop()
	for _, p := range []string{"/tmp/a/x", "/tmp/a/y", "/tmp/b"} {
		if err := c.EnsurePath(ctx, p); err != nil {
			log.Fatal(err)
		}
	}

	if err := c.DeleteAll(ctx, "/tmp"); err != nil {
		log.Fatal(err)
	}
	ok, _, err := c.Exists(ctx, "/tmp")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("exists:", ok)
	// Output: exists: false
}

// Listen follows the connection states of a running Client, e.g. to pause
// work while Suspended.
func ExampleClient_Listen() {
	srv := exampleenv.Server()
	defer srv.Close()
	ctx := context.Background()
	c := exampleenv.Client(ctx, srv)
	states := make(chan zk.ConnectionState, 8)
	unsubscribe := c.Listen(func(s zk.ConnectionState) { states <- s })
	defer unsubscribe()

	srv.DropConnections() // the connection drops; the session lives on
	fmt.Println(<-states, <-states)
	if err := c.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println(<-states)
	// Output:
	// SUSPENDED RECONNECTED
	// CLOSED
}

// A protected ephemeral-sequential create can be retried safely: a node
// whose create reply was lost is found again by its _c_<uuid>- prefix.
func ExampleClient_CreateWith() {
	ctx := context.Background()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	p, st, err := c.CreateWith(ctx, "/locks/job-", nil, zk.CreateOptions{
		Mode:                   zk.ModeEphemeralSequential,
		Protected:              true,
		CreateParentContainers: true, // the parents go when the last node goes
	})
	if err != nil {
		log.Fatal(err)
	}
	name := p[strings.LastIndexByte(p, '/')+1:]
	fmt.Println(strings.HasPrefix(name, zk.ProtectedPrefix), strings.HasSuffix(name, "job-0000000000"))
	fmt.Println("owned by this session:", st.EphemeralOwner == c.SessionID())
	// Output:
	// true true
	// owned by this session: true
}

// The first step of a lock: make our ephemeral-sequential node and see
// who is ahead of us, in one round trip.
func ExampleClient_CreateAndList() {
	ctx := context.Background()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	path, _, children, err := c.CreateAndList(ctx, "/locks/job/lock-", nil, zk.CreateOptions{
		Mode:                   zk.ModeEphemeralSequential,
		Protected:              true,
		CreateParentContainers: true, // the parents go when the last node goes
	})
	if err != nil {
		log.Fatal(err)
	}
	first := len(children) == 1 && strings.HasSuffix(path, "/"+children[0])
	fmt.Println("nodes:", len(children), "ours is first:", first)
	// Output: nodes: 1 ours is first: true
}

// JoinPath, SplitPath and ParentPath build and take apart node paths the way
// Curator's ZKPaths does, so recipes and callers need no path code of their
// own.
func ExampleJoinPath() {
	p := zk.JoinPath("/locks", "orders")
	parent, name := zk.SplitPath(p)
	fmt.Println(p, parent, name, zk.ParentPath("/top"))
	// Output: /locks/orders /locks orders /
}
