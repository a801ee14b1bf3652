package election

import (
	"context"

	"github.com/zkcurator/zkcurator/recipes/internal/seqnode"
	"github.com/zkcurator/zkcurator/zk"
)

// Participant is one participant of an election, as its node says.
type Participant struct {
	// ID is the participant id: the data of its node.
	ID string
	// Leader reports whether this participant leads (its node is first).
	Leader bool
}

// participants reads the election's participants from the nodes under
// path ordered by key: ids from node data, the leader (first) flagged.
func participants(ctx context.Context, c *zk.Client, path string, key seqnode.Sorter) ([]Participant, error) {
	ids, err := seqnode.ListData(ctx, c, path, key)
	if err != nil {
		return nil, err
	}
	out := make([]Participant, len(ids))
	for i, id := range ids {
		out[i] = Participant{ID: id, Leader: i == 0}
	}
	return out, nil
}

// leader returns the first participant, or ErrNoLeader.
func leader(ctx context.Context, c *zk.Client, path string, key seqnode.Sorter) (Participant, error) {
	ps, err := participants(ctx, c, path, key)
	if err != nil {
		return Participant{}, err
	}
	if len(ps) == 0 {
		return Participant{}, ErrNoLeader
	}
	return ps[0], nil
}
