package workload

import (
	"context"
	"sync"
	"time"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
	"github.com/zkcurator/zkcurator/recipes/lock"
)

// Hold modes, as history.Event.Mode.
const (
	ModeExclusive = "exclusive"
	ModeRead      = "read"
	ModeWrite     = "write"
	ModeLease     = "lease"
	ModeLeader    = "leader"
)

// SemaphoreLeases is the number of leases of the semaphore workload.
const SemaphoreLeases = 2

// holdRec records one hold: Acquire now, Release at the first of end()
// or held ending.
type holdRec struct {
	env  *Env
	id   int64
	once sync.Once
	stop func() bool
}

// beginHold records that env's client holds key in mode with token from
// now until held ends or end is called.
func (env *Env) beginHold(key, mode string, token int64, held context.Context) *holdRec {
	id := env.holds.Add(1)
	h := &holdRec{env: env, id: id}
	env.Sink.Emit(history.Event{T: history.Now(), Kind: history.Acquire, ID: id, Key: key, Mode: mode, Token: token})
	h.stop = context.AfterFunc(held, h.end)
	return h
}

// end records the end of the hold (once).
func (h *holdRec) end() {
	h.once.Do(func() {
		h.env.Sink.Emit(history.Event{T: history.Now(), Kind: history.Release, ID: h.id})
	})
}

// use writes to the fenced resource a few times while the hold lasts.
func (env *Env) use(ctx, held context.Context, h *holdRec, key string, token int64) {
	n := 1 + env.Rand.IntN(4)
	for i := 0; i < n && held.Err() == nil; i++ {
		if env.Resource != nil {
			env.Resource.write(env.Name, key, h.id, token, held)
		} else {
			env.Sink.Emit(history.Event{Kind: history.Write, ID: h.id, Key: key, Token: token, Result: history.ResultOK})
		}
		if !env.think(ctx) {
			return
		}
	}
}

// Mutex acquires and releases one lock.Mutex on Root+"/mutex" in a loop,
// writing to the fenced resource while it holds it.
func Mutex(ctx context.Context, env *Env) error {
	key := env.Root + "/mutex"
	m, err := newMutex(env.Client, key)
	if err != nil {
		return err
	}
	for ctx.Err() == nil {
		env.lockOnce(ctx, key, ModeExclusive, m)
		env.think(ctx)
	}
	return nil
}

// HoldUntilLost acquires one lock.Mutex on Root+"/mutex" and keeps it,
// writing to the fenced resource every 50ms, until its held context ends
// (or ctx does); then it releases it and starts again. Two clients
// running it, one of them partitioned, show whether the partitioned
// holder lets go before the other can take the lock.
func HoldUntilLost(ctx context.Context, env *Env) error {
	key := env.Root + "/mutex"
	m, err := newMutex(env.Client, key)
	if err != nil {
		return err
	}
	for ctx.Err() == nil {
		actx, cancel := env.opCtx(ctx)
		held, err := m.Acquire(actx)
		cancel()
		if err != nil {
			env.unexpected("acquire "+key, err, lock.ErrTimeout)
			continue
		}
		env.progress()
		token := m.FencingToken()
		h := env.beginHold(key, ModeExclusive, token, held)
		tick := time.NewTicker(50 * time.Millisecond)
		for held.Err() == nil && ctx.Err() == nil {
			if env.Resource != nil {
				env.Resource.write(env.Name, key, h.id, token, held)
			}
			select {
			case <-tick.C:
			case <-held.Done():
			case <-ctx.Done():
			}
		}
		tick.Stop()
		h.end()
		h.stop()
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), env.opTimeout())
		err = m.Release(rctx)
		cancel()
		env.unexpected("release "+key, err, lock.ErrNotHeld)
	}
	return nil
}

// RWMutex takes the read or the write side of one lock.Mutex on
// Root+"/rw" in a loop (a third of the time the write side).
func RWMutex(ctx context.Context, env *Env) error {
	key := env.Root + "/rw"
	rw, err := newRWMutex(env.Client, key)
	if err != nil {
		return err
	}
	for env.think(ctx) {
		if env.Rand.IntN(3) == 0 {
			env.lockOnce(ctx, key, ModeWrite, rw.WriteLock())
		} else {
			env.lockOnce(ctx, key, ModeRead, rw.ReadLock())
		}
	}
	return nil
}

// lockOnce acquires m, uses it, releases it.
func (env *Env) lockOnce(ctx context.Context, key, mode string, m *lock.Mutex) {
	actx, cancel := env.opCtx(ctx)
	held, err := m.Acquire(actx)
	cancel()
	if err != nil {
		env.unexpected("acquire "+key, err, lock.ErrTimeout)
		return
	}
	env.progress()
	token := m.FencingToken()
	h := env.beginHold(key, mode, token, held)
	if mode != ModeRead {
		env.use(ctx, held, h, key, token)
	} else {
		env.think(ctx)
	}
	h.end()
	h.stop()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), env.opTimeout())
	defer cancel()
	err = m.Release(rctx)
	env.unexpected("release "+key, err, lock.ErrNotHeld)
}

// Semaphore takes a lease of a lock.Semaphore of SemaphoreLeases leases
// on Root+"/sem" in a loop.
func Semaphore(ctx context.Context, env *Env) error {
	key := env.Root + "/sem"
	s, err := newSemaphore(env.Client, key, SemaphoreLeases)
	if err != nil {
		return err
	}
	for env.think(ctx) {
		actx, cancel := env.opCtx(ctx)
		l, err := s.Acquire(actx)
		cancel()
		if err != nil {
			env.unexpected("acquire "+key, err, lock.ErrTimeout)
			continue
		}
		env.progress()
		h := env.beginHold(key, ModeLease, l.FencingToken(), l.Context())
		env.think(ctx)
		h.end()
		h.stop()
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), env.opTimeout())
		err = l.Release(rctx)
		cancel()
		env.unexpected("release "+key, err, lock.ErrNotHeld)
	}
	return nil
}
