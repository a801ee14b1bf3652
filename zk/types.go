package zk

import (
	"fmt"

	"github.com/zkcurator/zkcurator/jute"
)

// Stat is a znode's metadata as the server reports it.
type Stat = jute.Stat

// ACL is one access-control entry of a znode.
type ACL = jute.ACL

// ID is an identity in an ACL: a scheme and an id within it.
type ID = jute.Id

// CreateMode says what kind of node Create makes.
type CreateMode int32

// Create modes (ZooKeeper's CreateMode).
const (
	ModePersistent              CreateMode = CreateMode(jute.FlagPersistent)
	ModeEphemeral               CreateMode = CreateMode(jute.FlagEphemeral)
	ModePersistentSequential    CreateMode = CreateMode(jute.FlagPersistentSequential)
	ModeEphemeralSequential     CreateMode = CreateMode(jute.FlagEphemeralSequential)
	ModeContainer               CreateMode = CreateMode(jute.FlagContainer)
	ModePersistentTTL           CreateMode = CreateMode(jute.FlagPersistentWithTTL)
	ModePersistentSequentialTTL CreateMode = CreateMode(jute.FlagPersistentSequentialTTL)
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
	EventNone                   EventType = EventType(jute.EventNone)
	EventNodeCreated            EventType = EventType(jute.EventNodeCreated)
	EventNodeDeleted            EventType = EventType(jute.EventNodeDeleted)
	EventNodeDataChanged        EventType = EventType(jute.EventNodeDataChanged)
	EventNodeChildrenChanged    EventType = EventType(jute.EventNodeChildrenChanged)
	EventDataWatchRemoved       EventType = EventType(jute.EventDataWatchRemoved)
	EventChildWatchRemoved      EventType = EventType(jute.EventChildWatchRemoved)
	EventPersistentWatchRemoved EventType = EventType(jute.EventPersistentWatchRemoved)
	EventNotWatching            EventType = -2
)

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
	StateDisconnected      State = State(jute.StateDisconnected)
	StateConnecting        State = 1
	StateSyncConnected     State = State(jute.StateSyncConnected)
	StateAuthFailed        State = State(jute.StateAuthFailed)
	StateConnectedReadOnly State = State(jute.StateConnectedReadOnly)
	StateExpired           State = State(jute.StateExpired)
	StateClosed            State = State(jute.StateClosed)
)

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
type Event struct {
	Type  EventType
	State State
	Path  string
	Err   error
}

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
	WatcherChildren WatcherType = WatcherType(jute.WatcherChildren)
	WatcherData     WatcherType = WatcherType(jute.WatcherData)
	WatcherAny      WatcherType = WatcherType(jute.WatcherAny)
)

// AddWatchMode is the kind of watch AddWatch sets.
type AddWatchMode int32

// AddWatch modes. A persistent watch sees every event of one node; a
// persistent-recursive watch sees created, deleted and data-changed events
// of the node and all its descendants (never NodeChildrenChanged).
const (
	AddWatchPersistent          AddWatchMode = AddWatchMode(jute.AddWatchPersistent)
	AddWatchPersistentRecursive AddWatchMode = AddWatchMode(jute.AddWatchPersistentRecursive)
)

func (m AddWatchMode) String() string {
	switch m {
	case AddWatchPersistent:
		return "persistent"
	case AddWatchPersistentRecursive:
		return "persistent-recursive"
	}
	return fmt.Sprintf("AddWatchMode(%d)", int32(m))
}
