// Package lock provides distributed locks on ZooKeeper that are wire
// compatible with Apache Curator 5.x's InterProcessMutex,
// InterProcessSemaphoreMutex, InterProcessReadWriteLock,
// InterProcessSemaphoreV2 and InterProcessMultiLock: Go and Java services
// can contend for the same lock.
//
// Unlike Curator, acquiring returns a held context that is cancelled the
// moment holding is no longer safe — the connection is Suspended (under
// the client's standard error policy), the session is Lost, or the lock
// node was deleted by someone else — and every holder has a fencing token
// (the lock node's czxid) to hand to the resource it protects:
//
//	m, err := lock.NewMutex(client, "/locks/orders")
//	if err != nil { ... }
//	held, err := m.Acquire(ctx)
//	if err != nil { ... }
//	defer m.Release(context.WithoutCancel(ctx))
//	for work := range jobs {
//		if held.Err() != nil {
//			break // not safe any more: stop touching the resource
//		}
//		store.Write(m.FencingToken(), work)
//	}
//
// Writes to ZooKeeper itself can be fenced by the server: Fenced (on
// Mutex, both locks of an RWMutex, Lease and SemaphoreMutex) runs them in
// one transaction with a check that the holder's node still exists, and
// fails with ErrNotHeld, applying nothing, when it does not.
//
// A held context that ended stays ended; Release the lock and Acquire it
// again to continue. The lock node is deleted with a guaranteed delete,
// and a lock keeps knowing its node until that delete succeeded.
//
// Node layout (as Curator's): a Mutex makes "_c_<uuid>-lock-<seq10>"
// ephemeral-sequential nodes under its path, an RWMutex "_c_<uuid>-__READ__<seq10>"
// and "_c_<uuid>-__WRIT__<seq10>", a Semaphore a Mutex under "<path>/locks"
// and leases "<path>/leases/_c_<uuid>-lease-<seq10>". Parents are created
// as containers.
package lock
