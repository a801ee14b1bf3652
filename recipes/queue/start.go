package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zkcurator/zkcurator/recipes/internal/pause"
	"github.com/zkcurator/zkcurator/zk"
)

// ErrStarted is returned by Start on a Queue already started.
var ErrStarted = errors.New("queue: consumer already started")

// Start runs a consumer in the background, like Curator's QueueConsumer:
// fn is called for every item, one at a time, in queue order, until ctx
// ends or the Queue is closed (Close cancels the context fn gets and waits
// for fn to return). Each item node is handled as by ConsumeFunc: with a
// lock path an fn error puts the node back at the end of the queue to be
// tried again (at least once); without one the node was removed before fn
// ran (at most once). Errors talking to ZooKeeper are retried with a
// backoff of up to a second. Start fails on a nil fn (zk.ErrInvalidArgument),
// after Close (zk.ErrClosed), and when already started (ErrStarted).
func (q *Queue) Start(ctx context.Context, fn func(ctx context.Context, item []byte) error) error {
	if fn == nil {
		return fmt.Errorf("queue: start %s: nil func: %w", q.path, zk.ErrInvalidArgument)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := q.life.Start(ErrStarted, zk.ErrClosed); err != nil {
		return fmt.Errorf("queue: start %s: %w", q.path, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	q.running.Add(2)
	go func() { // Close cancels fn's context
		defer q.running.Done()
		select {
		case <-q.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	go func() {
		defer q.running.Done()
		defer cancel()
		q.consumeLoop(ctx, fn)
	}()
	return nil
}

// consumeLoop is Start's consumer.
func (q *Queue) consumeLoop(ctx context.Context, fn func(ctx context.Context, item []byte) error) {
	var fnErr error
	wrapped := func(ctx context.Context, item []byte) error {
		fnErr = fn(ctx, item)
		return fnErr
	}
	pauses := pause.Doubling(10*time.Millisecond, time.Second)
	for {
		fnErr = nil
		err := q.ConsumeFunc(ctx, wrapped)
		if ctx.Err() != nil || errors.Is(err, zk.ErrClosed) {
			return
		}
		if err == nil || fnErr != nil || errors.Is(err, ErrCorrupt) {
			pauses.Reset() // fn's own error: the node was requeued or dropped
			continue
		}
		if !pauses.Wait(ctx) {
			return
		}
	}
}
