// Command zktestserver runs the embedded ZooKeeper test server until it is
// interrupted (SIGINT or SIGTERM), so that any ZooKeeper client (zkCli,
// Curator, kazoo, ...) can be pointed at it:
//
//	go run ./testserver/cmd/zktestserver -addr 127.0.0.1:2181 -tick 100ms -version 3.8
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/zkcurator/zkcurator/testserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:2181", "address to listen on")
	tick := flag.Duration("tick", 100*time.Millisecond, "tickTime")
	version := flag.String("version", "3.8", "ZooKeeper version to emulate: 3.5, 3.6, 3.7 or 3.8")
	minTimeout := flag.Duration("min-session-timeout", 0, "minimum session timeout (default 2 ticks)")
	maxTimeout := flag.Duration("max-session-timeout", 60*time.Second, "maximum session timeout")
	verbose := flag.Bool("v", false, "log connections and sessions")
	words := flag.String("4lw", "srvr", `four-letter words to answer, comma-separated, "*" for all (4lw.commands.whitelist; srvr always)`)
	maxConns := flag.Int("max-client-conns", testserver.DefaultMaxClientConns, "connections one IP address may hold (maxClientCnxns; 0: no limit)")
	handshake := flag.Duration("handshake-timeout", testserver.DefaultHandshakeTimeout, "time a new connection has to send its handshake (0: no limit)")
	maxQueued := flag.Int("max-queued-bytes", testserver.DefaultMaxQueuedBytes, "reply bytes queued for all connections before the largest backlogs are closed (0: no limit)")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	s, err := testserver.Start(
		testserver.WithAddr(*addr),
		testserver.WithTickTime(*tick),
		testserver.WithVersion(*version),
		testserver.WithSessionTimeouts(*minTimeout, *maxTimeout),
		testserver.WithLogger(logger),
		testserver.WithFourLetterWords(*words),
		testserver.WithMaxClientConns(*maxConns),
		testserver.WithHandshakeTimeout(*handshake),
		testserver.WithMaxQueuedBytes(*maxQueued),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, "zktestserver:", err)
		os.Exit(1)
	}
	fmt.Printf("zktestserver: serving ZooKeeper %s on %s\n", *version, s.Addr())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "zktestserver:", err)
		os.Exit(1)
	}
}
