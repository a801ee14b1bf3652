// Package nodes keeps nodes in ZooKeeper alive for as long as a process
// wants them, wire compatible with Apache Curator's recipes.nodes package.
//
// PersistentNode (Curator's PersistentNode) keeps one node — ephemeral,
// ephemeral-sequential (protected: "_c_<uuid>-" names), persistent,
// sequential or TTL — in existence whenever the Client has a session: it is
// created again after someone deletes it and after the session was lost and
// a new one began. Its data can be changed while it lives; Close deletes it.
//
// TTLNode (Curator's PersistentTtlNode) is a TTL node that stays while its
// owner lives: a TTL child ("touch") is touched every TTL/factor, so the
// parent always has a child until the owner stops, and the server deletes
// both a TTL after that. Nothing needs to delete it.
//
// GroupMember (Curator's GroupMember) is group membership: each member keeps
// an ephemeral node <group>/<memberId> holding its payload, and reads the
// others' from a children cache.
//
// Every type here starts with Start and ends with Close; Close is idempotent
// and every call after it fails with zk.ErrClosed. Constructors validate their
// arguments and fail with zk.ErrInvalidPath or zk.ErrInvalidArgument.
package nodes
