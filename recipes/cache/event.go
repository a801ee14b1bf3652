package cache

import (
	"fmt"

	"github.com/zkcurator/zkcurator/zk"
)

// EventType is the kind of a cache event.
type EventType int

// Event types.
const (
	// Initialized: the first priming read of the subtree has completed; the
	// cache held the server's state at some point during it. Sent once,
	// before Start returns.
	Initialized EventType = iota + 1
	// NodeCreated: a node entered the cache. Path, Data and Stat are the
	// new node's.
	NodeCreated
	// NodeChanged: a cached node's data was set (its Mzxid grew). Path,
	// Data and Stat are the new state.
	NodeChanged
	// NodeDeleted: a node left the cache. Path, Data and Stat are the last
	// state the cache held.
	NodeDeleted
	// Suspended: the client lost its connection; the cache may go stale.
	Suspended
	// Reconnected: the client is connected again (to the same session or a
	// new one). A resync follows; its differences arrive as node events,
	// then Synced.
	Reconnected
	// Lost: the client's session is gone; its watches with it. The cache
	// sets them again and resyncs on Reconnected.
	Lost
	// Synced: a resync (after Reconnected or after a failed read) has
	// completed and every difference it found has been sent.
	Synced
	// Error: a read failed for a reason other than a missing node (Err
	// says why); the cache will resync when it can.
	Error
)

func (t EventType) String() string {
	switch t {
	case Initialized:
		return "Initialized"
	case NodeCreated:
		return "NodeCreated"
	case NodeChanged:
		return "NodeChanged"
	case NodeDeleted:
		return "NodeDeleted"
	case Suspended:
		return "Suspended"
	case Reconnected:
		return "Reconnected"
	case Lost:
		return "Lost"
	case Synced:
		return "Synced"
	case Error:
		return "Error"
	}
	return fmt.Sprintf("EventType(%d)", int(t))
}

// IsNode reports whether t is NodeCreated, NodeChanged or NodeDeleted.
func (t EventType) IsNode() bool { return t == NodeCreated || t == NodeChanged || t == NodeDeleted }

// Event is one change of a cache or of its connection. Path, Data and Stat
// are set for node events; Err for Error events. Data is shared with the
// cache: do not modify it.
type Event struct {
	Type EventType
	Path string
	Data []byte
	Stat zk.Stat
	Err  error
}

func (e Event) String() string {
	switch {
	case e.Type.IsNode():
		return fmt.Sprintf("%s %s (czxid %d, mzxid %d, version %d, %d bytes)",
			e.Type, e.Path, e.Stat.Czxid, e.Stat.Mzxid, e.Stat.Version, len(e.Data))
	case e.Err != nil:
		return fmt.Sprintf("%s: %v", e.Type, e.Err)
	}
	return e.Type.String()
}

// Node is a cached node: its path, data (nil when the cache keeps no data)
// and Stat. Data is shared with the cache: do not modify it.
type Node struct {
	Path string
	Data []byte
	Stat zk.Stat
}
