// Package conformance holds the conformance suite of the embedded ZooKeeper
// server (package testserver): well over a hundred named scenarios, each a
// short sequence of raw wire requests from one or more sessions, run against
// a fresh embedded server and, with ZKCURATOR_REAL_ZK=1, against a real
// Apache ZooKeeper 3.8 started by testserver/realzk.
//
// A scenario's run is recorded as a transcript: one normalised line per
// request and per notification, with error codes, reply bodies, the
// deterministic Stat fields (versions, lengths, child counts, the
// ephemeralOwner as a session name, zxids relative to the scenario's start),
// sequence numbers and events in arrival order. The embedded transcript must
// equal the real server's, and the golden copy in testdata (recorded from
// ZooKeeper 3.8 with -update) when no real server runs:
//
//	go test -race ./testserver/conformance/                      # embedded vs golden
//	ZKCURATOR_REAL_ZK=1 go test -race ./testserver/conformance/  # embedded vs real 3.8
//	ZKCURATOR_REAL_ZK=1 go test ./testserver/conformance/ -update # re-record golden
//
// The package has no non-test code; this file only documents it.
package conformance
