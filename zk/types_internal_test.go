package zk

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/jute"
)

// The zk types and constants are zk's own (so go doc shows them), with the
// wire's values.
func TestPublicTypesMatchTheWire(t *testing.T) {
	for code, e := range codeErrors {
		require.Equal(t, code, e.Code)
		require.NotEqual(t, "", code.String())
		require.NotContains(t, code.String(), "ErrorCode(", "every known code has a name")
	}
	wire := map[ErrorCode]int32{
		CodeOK: jute.ErrOK, CodeSystemError: jute.ErrSystemError, CodeConnectionLoss: jute.ErrConnectionLoss,
		CodeBadArguments: jute.ErrBadArguments, CodeUnknownSession: jute.ErrUnknownSession,
		CodeAPIError: jute.ErrAPIError, CodeNoNode: jute.ErrNoNode, CodeNoAuth: jute.ErrNoAuth,
		CodeBadVersion: jute.ErrBadVersion, CodeNoChildrenForEphemerals: jute.ErrNoChildrenForEphemerals,
		CodeNodeExists: jute.ErrNodeExists, CodeNotEmpty: jute.ErrNotEmpty, CodeSessionExpired: jute.ErrSessionExpired,
		CodeInvalidACL: jute.ErrInvalidACL, CodeAuthFailed: jute.ErrAuthFailed, CodeSessionMoved: jute.ErrSessionMoved,
		CodeNotReadOnly: jute.ErrNotReadOnly, CodeNoWatcher: jute.ErrNoWatcher, CodeRequestTimeout: jute.ErrRequestTimeout,
		CodeReconfigDisabled: jute.ErrReconfigDisabled, CodeQuotaExceeded: jute.ErrQuotaExceeded, CodeThrottled: jute.ErrThrottled,
		CodeSessionClosedRequireSaslAuth: jute.ErrSessionClosedRequireSaslAuth, CodeEphemeralOnLocalSession: jute.ErrEphemeralOnLocalSession,
	}
	for c, w := range wire {
		require.Equal(t, w, int32(c), c.String())
	}
	require.Len(t, codeErrors, 31, "one sentinel per code")
	require.Equal(t, "ErrorCode(-999)", ErrorCode(-999).String())

	require.Equal(t, []int32{jute.PermRead, jute.PermWrite, jute.PermCreate, jute.PermDelete, jute.PermAdmin, jute.PermAll},
		[]int32{PermRead, PermWrite, PermCreate, PermDelete, PermAdmin, PermAll})

	require.Equal(t, []int32{jute.FlagPersistent, jute.FlagEphemeral, jute.FlagPersistentSequential,
		jute.FlagEphemeralSequential, jute.FlagContainer, jute.FlagPersistentWithTTL, jute.FlagPersistentSequentialTTL},
		[]int32{int32(ModePersistent), int32(ModeEphemeral), int32(ModePersistentSequential),
			int32(ModeEphemeralSequential), int32(ModeContainer), int32(ModePersistentTTL), int32(ModePersistentSequentialTTL)})
	require.Equal(t, []int32{jute.EventNone, jute.EventNodeCreated, jute.EventNodeDeleted, jute.EventNodeDataChanged,
		jute.EventNodeChildrenChanged, jute.EventDataWatchRemoved, jute.EventChildWatchRemoved, jute.EventPersistentWatchRemoved},
		[]int32{int32(EventNone), int32(EventNodeCreated), int32(EventNodeDeleted), int32(EventNodeDataChanged),
			int32(EventNodeChildrenChanged), int32(EventDataWatchRemoved), int32(EventChildWatchRemoved), int32(EventPersistentWatchRemoved)})
	require.Equal(t, []int32{jute.StateDisconnected, jute.StateSyncConnected, jute.StateAuthFailed,
		jute.StateConnectedReadOnly, jute.StateExpired, jute.StateClosed},
		[]int32{int32(StateDisconnected), int32(StateSyncConnected), int32(StateAuthFailed),
			int32(StateConnectedReadOnly), int32(StateExpired), int32(StateClosed)})
	require.Equal(t, []int32{jute.WatcherChildren, jute.WatcherData, jute.WatcherAny, jute.AddWatchPersistent, jute.AddWatchPersistentRecursive},
		[]int32{int32(WatcherChildren), int32(WatcherData), int32(WatcherAny), int32(AddWatchPersistent), int32(AddWatchPersistentRecursive)})

	js := jute.Stat{Czxid: 1, Mzxid: 2, Ctime: 3, Mtime: 4, Version: 5, Cversion: 6, Aversion: 7,
		EphemeralOwner: 8, DataLength: 9, NumChildren: 10, Pzxid: 11}
	require.Equal(t, Stat{Czxid: 1, Mzxid: 2, Ctime: 3, Mtime: 4, Version: 5, Cversion: 6, Aversion: 7,
		EphemeralOwner: 8, DataLength: 9, NumChildren: 10, Pzxid: 11}, *statOf(&js))

	acl := []ACL{{Perms: PermRead, ID: ID{Scheme: "digest", ID: "u:h"}}}
	require.Equal(t, acl, fromWireACL(toWireACL(acl)))
	require.Nil(t, toWireACL(nil))
}
