package lock

import (
	"context"
	"errors"

	"github.com/zkcurator/zkcurator/zk"
)

// RevokeData is the data Revoke writes into a participant's node to ask it
// to release (Curator's LockInternals.REVOKE_MESSAGE).
const RevokeData = "__REVOKE__"

// Revoke asks the participant owning the lock node nodePath (from
// ParticipantNodes) to release, as Curator's Revoker.attemptRevoke does: it
// writes RevokeData into the node. Holders with a revocation listener
// (WithRevocationListener, or Curator's makeRevocable) are told; others
// ignore it. A node already gone is not an error.
func Revoke(ctx context.Context, client *zk.Client, nodePath string) error {
	_, err := client.Set(ctx, nodePath, []byte(RevokeData), -1)
	if errors.Is(err, zk.ErrNoNode) {
		return nil
	}
	return wrap("revoke", nodePath, err)
}
