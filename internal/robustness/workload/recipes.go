package workload

import (
	"github.com/zkcurator/zkcurator/recipes/barrier"
	"github.com/zkcurator/zkcurator/recipes/cache"
	"github.com/zkcurator/zkcurator/recipes/election"
	"github.com/zkcurator/zkcurator/recipes/lock"
	"github.com/zkcurator/zkcurator/zk"
)

// This file is the only place the workloads construct recipes, so that a
// change of constructor signatures touches these few lines only.

func newMutex(c *zk.Client, path string) (*lock.Mutex, error) {
	return lock.NewMutex(c, path)
}

func newRWMutex(c *zk.Client, path string) (*lock.RWMutex, error) {
	return lock.NewRWMutex(c, path)
}

func newSemaphore(c *zk.Client, path string, max int) (*lock.Semaphore, error) {
	return lock.NewSemaphore(c, path, max)
}

func newLatch(c *zk.Client, path, id string) (*election.Latch, error) {
	return election.NewLatch(c, path, id)
}

func newSelector(c *zk.Client, path, id string, fn election.LeaderFunc) (*election.Selector, error) {
	return election.NewSelector(c, path, id, fn, election.WithAutoRequeue())
}

func newDoubleBarrier(c *zk.Client, path string, members int) (*barrier.DoubleBarrier, error) {
	return barrier.NewDouble(c, path, members)
}

func newTreeCache(c *zk.Client, path string) (*cache.TreeCache, error) {
	return cache.NewTree(c, path)
}
