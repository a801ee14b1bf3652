package seqnode

import (
	"context"
	"errors"
	"fmt"

	"github.com/zkcurator/zkcurator/zk"
)

// Fenced runs ops in one Multi behind a check that the holder's node n
// still exists (any version), so they apply only while the node — and with
// it the lock, lease or leadership — is held. The results are those of
// ops (the check's own result left out). When n is nil, belongs to a
// session other than c's current one, or is gone, it fails with an error
// wrapping ErrNotHeld and nothing is applied; any other failure (one of
// ops failing, the connection) is returned as the Multi reports it.
func Fenced(ctx context.Context, c *zk.Client, n *Node, ops ...zk.Op) ([]zk.OpResult, error) {
	if n == nil {
		return nil, ErrNotHeld
	}
	if !n.OwnedBy(c) {
		return nil, fmt.Errorf("%w: %s belongs to an earlier session", ErrNotHeld, n.Path)
	}
	all := append([]zk.Op{zk.CheckOp(n.Path, zk.AnyVersion)}, ops...)
	res, err := c.Multi(ctx, all...)
	if len(res) > 0 {
		if errors.Is(res[0].Err, zk.ErrNoNode) {
			return res[1:], fmt.Errorf("%w: %s is gone: %w", ErrNotHeld, n.Path, err)
		}
		res = res[1:]
	}
	return res, err
}
