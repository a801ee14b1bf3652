// Command zktestserver runs the embedded ZooKeeper test server until it is
// interrupted (SIGINT or SIGTERM), so that any ZooKeeper client (zkCli,
// Curator, kazoo, ...) can be pointed at it:
//
//	go run ./testserver/cmd/zktestserver -addr 127.0.0.1:2181 -tick 100ms -version 3.8
//
// Like a real ZooKeeper 3.8 it refuses TTL nodes unless -extended-types is
// given, and deletes empty containers every -container-check (60s).
//
// -load FILE starts from a snapshot (the JSON format of testserver.Snapshot:
// nodes with base64 data, ACLs and modes, and sessions); -save FILE writes
// the server's state in that format when it is interrupted, to look at what
// a program left behind or to seed a later run.
//
// -tls-cert and -tls-key (PEM files) make it listen with TLS only;
// -tls-ca (a PEM bundle) also requires clients to present a certificate
// signed by one of those CAs.
//
// -sasl-user name:password (repeatable) and -sasl-users FILE enable SASL
// DIGEST-MD5 for those users, as a real server with a JAAS Server section
// of DigestLoginModule users; FILE holds one name:password a line (blank
// lines and # comments skipped) or is that JAAS file itself
// (user_alice="secret"). Authenticated clients are sasl:<name> in ACLs.
// -sasl-required refuses clients that do not authenticate
// (zookeeper.sessionRequireClientSASLAuth=true):
//
//	go run ./testserver/cmd/zktestserver -sasl-user alice:secret -sasl-required
//	zkc --server 127.0.0.1:2181 --sasl-user alice --sasl-password-file pw ls /
package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/zkcurator/zkcurator/testserver"
)

func main() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	stop := make(chan struct{})
	go func() { <-sig; close(stop) }()
	err := run(os.Args[1:], func(line string) { fmt.Println(line) }, stop)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "zktestserver:", err)
		os.Exit(1)
	}
}

// run serves with the flags in args until stop is closed; ready gets the
// "serving" line once the server listens.
func run(args []string, ready func(string), stop <-chan struct{}) error {
	fs := flag.NewFlagSet("zktestserver", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:2181", "address to listen on")
	tick := fs.Duration("tick", 100*time.Millisecond, "tickTime")
	version := fs.String("version", "3.8", "ZooKeeper release to emulate: 3.5, 3.6, 3.7, 3.8 or 3.9 (ops it lacks get Unimplemented; 3.9 puts zxids on watch events)")
	minTimeout := fs.Duration("min-session-timeout", 0, "minimum session timeout (default 2 ticks)")
	maxTimeout := fs.Duration("max-session-timeout", 60*time.Second, "maximum session timeout")
	extended := fs.Bool("extended-types", false, "enable TTL nodes (zookeeper.extendedTypesEnabled)")
	containerCheck := fs.Duration("container-check", 60*time.Second, "how often empty containers and expired TTL nodes are deleted (znode.container.checkIntervalMs)")
	load := fs.String("load", "", "start from this snapshot `file` (JSON, see testserver.Snapshot)")
	save := fs.String("save", "", "write a snapshot to this `file` (JSON) when interrupted")
	tlsCert := fs.String("tls-cert", "", "server certificate `file` (PEM): listen with TLS")
	tlsKey := fs.String("tls-key", "", "server private key `file` (PEM), with -tls-cert")
	tlsCA := fs.String("tls-ca", "", "CA bundle `file` (PEM): require client certificates signed by it")
	verbose := fs.Bool("v", false, "log connections and sessions")
	words := fs.String("4lw", "srvr", `four-letter words to answer, comma-separated, "*" for all (4lw.commands.whitelist; srvr always)`)
	maxConns := fs.Int("max-client-conns", testserver.DefaultMaxClientConns, "connections one IP address may hold (maxClientCnxns; 0: no limit)")
	handshake := fs.Duration("handshake-timeout", testserver.DefaultHandshakeTimeout, "time a new connection has to send its handshake (0: no limit)")
	maxQueued := fs.Int("max-queued-bytes", testserver.DefaultMaxQueuedBytes, "reply bytes queued for all connections before the largest backlogs are closed (0: no limit)")
	var saslUsers []string
	fs.Func("sasl-user", "enable SASL DIGEST-MD5 with this `name:password` (repeatable)", func(v string) error {
		saslUsers = append(saslUsers, v)
		return nil
	})
	saslFile := fs.String("sasl-users", "", "enable SASL DIGEST-MD5 with the users of this `file` (name:password lines, or a JAAS file's user_name=\"password\")")
	saslRequired := fs.Bool("sasl-required", false, "refuse clients that do not authenticate with SASL (zookeeper.sessionRequireClientSASLAuth)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	users, err := parseSASLUsers(saslUsers, *saslFile)
	if err != nil {
		return err
	}
	if *saslRequired && users == nil {
		return errors.New("-sasl-required needs users: -sasl-user name:password or -sasl-users FILE")
	}

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	opts := []testserver.Option{
		testserver.WithAddr(*addr),
		testserver.WithTickTime(*tick),
		testserver.WithVersion(*version),
		testserver.WithSessionTimeouts(*minTimeout, *maxTimeout),
		testserver.WithExtendedTypes(*extended),
		testserver.WithContainerCheckInterval(*containerCheck),
		testserver.WithLogger(logger),
		testserver.WithFourLetterWords(*words),
		testserver.WithMaxClientConns(*maxConns),
		testserver.WithHandshakeTimeout(*handshake),
		testserver.WithMaxQueuedBytes(*maxQueued),
	}
	if users != nil {
		opts = append(opts, testserver.WithSASLUsers(users), testserver.WithSASLRequired(*saslRequired))
	}
	tlsCfg, err := tlsConfig(*tlsCert, *tlsKey, *tlsCA)
	if err != nil {
		return err
	}
	if tlsCfg != nil {
		opts = append(opts, testserver.WithTLS(tlsCfg))
	}
	if *load != "" {
		f, err := os.Open(*load)
		if err != nil {
			return err
		}
		snap, err := testserver.ReadSnapshot(f)
		_ = f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", *load, err)
		}
		opts = append(opts, testserver.WithSnapshot(snap))
	}
	s, err := testserver.Start(opts...)
	if err != nil {
		return err
	}
	mode := ""
	if tlsCfg != nil {
		mode = " with TLS"
	}
	if users != nil {
		mode += fmt.Sprintf(" with SASL (%d users", len(users))
		if *saslRequired {
			mode += ", required"
		}
		mode += ")"
	}
	ready(fmt.Sprintf("zktestserver: serving ZooKeeper %s on %s%s", *version, s.Addr(), mode))
	<-stop
	var saveErr error
	if *save != "" {
		saveErr = writeSnapshot(s, *save)
	}
	return errors.Join(saveErr, s.Close())
}

// writeSnapshot saves s's state to path (through a temporary file, so a
// failed write leaves an older snapshot intact).
func writeSnapshot(s *testserver.Server, path string) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := s.WriteSnapshot(f); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// tlsConfig builds the server's TLS config from the flags; nil without
// -tls-cert.
func tlsConfig(certFile, keyFile, caFile string) (*tls.Config, error) {
	if certFile == "" && keyFile == "" {
		if caFile != "" {
			return nil, errors.New("-tls-ca needs -tls-cert and -tls-key")
		}
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, errors.New("-tls-cert and -tls-key go together")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS key pair: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no PEM certificates", caFile)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// jaasUser is a DigestLoginModule user in a JAAS file: user_<name>="<password>".
var jaasUser = regexp.MustCompile(`\buser_([^\s=]+)\s*=\s*"([^"]*)"`)

// parseSASLUsers merges the -sasl-user values and the -sasl-users file
// into the server's user table; nil when neither is given.
func parseSASLUsers(flags []string, file string) (map[string]string, error) {
	if len(flags) == 0 && file == "" {
		return nil, nil
	}
	users := map[string]string{}
	add := func(where, name, pass string) error {
		if name == "" {
			return fmt.Errorf("%s: empty user name", where)
		}
		if _, dup := users[name]; dup {
			return fmt.Errorf("%s: user %q given twice", where, name)
		}
		users[name] = pass
		return nil
	}
	for _, v := range flags {
		name, pass, ok := strings.Cut(v, ":")
		if !ok {
			return nil, fmt.Errorf("-sasl-user %q: want name:password", v)
		}
		if err := add("-sasl-user", name, pass); err != nil {
			return nil, err
		}
	}
	if file == "" {
		return users, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("-sasl-users: %w", err)
	}
	if m := jaasUser.FindAllStringSubmatch(string(b), -1); m != nil {
		for _, u := range m {
			if err := add(file, u[1], u[2]); err != nil {
				return nil, err
			}
		}
		return users, nil
	}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, pass, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want name:password", file, i+1)
		}
		if err := add(fmt.Sprintf("%s:%d", file, i+1), name, pass); err != nil {
			return nil, err
		}
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("-sasl-users %s: no users in it", file)
	}
	return users, nil
}
