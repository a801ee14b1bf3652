package workload

import (
	"context"

	"github.com/zkcurator/zkcurator/recipes/election"
)

// Latch joins a LeaderLatch on Root+"/latch", leads for a while when
// elected (writing to the fenced resource with the latch's token), then
// closes the latch and joins again.
func Latch(ctx context.Context, env *Env) error {
	key := env.Root + "/latch"
	for ctx.Err() == nil {
		l, err := newLatch(env.Client, key, env.Name)
		if err != nil {
			return err
		}
		if err := l.Start(ctx); err != nil {
			env.unexpected("latch start", err)
			env.think(ctx)
			continue
		}
		actx, cancel := env.opCtx(ctx)
		lead, err := l.Await(actx)
		cancel()
		if err == nil {
			env.progress()
			token := l.FencingToken()
			h := env.beginHold(key, ModeLeader, token, lead)
			env.use(ctx, lead, h, key, token)
			h.end()
			h.stop()
		} else {
			env.unexpected("latch await", err, election.ErrClosed)
		}
		env.unexpected("latch close", l.Close(), election.ErrClosed)
		env.think(ctx)
	}
	return nil
}

// Selector runs a LeaderSelector (auto-requeue) on Root+"/selector" whose
// leader function holds leadership for a while.
func Selector(ctx context.Context, env *Env) error {
	key := env.Root + "/selector"
	s, err := newSelector(env.Client, key, env.Name, func(lead context.Context) error {
		env.progress()
		h := env.beginHold(key, ModeLeader, 0, lead)
		defer h.stop()
		defer h.end()
		env.think(lead)
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.Start(ctx); err != nil {
		env.unexpected("selector start", err)
		return nil
	}
	<-ctx.Done()
	env.unexpected("selector close", s.Close(), election.ErrClosed)
	return nil
}
