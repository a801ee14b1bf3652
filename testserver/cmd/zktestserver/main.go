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
	version := flag.String("version", "3.8", "ZooKeeper release to emulate: 3.5, 3.6, 3.7, 3.8 or 3.9 (ops it lacks get Unimplemented; 3.9 puts zxids on watch events)")
	minTimeout := flag.Duration("min-session-timeout", 0, "minimum session timeout (default 2 ticks)")
	maxTimeout := flag.Duration("max-session-timeout", 60*time.Second, "maximum session timeout")
	verbose := flag.Bool("v", false, "log connections and sessions")
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
