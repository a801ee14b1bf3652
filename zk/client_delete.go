package zk

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// DeleteGuaranteed deletes a node and keeps trying in the background until
// the delete succeeds, the node is gone, or the Client is closed (Curator's
// guaranteed delete). It returns the first attempt's error — nil when the
// node was deleted or did not exist — and a channel closed once the node is
// known to be gone (or the delete can never succeed: a version mismatch, a
// denied ACL, or Close). Recipes keep their state until done is closed.
func (c *Client) DeleteGuaranteed(ctx context.Context, path string, version int32) (done <-chan struct{}, err error) {
	err = c.Delete(ctx, path, version)
	if err == nil || errors.Is(err, ErrNoNode) {
		return closedChan, nil
	}
	if !deleteWorthRetrying(err) {
		return closedChan, err
	}
	return c.deletes.add(path, version), err
}

var closedChan = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

// deleteWorthRetrying reports whether a failed delete may succeed later.
func deleteWorthRetrying(err error) bool {
	return IsRetryable(err) || errors.Is(err, ErrSessionExpired) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// deleteWorker retries guaranteed deletes in the background.
type deleteWorker struct {
	c    *Client
	mu   sync.Mutex
	jobs []*deleteJob
	wake chan struct{}
	stop chan struct{}
	wg   sync.WaitGroup
}

type deleteJob struct {
	path    string
	version int32
	done    chan struct{}
}

func newDeleteWorker(c *Client) *deleteWorker {
	w := &deleteWorker{c: c, wake: make(chan struct{}, 1), stop: make(chan struct{})}
	w.wg.Add(1)
	go w.run()
	return w
}

func (w *deleteWorker) add(path string, version int32) <-chan struct{} {
	j := &deleteJob{path: path, version: version, done: make(chan struct{})}
	w.mu.Lock()
	w.jobs = append(w.jobs, j)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return j.done
}

func (w *deleteWorker) run() {
	defer w.wg.Done()
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = 50 * time.Millisecond
	b.MaxInterval = 5 * time.Second
	b.MaxElapsedTime = 0
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-w.stop
		cancel()
	}()
	for {
		w.mu.Lock()
		jobs := w.jobs
		w.mu.Unlock()
		if len(jobs) == 0 {
			b.Reset()
			select {
			case <-w.stop:
				return
			case <-w.wake:
				continue
			}
		}
		failed := false
		for _, j := range jobs {
			conn, err := w.c.liveConn(ctx, 0)
			if err != nil {
				failed = true
				break
			}
			err = conn.Delete(ctx, j.path, j.version)
			if err != nil && deleteWorthRetrying(err) && !errors.Is(err, ErrClosed) {
				failed = true
				continue
			}
			if err != nil && !errors.Is(err, ErrNoNode) {
				w.c.log.Warn("zk: guaranteed delete gave up", "path", j.path, "err", err)
			}
			w.finish(j)
		}
		if failed {
			t := time.NewTimer(b.NextBackOff())
			select {
			case <-w.stop:
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}

func (w *deleteWorker) finish(j *deleteJob) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, x := range w.jobs {
		if x == j {
			w.jobs = append(w.jobs[:i], w.jobs[i+1:]...)
			break
		}
	}
	close(j.done)
}

// close stops the worker; deletes still pending are abandoned and their
// done channels closed.
func (w *deleteWorker) close() {
	close(w.stop)
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, j := range w.jobs {
		close(j.done)
	}
	w.jobs = nil
}
