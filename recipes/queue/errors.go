package queue

import "errors"

// ErrEmpty is returned by SimpleQueue.Poll and Peek and by Queue.TryConsume
// when the queue holds no item.
var ErrEmpty = errors.New("queue: empty")
