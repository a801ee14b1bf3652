package workload

import (
	"context"
	"fmt"
	"time"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
)

// BarrierRoundDeadline bounds one Enter or Leave of the barrier workload:
// without faults a round takes milliseconds, so a member still waiting
// after this is stuck.
var BarrierRoundDeadline = 5 * time.Second

// DoubleBarrier returns a workload for one of members members that enter
// and leave one DoubleBarrier on Root+"/dbarrier" round after round, the
// same path reused. A round that does not finish within
// BarrierRoundDeadline is a violation of the "barrier" checker and ends
// the member's loop.
func DoubleBarrier(members int) Workload {
	return func(ctx context.Context, env *Env) error {
		key := env.Root + "/dbarrier"
		b, err := newDoubleBarrier(env.Client, key, members)
		if err != nil {
			return err
		}
		for round := 1; ctx.Err() == nil; round++ {
			for _, step := range []struct {
				name string
				fn   func(context.Context) error
			}{{"enter", b.Enter}, {"leave", b.Leave}} {
				began := time.Now()
				sctx, cancel := context.WithTimeout(ctx, BarrierRoundDeadline)
				err := step.fn(sctx)
				// Stuck: the deadline passed, or the run ended while this
				// step had already waited longer than the deadline.
				stuck := err != nil && time.Since(began) >= BarrierRoundDeadline
				cancel()
				if stuck {
					env.Sink.Emit(history.Event{Kind: history.Violation, Op: "barrier",
						Val: fmt.Sprintf("round %d: %s did not finish within %v: %v", round, step.name, BarrierRoundDeadline, err)})
					return nil
				}
				if err != nil {
					env.unexpected(fmt.Sprintf("barrier round %d %s", round, step.name), err)
					return nil
				}
			}
			env.Sink.Emit(history.Event{Kind: history.Progress, Op: "barrier-round", Seq: int64(round)})
		}
		return nil
	}
}
