// Package queue holds Curator's distributed queues on ZooKeeper.
//
// SimpleQueue is Curator's SimpleDistributedQueue (ZooKeeper's queue
// recipe): one persistent-sequential node "qn-<seq>" per item under the
// queue path, taken in sequence order. It interoperates with Curator's
// SimpleDistributedQueue on the same path.
//
// Queue is Curator's DistributedQueue (built by QueueBuilder, the basic
// variant): one persistent-sequential node "queue-<seq>" per Put or
// PutMulti, holding one or more items in Curator's ItemSerializer framing,
// so Go and Curator (with an identity byte[] QueueSerializer) can produce
// and consume on one queue.
//
// Delivery guarantees:
//
//   - Without a lock path (the default), a consumer deletes an item's node
//     before it hands the items over: at most once. An item whose consumer
//     dies while processing it is lost, and so is one whose delete is
//     retried after its reply was lost to a connection loss.
//   - With a lock path (WithLockPath, Curator's lockPath), a consumer first
//     creates the ephemeral node <lockPath>/<item-node>, processes the items,
//     and deletes the item node (then the lock node) only after processing
//     returned without error: at least once. If the consumer's session ends
//     mid-item its lock node goes away and another consumer gets the item,
//     so an item may be processed twice but is not lost. A consumer that
//     finds its lock taken over by another session leaves the item to it.
//     Queue.Consume is the exception: it removes the item before returning
//     it, so it is at most once even with a lock path; use ConsumeFunc, All
//     or Start for at-least-once processing.
//   - Puts are plain persistent-sequential creates, as in Curator: a Put
//     whose reply is lost to a connection loss and is retried may store the
//     item twice. Consumers that need exactly-once effects must make them
//     idempotent.
//
// Curator's variants share Queue's consumption and guarantees and differ in
// their node names, which carry what sets them apart exactly as Curator
// writes it, so that Java and Go processes share one queue:
//
//   - IDQueue (DistributedIdQueue): "queue-|<id>|<seq>", consumed in put
//     order; Remove(id) takes queued items out.
//   - PriorityQueue (DistributedPriorityQueue): "queue-<sign><8 hex
//     digits><seq>", lowest priority value first.
//   - DelayQueue (DistributedDelayQueue): "queue-|<due ms in hex>|<seq>",
//     no item before its time, earliest first; waiting consumers sleep on
//     a timer, not a poll.
//
// Sharder (QueueSharder) spreads one logical queue over shard queues
// "<path>/queue-<uuid>" and has an elected leader add shards when one
// passes a threshold.
package queue
