// Command zkc is an operator's command line for ZooKeeper, built on the
// zkcurator client: navigation and data (ls, tree, get, set, create, delete,
// find, grep), watches, sessions and ACLs, Curator recipes read in Curator's
// node layout (locks, leader, semaphore), server four-letter words and
// health, and an interactive shell with history and path completion.
//
// Every command takes --json for scripts. Exit codes: 0 success, 1 other
// errors, 2 node not found, 3 not authorised, 4 connection failure, 64 bad
// usage. Errors are one line on stderr.
//
//	zkc --server zk1:2181 ls -l /app
//	zkc --embedded            # an interactive shell on an in-process server
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
