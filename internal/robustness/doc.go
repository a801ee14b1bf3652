// Package robustness is zkcurator's robustness suite, in the manner of
// etcd's robustness tests: many clients (some in child processes) run
// workloads against the embedded server or a real ensemble while a nemesis
// injects faults, every client's operations and holds are recorded in one
// monotonic clock, and checkers verify what the library promises —
// linearizable registers, never two live holders of a lock, at most one
// leader, caches that converge, sequential creates that lose nothing,
// barriers that do not deadlock, nothing leaked, no client stuck after the
// faults stop.
//
// Sub-packages:
//
//	history   the event stream (one CLOCK_MONOTONIC clock across processes)
//	          and the recorder that every client writes to
//	nemesis   the fault injectors (per-client TCP proxies, session expiry,
//	          server and ensemble faults, child-process signals) and the
//	          seeded schedule that drives them
//	workload  what the clients do (registers, sequential creates, locks,
//	          elections, caches, barriers)
//	checker   the checks run over a recorded history
//
// The tests in this package (TestRobustness) are the entry point; see
// robustness_test.go for the flags.
package robustness
