// Package election provides leader election on ZooKeeper, wire compatible
// with Apache Curator 5.x's LeaderLatch and LeaderSelector: Go and Java
// participants can share one election and agree on its leader.
//
// A Latch (Curator's LeaderLatch) keeps a participant in the election
// until it is closed; a Selector (Curator's LeaderSelector) runs a
// function each time it becomes leader and gives leadership up when the
// function returns.
//
// Leadership is a context, as a lock is in package lock: Latch.Await
// returns it and a Selector's function receives it. It is cancelled the
// moment leading is no longer safe — the connection is Suspended (under
// the client's standard error policy), the session is Lost, or the
// participant's node is deleted — and the leader must stop acting then.
// A Latch contests again by itself once the connection is back.
//
// A leader that writes to ZooKeeper can fence its writes: Latch.Fenced
// and Selector.Fenced run them in one transaction with a check that the
// leader's node still exists, so a deposed leader's write is refused
// (ErrNotLeader). Observe follows who leads without taking part.
//
// Unlike Curator, a Latch never leads on a node of an earlier session
// (CURATOR-696, -620): it leads only while its node is the first child
// and that node's ephemeralOwner is the client's current session. All of
// a Latch's decisions are taken on one goroutine from fresh reads, so a
// watch that fires for an old node cannot make it leader (CURATOR-653,
// -504); a node of a lost session is deleted before a new one is made.
//
// Node layout (as Curator's): a Latch makes "_c_<uuid>-latch-<seq10>"
// ephemeral-sequential nodes under its path, a Selector is a lock.Mutex
// on its path ("_c_<uuid>-lock-<seq10>"); both store the participant id
// (UTF-8) as the node's data. Participants are ordered by the sequence
// suffix; the first is the leader. Parents are created as containers.
package election
