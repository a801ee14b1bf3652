// Package bench compares the zkcurator client with github.com/go-zookeeper/zk
// and with a raw pipelining loop (the per-connection ceiling of a server), on
// a real Apache ZooKeeper and on the embedded Go server, in the same run.
//
// It is its own module so that peer clients never become dependencies of the
// library. The benchmarks are in client_test.go; cmd/benchreport runs the
// comparisons interleaved over several rounds and prints the markdown table
// kept in RESULTS.md.
package bench
