// Package bench compares the zkcurator client with github.com/go-zookeeper/zk
// and with a raw pipelining loop (the per-connection ceiling of a server), on
// a real Apache ZooKeeper and on the embedded Go server, in the same run.
//
// It also measures the recipes against their go-zookeeper counterparts:
// recipes/lock.Mutex against go-zookeeper's Lock and the round-trip bound
// of a lock (uncontended cycles, contended hand-off latency), and
// recipes/cache.TreeCache priming against go-zookeeper reading one request
// at a time and against the same reads pipelined.
//
// It is its own module so that peer clients never become dependencies of the
// library. The client benchmarks are in client_test.go, the recipe ones in
// recipes_test.go; cmd/benchreport and cmd/recipereport run the comparisons
// interleaved over several rounds and print the markdown kept in
// RESULTS.md.
package bench
