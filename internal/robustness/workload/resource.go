package workload

import (
	"context"
	"sync"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
)

// Resource is the fenced resource the lock workloads protect: it keeps
// the highest fencing token each key has accepted and refuses lower ones,
// as a storage system fenced by ZooKeeper locks would. Each write is
// recorded with whether the writer's held context was live at the moment
// the resource serialized it: a stale token from a live holder means two
// holders were live at once.
type Resource struct {
	sink history.Sink

	mu  sync.Mutex
	max map[string]int64
}

// NewResource returns a Resource recording to sink.
func NewResource(sink history.Sink) *Resource {
	return &Resource{sink: sink, max: map[string]int64{}}
}

// write applies a write to key with token under hold id of client, if
// held is live. It reports whether the token was accepted.
func (r *Resource) write(client, key string, id, token int64, held context.Context) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if held.Err() != nil {
		return false // the holder knows it no longer holds: not a write
	}
	res := history.ResultOK
	if token < r.max[key] {
		res = history.ResultStale
	} else {
		r.max[key] = token
	}
	r.sink.Emit(history.Event{T: history.Now(), Kind: history.Write, Client: client, ID: id, Key: key, Token: token, Result: res})
	return res == history.ResultOK
}
