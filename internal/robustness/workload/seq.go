package workload

import (
	"context"
	"fmt"
	"strconv"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
	"github.com/zkcurator/zkcurator/zk"
)

// OpCreate is the sequential-create operation, as history.Event.Op.
const OpCreate = "create"

// SeqParent is the parent of the sequential-create workload's nodes.
func SeqParent(root string) string { return root + "/seq" }

// SetupSeq creates SeqParent.
func SetupSeq(ctx context.Context, c *zk.Client, root string) error {
	if _, _, err := c.CreateWith(ctx, SeqParent(root), nil, zk.CreateOptions{CreateParents: true}); err != nil {
		return fmt.Errorf("workload: setup seq: %w", err)
	}
	return nil
}

// SeqCreates creates persistent-sequential nodes under SeqParent, each
// with unique data (recorded as the call's Val) so the checker can find
// them; the return records the sequence number.
func SeqCreates(ctx context.Context, env *Env) error {
	parent := SeqParent(env.Root)
	var id int64
	for env.think(ctx) {
		id++
		val := fmt.Sprintf("%s-%d", env.Name, id)
		env.Sink.Emit(history.Event{Kind: history.Call, ID: id, Op: OpCreate, Key: parent, Val: val})
		octx, cancel := env.opCtx(ctx)
		p, err := env.Client.Create(octx, parent+"/n-", []byte(val), zk.ModePersistentSequential, nil)
		cancel()
		ev := history.Event{Kind: history.Return, ID: id, Result: result(err)}
		if err == nil {
			seq, perr := SeqOf(p)
			if perr != nil {
				err = perr
				ev.Result = history.ResultFailed
			}
			ev.Seq = seq
		}
		env.Sink.Emit(ev)
		if err == nil {
			env.progress()
		}
		env.unexpected("create "+parent, err)
	}
	return nil
}

// SeqOf parses the 10-digit sequence suffix of a sequential node's path.
func SeqOf(p string) (int64, error) {
	if len(p) < 10 {
		return 0, fmt.Errorf("workload: %q has no sequence suffix", p)
	}
	n, err := strconv.ParseInt(p[len(p)-10:], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("workload: %q has no sequence suffix: %w", p, err)
	}
	return n, nil
}
