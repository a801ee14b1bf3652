// Package workload holds what the robustness suite's clients do. Every
// workload runs one client's loop until its context ends, emitting
// history events (calls and returns, holds, fenced writes) to its Sink;
// the checker package judges them afterwards. Workloads are deterministic
// in their choices given Env.Rand; timing is the real world's.
package workload

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
	"github.com/zkcurator/zkcurator/recipes/lock"
	"github.com/zkcurator/zkcurator/zk"
)

// Env is what a workload gets for one client.
type Env struct {
	// Client is the client's session; the workload does not close it.
	Client *zk.Client
	// Name is the client's name in the history ("c3", "p1").
	Name string
	// Sink receives this client's events (Client is stamped by the Sink).
	Sink history.Sink
	// Rand drives the workload's choices (seeded per client).
	Rand *rand.Rand
	// Root is the znode under which the workload keeps its nodes.
	Root string
	// Resource is the fenced resource the lock workloads write to; nil
	// when the workload runs in a child process (holds are still checked).
	Resource *Resource
	// Pace is the think time between operations (a random fraction of it).
	Pace time.Duration
	// OpTimeout bounds one operation.
	OpTimeout time.Duration

	holds atomic.Int64 // hold ids given so far
}

// Workload is one client's loop: it runs until ctx ends and returns nil,
// or an error that makes the run fail (bad configuration).
type Workload func(ctx context.Context, env *Env) error

// expected reports whether err is one of the failures a client must be
// prepared for under faults (its outcome may be unknown). Anything else
// (InvalidACL, NoAuth, a marshalling error) breaks a promise.
func expected(err error) bool {
	return errors.Is(err, zk.ErrConnectionLoss) || errors.Is(err, zk.ErrSessionExpired) ||
		errors.Is(err, zk.ErrOperationTimeout) || errors.Is(err, zk.ErrSessionMoved) ||
		errors.Is(err, zk.ErrClosed) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, context.Canceled) || errors.Is(err, lock.ErrLost) ||
		errors.Is(err, zk.ErrThrottled)
}

// result classifies err as a history result; unexpected errors give
// ResultFailed and are also reported by the caller with violation.
func result(err error) string {
	switch {
	case err == nil:
		return history.ResultOK
	case errors.Is(err, zk.ErrBadVersion):
		return history.ResultBadVersion
	case errors.Is(err, zk.ErrNoNode):
		return history.ResultNoNode
	case errors.Is(err, zk.ErrNodeExists):
		return history.ResultExists
	case expected(err):
		return history.ResultUnknown
	}
	return history.ResultFailed
}

// unexpected emits a violation of the "errors" checker when err is not an
// outcome the caller allowed for.
func (env *Env) unexpected(op string, err error, allowed ...error) bool {
	if err == nil || expected(err) {
		return false
	}
	for _, a := range allowed {
		if errors.Is(err, a) {
			return false
		}
	}
	env.Sink.Emit(history.Event{Kind: history.Violation, Op: "errors", Val: fmt.Sprintf("%s: %v", op, err)})
	return true
}

// progress records that the client completed an operation.
func (env *Env) progress() { env.Sink.Emit(history.Event{Kind: history.Progress}) }

// think waits a random part of Pace; false if ctx ended.
func (env *Env) think(ctx context.Context) bool {
	if env.Pace <= 0 {
		return ctx.Err() == nil
	}
	d := time.Duration(env.Rand.Int64N(int64(env.Pace)) + 1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// opCtx bounds one operation by OpTimeout.
func (env *Env) opCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, env.opTimeout())
}

// opTimeout is OpTimeout, 10s by default.
func (env *Env) opTimeout() time.Duration {
	if env.OpTimeout <= 0 {
		return 10 * time.Second
	}
	return env.OpTimeout
}
