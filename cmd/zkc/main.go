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
//
// Secured ensembles: --auth scheme:cred (addAuth, e.g. digest:user:pw),
// --tls-ca/--tls-cert/--tls-key, and SASL on every connection: --sasl
// digest with --sasl-user (password from --sasl-password-file or
// $ZKC_SASL_PASSWORD; --sasl-password shows it in the process list), or
// --sasl kerberos (GSSAPI) with --kerberos-principal and
// --kerberos-keytab, or a kinit cache ($KRB5CCNAME or --kerberos-ccache):
//
//	zkc -s zk1.example.com:2181 --sasl kerberos --kerberos-principal app@EXAMPLE.COM \
//	    --kerberos-keytab /etc/app/app.keytab --krb5-conf /etc/krb5.conf ls /
//	kinit app@EXAMPLE.COM && zkc -s zk1.example.com:2181 --sasl kerberos whoami
//
// The servers' principal is zookeeper/<host dialled>: --kerberos-host fixes
// the host (as zookeeper.server.principal), --kerberos-canonicalize takes
// the host's canonical DNS name, --kerberos-service changes "zookeeper".
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
