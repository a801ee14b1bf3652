package zk

import (
	"fmt"

	"github.com/zkcurator/zkcurator/jute"
)

// Stat is a znode's metadata as the server reports it (ZooKeeper's Stat).
// Times are milliseconds since the Unix epoch; zxids are the ids of the
// transactions that made the change.
type Stat struct {
	Czxid          int64 // zxid of the transaction that created the node
	Mzxid          int64 // zxid of the last change of the node's data
	Ctime          int64 // creation time, ms since the epoch
	Mtime          int64 // time of the last data change, ms since the epoch
	Version        int32 // number of data changes (the version Set and Delete check)
	Cversion       int32 // number of changes to the node's children
	Aversion       int32 // number of ACL changes (the version SetACL checks)
	EphemeralOwner int64 // session id of the owner of an ephemeral node; 0 for other nodes
	DataLength     int32 // length of the node's data in bytes
	NumChildren    int32 // number of children
	Pzxid          int64 // zxid of the last change to the node's children
}

// AnyVersion, given as the version of Set, Delete, SetACL, SetOp,
// DeleteOp or CheckOp, matches any version of the node.
const AnyVersion int32 = -1

// statOf returns a wire Stat as a *Stat, without copying.
func statOf(s *jute.Stat) *Stat { return (*Stat)(s) }

// ACL is one access-control entry of a znode: the permissions (Perm* bits
// or'ed together) that an identity has.
type ACL struct {
	Perms int32 // PermRead | PermWrite | PermCreate | PermDelete | PermAdmin
	ID    ID    // who gets them
}

// ID is an identity in an ACL: a scheme ("world", "auth", "digest", "ip",
// "sasl", "x509") and an id within it ("anyone" for world, "user:hash" for
// digest — see DigestID).
type ID struct {
	Scheme string
	ID     string
}

// toWireACL converts an ACL for a request.
func toWireACL(acl []ACL) []jute.ACL {
	if acl == nil {
		return nil
	}
	out := make([]jute.ACL, len(acl))
	for i, a := range acl {
		out[i] = jute.ACL{Perms: a.Perms, ID: jute.Id{Scheme: a.ID.Scheme, ID: a.ID.ID}}
	}
	return out
}

// fromWireACL converts an ACL from a reply.
func fromWireACL(acl []jute.ACL) []ACL {
	if acl == nil {
		return nil
	}
	out := make([]ACL, len(acl))
	for i, a := range acl {
		out[i] = ACL{Perms: a.Perms, ID: ID{Scheme: a.ID.Scheme, ID: a.ID.ID}}
	}
	return out
}

// CreateMode says what kind of node Create makes.
type CreateMode int32

// Create modes (ZooKeeper's CreateMode).
const (
	ModePersistent              CreateMode = 0 // stays until deleted
	ModeEphemeral               CreateMode = 1 // deleted when the creating session ends; no children
	ModePersistentSequential    CreateMode = 2 // persistent, name suffixed with a 10-digit sequence number
	ModeEphemeralSequential     CreateMode = 3 // ephemeral, name suffixed with a sequence number
	ModeContainer               CreateMode = 4 // deleted by the server once its last child is gone (3.5+)
	ModePersistentTTL           CreateMode = 5 // persistent, deleted after a TTL without children (CreateTTL)
	ModePersistentSequentialTTL CreateMode = 6 // persistent-sequential with a TTL (CreateTTL)
)

// IsEphemeral reports whether nodes of this mode die with their session.
func (m CreateMode) IsEphemeral() bool { return m == ModeEphemeral || m == ModeEphemeralSequential }

// IsSequential reports whether the server appends a sequence number.
func (m CreateMode) IsSequential() bool {
	return m == ModePersistentSequential || m == ModeEphemeralSequential || m == ModePersistentSequentialTTL
}

// IsContainer reports whether this is a container node.
func (m CreateMode) IsContainer() bool { return m == ModeContainer }

// IsTTL reports whether nodes of this mode have a time to live.
func (m CreateMode) IsTTL() bool { return m == ModePersistentTTL || m == ModePersistentSequentialTTL }

func (m CreateMode) valid() bool { return m >= ModePersistent && m <= ModePersistentSequentialTTL }

// String returns the mode's name, e.g. "ephemeral-sequential".
func (m CreateMode) String() string {
	switch m {
	case ModePersistent:
		return "persistent"
	case ModeEphemeral:
		return "ephemeral"
	case ModePersistentSequential:
		return "persistent-sequential"
	case ModeEphemeralSequential:
		return "ephemeral-sequential"
	case ModeContainer:
		return "container"
	case ModePersistentTTL:
		return "persistent-ttl"
	case ModePersistentSequentialTTL:
		return "persistent-sequential-ttl"
	}
	return fmt.Sprintf("CreateMode(%d)", int32(m))
}

// EventType is the kind of a watch or session event.
type EventType int32

// Event types. EventNone marks a session-state event; EventNotWatching is
// client-local: the watch will never fire because the session ended or the
// connection was closed.
const (
	EventNone                   EventType = -1 // a session-state change; State says which
	EventNodeCreated            EventType = 1  // the watched node was created
	EventNodeDeleted            EventType = 2  // the watched node was deleted
	EventNodeDataChanged        EventType = 3  // the watched node's data changed
	EventNodeChildrenChanged    EventType = 4  // a child was created or deleted
	EventDataWatchRemoved       EventType = 5  // a data watch was removed (RemoveWatches)
	EventChildWatchRemoved      EventType = 6  // a child watch was removed (RemoveWatches)
	EventPersistentWatchRemoved EventType = 7  // a persistent watch was removed
	EventNotWatching            EventType = -2
)

// String returns the type's name as in Java's Watcher.Event.EventType,
// e.g. "NodeDataChanged".
func (t EventType) String() string {
	switch t {
	case EventNone:
		return "None"
	case EventNodeCreated:
		return "NodeCreated"
	case EventNodeDeleted:
		return "NodeDeleted"
	case EventNodeDataChanged:
		return "NodeDataChanged"
	case EventNodeChildrenChanged:
		return "NodeChildrenChanged"
	case EventDataWatchRemoved:
		return "DataWatchRemoved"
	case EventChildWatchRemoved:
		return "ChildWatchRemoved"
	case EventPersistentWatchRemoved:
		return "PersistentWatchRemoved"
	case EventNotWatching:
		return "NotWatching"
	}
	return fmt.Sprintf("EventType(%d)", int32(t))
}

// State is a session's connection state (ZooKeeper's KeeperState, plus the
// client-local StateConnecting).
type State int32

// Session states.
const (
	StateDisconnected      State = 0    // the connection dropped; the Conn is reconnecting
	StateConnecting        State = 1    // before the first connection (client-local)
	StateSyncConnected     State = 3    // connected to a server that serves reads and writes
	StateAuthFailed        State = 4    // a credential was rejected; the Conn is dead
	StateConnectedReadOnly State = 5    // connected to a read-only server (WithReadOnly)
	StateSaslAuthenticated State = 6    // event only (never what State reports): SASL succeeded on a new connection, after its SyncConnected (WithSASL)
	StateExpired           State = -112 // the session expired; the Conn is dead
	StateClosed            State = 7    // Close was called
)

// String returns the state's name as in Java's KeeperState, e.g.
// "SyncConnected".
func (s State) String() string {
	switch s {
	case StateDisconnected:
		return "Disconnected"
	case StateConnecting:
		return "Connecting"
	case StateSyncConnected:
		return "SyncConnected"
	case StateAuthFailed:
		return "AuthFailed"
	case StateConnectedReadOnly:
		return "ConnectedReadOnly"
	case StateSaslAuthenticated:
		return "SaslAuthenticated"
	case StateExpired:
		return "Expired"
	case StateClosed:
		return "Closed"
	}
	return fmt.Sprintf("State(%d)", int32(s))
}

// Event is a session-state change (Type EventNone) or a watch notification.
// Path is relative to the chroot. Err is set on EventNotWatching events and
// on state events caused by an error.
//
// Zxid, on a notification from the server, is the zxid of the transaction
// that fired the watch (the node's Mzxid/Czxid after the change, or the
// zxid of the delete) when the server says: ZooKeeper 3.9+ does
// (ZOOKEEPER-4655). It is 0 when unknown: from older servers (which send
// -1, Java's WatchedEvent.NO_ZXID), for the events a 3.9 server fires
// without a transaction (restored watches that fire at once on reconnect),
// and for the events the client makes itself (session states,
// EventNotWatching, watch removals).
type Event struct {
	Type  EventType
	State State
	Path  string
	Err   error
	Zxid  int64
}

// String formats the event for logs: type, state, path and error.
func (e Event) String() string {
	if e.Err != nil {
		return fmt.Sprintf("%s %s %q: %v", e.Type, e.State, e.Path, e.Err)
	}
	return fmt.Sprintf("%s %s %q", e.Type, e.State, e.Path)
}

// WatcherType selects the watches RemoveWatches removes.
type WatcherType int32

// Watcher types.
const (
	WatcherChildren WatcherType = 1 // child watches (ChildrenW)
	WatcherData     WatcherType = 2 // data and exists watches (GetW, ExistsW)
	WatcherAny      WatcherType = 3 // every kind, persistent watches included
)

// AddWatchMode is the kind of watch AddWatch sets.
type AddWatchMode int32

// AddWatch modes. A persistent watch sees every event of one node; a
// persistent-recursive watch sees created, deleted and data-changed events
// of the node and all its descendants (never NodeChildrenChanged).
const (
	AddWatchPersistent          AddWatchMode = 0
	AddWatchPersistentRecursive AddWatchMode = 1
)

// String returns "persistent" or "persistent-recursive".
func (m AddWatchMode) String() string {
	switch m {
	case AddWatchPersistent:
		return "persistent"
	case AddWatchPersistentRecursive:
		return "persistent-recursive"
	}
	return fmt.Sprintf("AddWatchMode(%d)", int32(m))
}
